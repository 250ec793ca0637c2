/// Checks made on a workflow's raw bytes before any YAML parser sees them.
///
/// libyaml and Yams are recursive and expand aliases eagerly in places, so hostile input is
/// refused here, cheaply, with a reason a user can act on.
public enum InputGuards {
    /// Larger files are not parsed: no real workflow comes close, and it bounds memory per file.
    public static let maxBytes = 1 << 20
    /// Deepest `[`/`{` nesting accepted. Real workflows stay under 10.
    public static let maxFlowDepth = 200

    /// Decodes the bytes as UTF-8 text (dropping a byte-order mark) or says why it cannot.
    public static func decode(_ bytes: [UInt8]) -> Result<String, WorkflowParseFailure> {
        if bytes.count > maxBytes {
            return .failure(.init("file is \(bytes.count) bytes, over the \(maxBytes)-byte limit for a workflow"))
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .failure(.init("file is empty"))
        }
        if let offset = firstInvalidUTF8Offset(body) {
            let line = body[body.startIndex..<(body.startIndex + offset)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .failure(.init("invalid UTF-8 at byte \(offset + (bytes.count - body.count))", line: line))
        }
        if body.contains(0) {
            return .failure(.init("file contains a NUL byte; not a text file"))
        }
        let text = String(decoding: body, as: UTF8.self)
        if let failure = checkStructure(text) { return .failure(failure) }
        return .success(text)
    }

    /// Finds the offset of the first byte that breaks UTF-8, or nil when all of it is valid.
    static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }

    /// Refuses flow nesting deep enough to exhaust a recursive parser, and aliases used as
    /// mapping keys (hashing such a key expands the alias; nested anchors make that exponential).
    static func checkStructure(_ text: String) -> WorkflowParseFailure? {
        var depth = 0
        var line = 1
        var atLineStart = true
        var inComment = false
        var previous: UInt8 = 0x0A
        var utf8 = Array(text.utf8)
        utf8.append(0x0A)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == 0x0A {
                line += 1
                atLineStart = true
                inComment = false
                previous = byte
                index += 1
                continue
            }
            if inComment { index += 1; continue }
            switch byte {
            case UInt8(ascii: "#") where previous == 0x20 || previous == 0x09 || atLineStart:
                inComment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxFlowDepth {
                    return .init("nesting deeper than \(maxFlowDepth) levels", line: line)
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)
            case UInt8(ascii: "*") where previous == 0x20 || previous == 0x09 || atLineStart
                || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",")
                || previous == UInt8(ascii: "["):
                if aliasIsKey(utf8, from: index + 1) {
                    return .init("an alias used as a mapping key is not supported", line: line)
                }
            case UInt8(ascii: "?") where atLineStart || previous == UInt8(ascii: "-"):
                if index + 1 < utf8.count, utf8[index + 1] == 0x20 || utf8[index + 1] == 0x0A {
                    return .init("complex mapping keys (`? key`) are not supported in workflows", line: line)
                }
            default:
                break
            }
            if byte != 0x20 && byte != 0x09 { atLineStart = false }
            previous = byte
            index += 1
        }
        return nil
    }

    private static func aliasIsKey(_ utf8: [UInt8], from start: Int) -> Bool {
        var index = start
        while index < utf8.count, isAnchorCharacter(utf8[index]) { index += 1 }
        if index == start { return false }
        while index < utf8.count, utf8[index] == 0x20 || utf8[index] == 0x09 { index += 1 }
        guard index < utf8.count, utf8[index] == UInt8(ascii: ":") else { return false }
        let next = index + 1 < utf8.count ? utf8[index + 1] : 0x0A
        return next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09
    }

    /// libyaml's rule for anchor and alias names.
    private static func isAnchorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

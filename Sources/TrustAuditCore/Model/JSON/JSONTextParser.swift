import Foundation

/// Parses JSON text (RFC 8259, any value at the top level) straight from UTF-8 bytes.
///
/// `JSONSerialization` builds Foundation objects that then have to be cast back one by one;
/// findings' evidence and stored facts are parsed tens of thousands of times per report, so
/// this reads bytes into `JSONValue` directly. Exports are read into the tree `JSONSerialization`
/// would build, because their decoders read that tree (see `JSONDocument`). Nesting is bounded,
/// so hostile input cannot exhaust the stack.
enum JSONTextParser {
    static let maximumDepth = 512

    /// The value `text` holds, or nil when it is not exactly one valid JSON value. The last of
    /// repeated keys wins, and a lone surrogate escape stands for U+FFFD.
    static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { JSONTextReader<JSONValueTree>.parse($0) }
    }

    /// The tree `JSONSerialization` builds from `data`, or nil when `data` is not valid JSON or
    /// holds what that tree cannot say as it is written: a repeated key, a number no `Double` or
    /// `Int64` holds, a lone surrogate. Callers read those documents the slower way, which
    /// reports each of them.
    static func foundationTree(_ data: Data) -> Any? {
        data.withUnsafeBytes { raw in JSONTextReader<FoundationJSONTree>.parse(raw.bindMemory(to: UInt8.self)) }
    }
}

/// One parse over a buffer of UTF-8 bytes.
struct JSONTextReader<Tree: JSONTreeKind> {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one value `bytes` hold, or nil.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Tree.Value? {
        var reader = JSONTextReader(bytes)
        guard let value = reader.value() else { return nil }
        reader.skipWhitespace()
        return reader.position == bytes.count ? value : nil
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func value() -> Tree.Value? {
        skipWhitespace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(Tree.string)
        case UInt8(ascii: "t"): return literal("true", Tree.bool(true))
        case UInt8(ascii: "f"): return literal("false", Tree.bool(false))
        case UInt8(ascii: "n"): return literal("null", Tree.null)
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString, _ result: @autoclosure () -> Tree.Value) -> Tree.Value? {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return nil }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            return nil
        }
        position += count
        return result()
    }

    private mutating func object() -> Tree.Value? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONTextParser.maximumDepth else { return nil }
        position += 1
        var members = Tree.emptyObject()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return Tree.object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            guard let member = value(), Tree.insert(key, member, into: &members) else { return nil }
            skipWhitespace()
            guard position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return Tree.object(members)
            } else {
                return nil
            }
        }
    }

    private mutating func array() -> Tree.Value? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= JSONTextParser.maximumDepth else { return nil }
        position += 1
        var items: [Tree.Value] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return Tree.array(items)
        }
        while true {
            guard let item = value() else { return nil }
            items.append(item)
            skipWhitespace()
            guard position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return Tree.array(items)
            } else {
                return nil
            }
        }
    }

    /// A string literal starting at the opening quote. Runs without escapes are copied as they
    /// are; the result must be valid UTF-8, as JSON text must.
    private mutating func string() -> String? {
        position += 1
        var decoded: [UInt8] = []
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text: String?
                if decoded.isEmpty {
                    text = String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<position]), as: UTF8.self)
                } else {
                    decoded.append(contentsOf: bytes[runStart..<position])
                    text = String(validating: decoded, as: UTF8.self)
                }
                position += 1
                return text
            }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                decoded.append(contentsOf: bytes[runStart..<position])
                position += 1
                guard position < bytes.count, escape(into: &decoded) else { return nil }
                runStart = position
                continue
            }
            position += 1
        }
        return nil
    }

    /// Decodes the escape after a backslash into UTF-8.
    private mutating func escape(into out: inout [UInt8]) -> Bool {
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            guard var code = hex4() else { return false }
            if (0xD800..<0xDC00).contains(code), position + 6 <= bytes.count,
               bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let saved = position
                position += 2
                if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    position = saved
                }
            }
            guard let scalar = Unicode.Scalar(code) ?? (Tree.acceptsLoneSurrogates ? "\u{FFFD}" : nil) else { return false }
            out.append(contentsOf: Array(String(scalar).utf8))
        default:
            return false
        }
        return true
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func number() -> Tree.Value? {
        let start = position
        var integral = true
        func digits() -> Int {
            let first = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - first
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            return nil
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard digits() > 0 else { return nil }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { return nil }
        }
        return Tree.number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self), integral: integral)
    }
}

/// Checks made on a workflow's raw bytes before any YAML parser sees them.
///
/// The composer is recursive and aliases share what they name, so hostile input is
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
        // Fast, validating decode; the slow scalar-by-scalar walk only runs to locate an error.
        let decoded = String(validating: body, as: UTF8.self)
        if decoded == nil, let offset = firstInvalidUTF8Offset(body) {
            let line = body[body.startIndex..<(body.startIndex + offset)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .failure(.init("invalid UTF-8 at byte \(offset + (bytes.count - body.count))", line: line))
        }
        if let nul = body.firstIndex(of: 0) {
            let line = body[..<nul].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .failure(.init("file contains a NUL byte; not a text file", line: line))
        }
        let text = decoded ?? String(decoding: body, as: UTF8.self)
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

    /// Refuses, before libyaml and the composer see the text, what would make them (or the tree walk)
    /// expensive or deeply recursive:
    /// - flow nesting (`[[[…`) deeper than `maxFlowDepth`, block nesting by indentation or
    ///   compact `- - -` entries deeper than `maxBlockDepth` (`YAMLComposer` composes recursively, one frame
    ///   chain per level; libyaml's own limit is 1,000);
    /// - an alias used as a mapping key, or a flow collection holding an alias used as a key
    ///   (a composer comparing keys to find duplicates would expand aliases: with nested
    ///   anchors that is exponential);
    /// - explicit `? key` entries (same reason; no workflow needs them).
    ///
    /// It is a small, line-oriented YAML tokenizer: it skips comments, quoted scalars and block
    /// scalars (`run: |` scripts), and only treats `[`, `{`, `*`, `?`, `|`, `>` as indicators
    /// where a node can start, so shell and JavaScript inside a workflow do not trip it.
    static func checkStructure(_ text: String) -> WorkflowParseFailure? {
        var scanner = StructureScanner()
        var text = text
        return text.withUTF8 { scanner.scan($0) }
    }

    /// Block nesting deeper than this is refused. Real workflows stay under 15.
    public static let maxBlockDepth = 256
}

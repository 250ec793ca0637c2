import Foundation

/// Where a JSON document stops being valid, for error messages a person can act on.
///
/// Foundation reports only a byte offset ("around character 25"), so the line and column are
/// recomputed from the bytes.
struct JSONSyntaxFailure: Error, Equatable {
    var line: Int?
    var column: Int?
    var detail: String
}

/// JSON documents as bytes: the one place they are parsed into a `JSONSerialization` tree and
/// written back out. Stored JSON text that becomes a `JSONValue` goes through `JSONValue.parse`.
enum JSONDocument {
    /// Parses an export document. Most are read in one pass by `JSONTextParser`; a document it
    /// refuses is read as before: `JSONPrescan` first (repeated keys are recorded in `reader`,
    /// numbers no `Double` holds become strings), then `parse(_:)`, which locates a syntax error.
    /// An organization's settings are ten thousand documents, and `JSONSerialization`'s strings
    /// made every later read of them slow.
    static func parse(_ data: Data, reader: inout JSONTreeReader) throws(JSONSyntaxFailure) -> Any {
        if let tree = JSONTextParser.foundationTree(data) { return tree }
        let prescan = JSONPrescan(data)
        for path in prescan.duplicateKeys {
            reader.record(path, .invalidValue("the key appears more than once in its object; which value counts is undefined, so fix the export"))
        }
        return try parse(prescan.data)
    }

    /// Parses `data` (any value at the top level), turning a failure into a located one.
    static func parse(_ data: Data) throws(JSONSyntaxFailure) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
                ?? String(describing: error)
            // Some Foundation versions already give a line and column.
            if let (line, column) = lineAndColumn(in: detail) {
                throw JSONSyntaxFailure(line: line, column: column, detail: detail)
            }
            guard let offset = byteOffset(in: detail) else {
                throw JSONSyntaxFailure(line: nil, column: nil, detail: detail)
            }
            let (line, column) = lineAndColumn(ofByte: offset, in: data)
            throw JSONSyntaxFailure(line: line, column: column, detail: detail)
        }
    }

    /// Writes a tree of JSON types with sorted keys, so equal content always gives equal bytes
    /// (an unchanged organization's collected documents hash the same, and the scan can share the
    /// previous snapshot).
    static func write(_ value: Any) -> Data {
        // Callers only pass trees parsed from JSON or built of literals of JSON types.
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// The number after "character" in Foundation's message, if it has one.
    static func byteOffset(in message: String) -> Int? {
        guard let range = message.range(of: "character ") else { return nil }
        let digits = message[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        return Int(digits)
    }

    /// "line N, column M" from Foundation's message, if it has them.
    static func lineAndColumn(in message: String) -> (Int, Int)? {
        guard let lineRange = message.range(of: "line "),
              let columnRange = message.range(of: "column ", range: lineRange.upperBound..<message.endIndex)
        else { return nil }
        let line = Int(message[lineRange.upperBound...].prefix { $0.isASCII && $0.isNumber })
        let column = Int(message[columnRange.upperBound...].prefix { $0.isASCII && $0.isNumber })
        guard let line, let column else { return nil }
        return (line, column)
    }

    /// 1-based line and column (in characters, not bytes) of byte `offset`.
    static func lineAndColumn(ofByte offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for (index, byte) in data.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Continuation bytes belong to the character already counted.
                column += 1
            }
        }
        return (line, column)
    }
}

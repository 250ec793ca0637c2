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

enum JSONDocument {
    /// Parses `data` into a `JSONSerialization` tree, turning a failure into a located one, and
    /// records repeated keys in `reader` (see `JSONPrescan`).
    static func parse(_ data: Data, reader: inout JSONTreeReader) throws(JSONSyntaxFailure) -> Any {
        let prescan = JSONPrescan(data)
        for path in prescan.duplicateKeys {
            reader.record(path, .invalidValue("the key appears more than once in its object; which value counts is undefined, so fix the export"))
        }
        return try parse(prescan.data)
    }

    private static func parse(_ data: Data) throws(JSONSyntaxFailure) -> Any {
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

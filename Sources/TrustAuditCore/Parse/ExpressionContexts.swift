/// Finds the `${{ … }}` expressions in a value and the context paths each one reads.
///
/// Paths come back lower-cased (GitHub's contexts ignore case) in dotted form, with every index
/// written as `*`: `github.event['pull_request'].title` → `github.event.pull_request.title`,
/// `github.event.commits[0].message` → `github.event.commits.*.message`. String literals and
/// function names are not paths. The scan is a single pass over the text, so its cost is linear
/// in the value's length whatever it holds.
enum ExpressionContexts {
    /// One `${{ … }}` occurrence: its text (braces included) and its byte offset in the value.
    struct Expression: Equatable {
        var text: String
        var offset: Int
        var paths: [String]
    }

    /// Expressions longer than this are cut when kept as evidence.
    static let maxEvidenceLength = 200

    static func expressions(in value: String) -> [Expression] {
        let bytes = Array(value.utf8)
        var result: [Expression] = []
        var index = 0
        while index + 2 < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), bytes[index + 1] == UInt8(ascii: "{"), bytes[index + 2] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            let start = index
            var cursor = index + 3
            var inString = false
            var end: Int?
            while cursor < bytes.count {
                let byte = bytes[cursor]
                if byte == UInt8(ascii: "'") {
                    inString.toggle()
                } else if !inString, byte == UInt8(ascii: "}"), cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "}") {
                    end = cursor + 2
                    break
                }
                cursor += 1
            }
            // An unterminated expression is not evaluated by GitHub: nothing to report.
            guard let end else { break }
            let inner = Array(bytes[(start + 3)..<(end - 2)])
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            result.append(Expression(text: text, offset: start, paths: paths(in: inner)))
            index = end
        }
        return result
    }

    /// The context paths read by the body of one expression.
    static func paths(in bytes: [UInt8]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "'") {
                index = skipString(bytes, from: index)
            } else if isIdentifierStart(byte) {
                var segments: [String] = []
                var cursor = readIdentifier(bytes, from: index, into: &segments)
                var isFunction = false
                while cursor < bytes.count {
                    if bytes[cursor] == UInt8(ascii: "."), cursor + 1 < bytes.count {
                        if bytes[cursor + 1] == UInt8(ascii: "*") {
                            segments.append("*")
                            cursor += 2
                        } else if isIdentifierStart(bytes[cursor + 1]) {
                            cursor = readIdentifier(bytes, from: cursor + 1, into: &segments)
                        } else {
                            break
                        }
                    } else if bytes[cursor] == UInt8(ascii: "[") {
                        cursor = readIndex(bytes, from: cursor, into: &segments)
                    } else {
                        break
                    }
                }
                var look = cursor
                while look < bytes.count, bytes[look] == UInt8(ascii: " ") { look += 1 }
                if segments.count == 1, look < bytes.count, bytes[look] == UInt8(ascii: "(") { isFunction = true }
                let word = segments.first ?? ""
                if !isFunction, !["true", "false", "null"].contains(word) {
                    result.append(segments.joined(separator: "."))
                }
                index = cursor
            } else if isDigit(byte) {
                while index < bytes.count, isIdentifierByte(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
            } else {
                index += 1
            }
        }
        return result
    }

    private static func readIdentifier(_ bytes: [UInt8], from start: Int, into segments: inout [String]) -> Int {
        var cursor = start
        while cursor < bytes.count, isIdentifierByte(bytes[cursor]) { cursor += 1 }
        segments.append(String(decoding: bytes[start..<cursor], as: UTF8.self).lowercased())
        return cursor
    }

    /// `['name']` becomes the segment `name`; any other index (`[0]`, `[*]`, `[matrix.i]`) `*`.
    private static func readIndex(_ bytes: [UInt8], from start: Int, into segments: inout [String]) -> Int {
        var cursor = start + 1
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "'") {
            let close = skipString(bytes, from: cursor)
            let name = String(decoding: bytes[(cursor + 1)..<max(cursor + 1, close - 1)], as: UTF8.self)
            cursor = close
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "]") {
                segments.append(name.lowercased())
                return cursor + 1
            }
        }
        var depth = 1
        while cursor < bytes.count, depth > 0 {
            if bytes[cursor] == UInt8(ascii: "[") { depth += 1 }
            if bytes[cursor] == UInt8(ascii: "]") { depth -= 1 }
            if bytes[cursor] == UInt8(ascii: "'") { cursor = skipString(bytes, from: cursor); continue }
            cursor += 1
        }
        segments.append("*")
        return cursor
    }

    /// The index just past a single-quoted string starting at `start` (`''` is an escaped quote).
    private static func skipString(_ bytes: [UInt8], from start: Int) -> Int {
        var cursor = start + 1
        while cursor < bytes.count {
            if bytes[cursor] == UInt8(ascii: "'") {
                if cursor + 1 < bytes.count, bytes[cursor + 1] == UInt8(ascii: "'") {
                    cursor += 2
                    continue
                }
                return cursor + 1
            }
            cursor += 1
        }
        return cursor
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "-")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }
}

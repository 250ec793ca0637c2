import Foundation

/// A JSON-shaped value: policy parameters, evidence, and example documents.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Compact JSON text with sorted keys, so equal values always serialize identically.
    public var jsonText: String {
        var out: [UInt8] = []
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact, sorted-key text of this value to `out`, as UTF-8. Writers build bytes,
    /// not Strings: reports run to tens of megabytes, and appending to a String costs a check of
    /// its storage per piece.
    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let value): out += (value ? "true" : "false").utf8
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { out += String(Int64(value)).utf8 } else { out += String(value).utf8 }
        case .string(let value): JSONValue.writeString(value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `value` as a quoted JSON string literal, as UTF-8; shared by every JSON writer in
    /// the package. Escaped: `"`, `\`, control characters, and U+2028/U+2029 (E2 80 A8/A9 in
    /// UTF-8), which end a line in JavaScript; everything else is copied in runs.
    public static func writeString(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let separator = byte == 0xE2 && index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9)
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || separator else {
                    index += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                switch byte {
                case UInt8(ascii: "\""): out += "\\\"".utf8
                case UInt8(ascii: "\\"): out += "\\\\".utf8
                case UInt8(ascii: "\n"): out += "\\n".utf8
                case UInt8(ascii: "\r"): out += "\\r".utf8
                case UInt8(ascii: "\t"): out += "\\t".utf8
                case 0xE2: out += (bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8
                default: out += String(format: "\\u%04x", UInt32(byte)).utf8
                }
                index += separator ? 3 : 1
                runStart = index
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses JSON text; nil when it is not valid JSON.
    public static func parse(_ text: String) -> JSONValue? {
        JSONTextParser.parse(text)
    }

    /// Converts what `JSONSerialization` returns.
    public init(foundation object: Any) {
        switch object {
        case let value as String: self = .string(value)
        case let value as NSNumber:
            // Foundation boxes JSON booleans as NSNumber with Objective-C type "c".
            if String(cString: value.objCType) == "c" { self = .bool(value.boolValue) } else { self = .number(value.doubleValue) }
        case let value as [Any]: self = .array(value.map { JSONValue(foundation: $0) })
        case let value as [String: Any]: self = .object(value.mapValues { JSONValue(foundation: $0) })
        default: self = .null
        }
    }

    /// The value as a string when it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Appends `pairs` as a JSON object of strings, byte for byte what `write(into:)` writes for
    /// the same object (keys sorted), without building the value first: the rows of a cold scan's
    /// quarter of a million steps store their `with:` and `env:` maps this way.
    static func writeStrings(_ pairs: [String: String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, member) in pairs.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            writeString(member.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends `list` as a JSON array of strings, as `write(into:)` writes it.
    static func writeStrings(_ list: [String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, item) in list.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            writeString(item, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

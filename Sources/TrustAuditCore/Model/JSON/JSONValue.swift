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
        var out = ""
        write(into: &out)
        return out
    }

    /// Appends the compact, sorted-key text of this value to `out`.
    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { out += String(Int64(value)) } else { out += String(value) }
        case .string(let value): JSONValue.writeString(value, into: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeString(key, into: &out)
                out += ":"
                members[key]!.write(into: &out)
            }
            out += "}"
        }
    }

    /// Appends `value` as a quoted JSON string literal; shared by every JSON writer in the package.
    public static func writeString(_ value: String, into out: inout String) {
        out += "\""
        // Most strings need no escape (none of `"`, `\`, a control character, U+2028, U+2029,
        // the last two being E2 80 A8/A9 in UTF-8): append them whole.
        var previous: (UInt8, UInt8) = (0, 0)
        let plain = value.utf8.allSatisfy { byte in
            defer { previous = (previous.1, byte) }
            return byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                && !(previous == (0xE2, 0x80) && (byte == 0xA8 || byte == 0xA9))
        }
        if plain {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
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

    /// A JSON object from string pairs, for storing `with:`/`env:` maps.
    public static func strings(_ pairs: [String: String]) -> JSONValue {
        .object(pairs.mapValues { .string($0) })
    }
}

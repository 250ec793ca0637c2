import Foundation

/// Reads values out of a `JSONSerialization` tree, recording a problem with the file and key
/// path whenever a value is absent or of the wrong type, and handing back nil so the caller
/// can skip just that part.
///
/// `JSONSerialization` rather than `Codable` because Codable stops at the first mismatch and
/// reports a coding path, not the rest of the document.
struct JSONTreeReader {
    let file: String
    private(set) var problems: [ExportProblem] = []

    init(file: String) {
        self.file = file
    }

    mutating func record(_ path: String, _ kind: ExportProblem.Kind) {
        problems.append(ExportProblem(file: file, path: path, kind: kind))
    }

    // MARK: Paths

    /// `parent.key`, quoting keys that would make the path ambiguous (environment names may
    /// hold dots or spaces).
    static func path(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && (key.utf8.allSatisfy(isPlainASCII)
            || key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        let segment = plain ? key : "[\"\(key.replacingOccurrences(of: "\"", with: "\\\""))\"]"
        if parent.isEmpty { return segment }
        return plain ? "\(parent).\(segment)" : "\(parent)\(segment)"
    }

    static func path(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }

    /// An ASCII letter, digit, `_` or `-`: checked on bytes first, because paths are built for
    /// every value read and Unicode's letter properties cost more than the rest of the read.
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    // MARK: Types

    private static let booleanType = type(of: NSNumber(value: true))

    // On Linux `value is NSNull` and `value as? NSNumber` bridge a Swift string, array or
    // dictionary to its Foundation class before answering no, about a hundred times the cost of
    // asking the value's type; settings exports ask it for every value they read. The checks
    // below ask the type, and bridge only Swift's own number types (trees built in code).

    /// Whether a value is JSON `null`.
    static func isNull(_ value: Any) -> Bool {
        type(of: value) is NSNull.Type
    }

    /// A value as a number (booleans included, as Foundation boxes them), or nil.
    static func number(_ value: Any) -> NSNumber? {
        let kind = type(of: value)
        if kind is NSNumber.Type { return value as? NSNumber }
        if kind == Int.self || kind == Double.self || kind == Bool.self { return value as? NSNumber }
        return nil
    }

    /// The JSON name of a value's type, for messages.
    static func typeName(_ value: Any) -> String {
        if isNull(value) { return "null" }
        if let number = number(value) { return type(of: number) == booleanType ? "boolean" : "number" }
        switch value {
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return String(describing: type(of: value))
        }
    }

    static func isBoolean(_ value: Any) -> Bool {
        guard let number = number(value) else { return false }
        return type(of: number) == booleanType
    }

    /// A whole number as an integer; nil for a boolean (Foundation boxes JSON booleans as numbers),
    /// a fraction or a number beyond `Int`. An integral value is taken as it is before going
    /// through `Double`, which holds integers exactly only up to 2^53.
    static func integer(_ value: Any) -> Int? {
        guard !isBoolean(value), let number = number(value) else { return nil }
        if let int = value as? Int { return int }
        return Int(exactly: number.doubleValue)
    }

    // MARK: Typed access
    //
    // Each accessor returns nil for absent or `null` values (recording `missingKey` only when
    // `required`) and for values of the wrong type (always recorded).

    private mutating func value(_ object: [String: Any], _ key: String, _ path: String, required: Bool) -> Any? {
        guard let value = object[key], !Self.isNull(value) else {
            if required { record(Self.path(path, key), .missingKey) }
            return nil
        }
        return value
    }

    mutating func string(_ object: [String: Any], _ key: String, at path: String, required: Bool = false) -> String? {
        guard let raw = value(object, key, path, required: required) else { return nil }
        guard let string = raw as? String else {
            record(Self.path(path, key), .wrongType(expected: "string", found: Self.typeName(raw)))
            return nil
        }
        return string
    }

    mutating func bool(_ object: [String: Any], _ key: String, at path: String, required: Bool = false) -> Bool? {
        guard let raw = value(object, key, path, required: required) else { return nil }
        guard Self.isBoolean(raw), let number = Self.number(raw) else {
            record(Self.path(path, key), .wrongType(expected: "boolean", found: Self.typeName(raw)))
            return nil
        }
        return number.boolValue
    }

    mutating func int(_ object: [String: Any], _ key: String, at path: String, required: Bool = false) -> Int? {
        guard let raw = value(object, key, path, required: required) else { return nil }
        guard let int = Self.integer(raw) else {
            record(Self.path(path, key), .wrongType(expected: "integer", found: Self.typeName(raw)))
            return nil
        }
        return int
    }

    mutating func object(_ object: [String: Any], _ key: String, at path: String, required: Bool = false) -> [String: Any]? {
        guard let raw = value(object, key, path, required: required) else { return nil }
        return self.object(raw, at: Self.path(path, key))
    }

    mutating func array(_ object: [String: Any], _ key: String, at path: String, required: Bool = false) -> [Any]? {
        guard let raw = value(object, key, path, required: required) else { return nil }
        guard let array = raw as? [Any] else {
            record(Self.path(path, key), .wrongType(expected: "array", found: Self.typeName(raw)))
            return nil
        }
        return array
    }

    /// `value` as an object, recording a problem at `path` when it is not one.
    mutating func object(_ value: Any, at path: String) -> [String: Any]? {
        guard let object = value as? [String: Any] else {
            record(path, .wrongType(expected: "object", found: Self.typeName(value)))
            return nil
        }
        return object
    }

    /// An array of strings; elements of another type are recorded and dropped.
    mutating func strings(_ object: [String: Any], _ key: String, at path: String, required: Bool = false) -> [String]? {
        guard let array = array(object, key, at: path, required: required) else { return nil }
        let arrayPath = Self.path(path, key)
        var result: [String] = []
        for (index, element) in array.enumerated() {
            if let string = element as? String {
                result.append(string)
            } else {
                record(Self.path(arrayPath, index), .wrongType(expected: "string", found: Self.typeName(element)))
            }
        }
        return result
    }

    /// Records every key of `object` that is not in `known`, in sorted order so the problem
    /// list is stable from run to run.
    mutating func checkKeys(_ object: [String: Any], known: Set<String>, at path: String) {
        for key in object.keys.sorted() where !known.contains(key) {
            record(Self.path(path, key), .unknownKey)
        }
    }
}

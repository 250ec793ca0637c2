import Foundation

/// What a parse builds, and what it refuses.
protocol JSONTreeKind {
    associatedtype Value
    associatedtype Object
    static var null: Value { get }
    static func bool(_ value: Bool) -> Value
    static func string(_ value: String) -> Value
    /// The number written as `text` (valid JSON number syntax); nil refuses the document.
    static func number(_ text: String, integral: Bool) -> Value?
    static func array(_ items: [Value]) -> Value
    static func emptyObject() -> Object
    /// Adds a member; false refuses the document.
    static func insert(_ key: String, _ value: Value, into object: inout Object) -> Bool
    static func object(_ object: Object) -> Value
    /// Whether a `\uD800`-style escape with no partner reads as U+FFFD (else it refuses the document).
    static var acceptsLoneSurrogates: Bool { get }
}

/// `JSONValue`s: the last of repeated keys wins.
enum JSONValueTree: JSONTreeKind {
    static let null = JSONValue.null
    static func bool(_ value: Bool) -> JSONValue { .bool(value) }
    static func string(_ value: String) -> JSONValue { .string(value) }
    static func number(_ text: String, integral: Bool) -> JSONValue? { Double(text).map(JSONValue.number) }
    static func array(_ items: [JSONValue]) -> JSONValue { .array(items) }
    static func emptyObject() -> [String: JSONValue] { [:] }
    static func insert(_ key: String, _ value: JSONValue, into object: inout [String: JSONValue]) -> Bool {
        object[key] = value
        return true
    }
    static func object(_ object: [String: JSONValue]) -> JSONValue { .object(object) }
    static let acceptsLoneSurrogates = true
}

/// The types `JSONSerialization` returns: `[String: Any]`, `[Any]`, `String`, `NSNumber` (booleans
/// as Foundation boxes them) and `NSNull`.
enum FoundationJSONTree: JSONTreeKind {
    static var null: Any { NSNull() }
    static func bool(_ value: Bool) -> Any { NSNumber(value: value) }
    static func string(_ value: String) -> Any { value }
    static func number(_ text: String, integral: Bool) -> Any? {
        guard JSONPrescan.representable(text) else { return nil }
        if integral { return Int64(text).map { NSNumber(value: $0) } }
        return Double(text).map { NSNumber(value: $0) }
    }
    static func array(_ items: [Any]) -> Any { items }
    static func emptyObject() -> [String: Any] { [:] }
    static func insert(_ key: String, _ value: Any, into object: inout [String: Any]) -> Bool {
        object.updateValue(value, forKey: key) == nil
    }
    static func object(_ object: [String: Any]) -> Any { object }
    static let acceptsLoneSurrogates = false
}

import Foundation
import Testing
@testable import TrustAuditCore

@Suite("JSON text parser")
struct JSONTextParserTests {
    static let valid = [
        #"{}"#, #"[]"#, #"null"#, #"true"#, #"false"#, #"0"#, #"-0"#, #"12"#, #"-3.25e2"#, #"1E+2"#, #"0.5"#,
        #""plain""#, #""esc \" \\ \/ \b \f \n \r \t""#, #""\u00e9\u2028\uD83D\uDE00""#, #""ü → 😀""#,
        #"{"a": [1, 2, {"b": null}], "c": "d", "e": {"f": true}}"#,
        " \n\t{ \"spaced\" : [ 1 , 2 ] } \r\n",
        #"{"dup": 1, "dup": 2}"#,
        #"[[[[[[[[[[1]]]]]]]]]]"#,
    ]
    static let invalid = [
        "", " ", "{", "[", "[1,]", "{\"a\":1,}", "{a:1}", "{\"a\" 1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul",
        "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"raw\ncontrol\"", "[1] 2", "{} x", "'single'", "NaN",
    ]

    @Test("valid documents parse to what Foundation's JSONSerialization reads", arguments: valid)
    func matchesFoundation(text: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(JSONTextParser.parse(text) == JSONValue(foundation: object))
    }

    @Test("invalid documents are refused", arguments: invalid)
    func refusesInvalid(text: String) {
        #expect(JSONTextParser.parse(text) == nil)
    }

    /// A Foundation tree spelled with each value's type, so a tree holding a string where
    /// `JSONSerialization` holds a number, or 1 where it holds `true`, reads differently.
    static func spelled(_ value: Any) -> String {
        switch value {
        case let object as [String: Any]:
            return "{" + object.sorted { $0.key < $1.key }.map { "\($0.key)=\(spelled($0.value))" }.joined(separator: ",") + "}"
        case let array as [Any]: return "[" + array.map(spelled).joined(separator: ",") + "]"
        case let number as NSNumber:
            return "\(JSONTreeReader.typeName(number)):\(number.doubleValue):\((value as? Int).map(String.init) ?? "-")"
        default: return "\(JSONTreeReader.typeName(value)):\(value)"
        }
    }

    static let exports = valid.filter { !$0.contains("dup") } + [
        #"{"max": 9223372036854775807, "min": -9223372036854775808, "small": 1.5e-3, "zero": -0, "large": 1e300, "one": 1.0}"#,
        #"{"nested": {"list": [true, false, null, "x", 0, {}]}, "empty": [], "é": "\u00e9"}"#,
    ]

    @Test("exports parse to the tree JSONSerialization builds, types included", arguments: exports)
    func foundationTreeMatchesFoundation(text: String) throws {
        let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        let parsed = JSONTextParser.foundationTree(Data(text.utf8))
        #expect(parsed.map(Self.spelled) == Self.spelled(foundation))
    }

    static let refusedExports = invalid + [
        #"{"dup": 1, "dup": 2}"#, #"{"a": {"b": 1, "b": 1}}"#, "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
        #""\uD800""#, #"{"k": "\uDC00x"}"#, "\u{FEFF}{}",
    ]

    /// Each of these is read the slower way (`JSONDocument.parse`), which reports a repeated key,
    /// hands on an unrepresentable number as text, or locates the syntax error.
    @Test("exports holding what Foundation's tree cannot say as written are left to the slower reading", arguments: refusedExports)
    func foundationTreeRefuses(text: String) {
        #expect(JSONTextParser.foundationTree(Data(text.utf8)) == nil)
    }

    /// Ingestion decodes settings documents on the system's worker threads, whose stacks are
    /// much smaller than the main thread's: the deepest document the reader accepts must fit.
    @Test("the deepest export the reader accepts is read on a worker thread, and a deeper one refused there")
    func depthOnWorkerThreads() throws {
        let limit = JSONTextParser.maximumDepth
        let documents = [
            String(repeating: "{\"k\":[", count: limit / 2) + "1" + String(repeating: "]}", count: limit / 2),
            String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1),
        ]
        let onWorker = BackgroundTask { documents.map { JSONTextParser.foundationTree(Data($0.utf8)) != nil } }
        let parsed = try onWorker.take()
        #expect(parsed == [true, false])
    }

    @Test("key paths quote keys that are not plain letters, digits, `_` or `-`, in any script")
    func keyPaths() {
        let paths = ["plain_key-1", "with space", "a.b", "é", "环境", "quote\"", ""].map { JSONTreeReader.path("root", $0) }
        #expect(paths == ["root.plain_key-1", #"root["with space"]"#, #"root["a.b"]"#, "root.é", "root.环境", #"root["quote\""]"#, #"root[""]"#])
        #expect(JSONTreeReader.path("", "top") == "top")
        #expect(JSONTreeReader.path("list", 3) == "list[3]")
    }

    @Test("escapes decode to the characters they name; a lone surrogate becomes U+FFFD")
    func escapes() {
        #expect(JSONTextParser.parse(#""a\u0041\n\uD83D\uDE00""#) == .string("aA\n😀"))
        #expect(JSONTextParser.parse(#""x\uD800y""#) == .string("x\u{FFFD}y"))
        #expect(JSONTextParser.parse(#"{"k\"ey": "v"}"#) == .object(["k\"ey": .string("v")]))
    }

    @Test("nesting deeper than the limit is refused without exhausting the stack")
    func depthLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONTextParser.parse(deep) == nil)
        let limit = JSONTextParser.maximumDepth
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(JSONTextParser.parse(atLimit) != nil)
    }

    @Test("what jsonText writes reads back as the same value, escapes included")
    func roundTrip() {
        let value = JSONValue.object([
            "quote\"": .string("back\\slash \u{2028} line\u{2029} tab\t nul\u{0} é 😀"),
            "list": .array([.number(1), .number(-2.5), .bool(false), .null]),
        ])
        #expect(JSONTextParser.parse(value.jsonText) == value)
        #expect(JSONValue.string("plain text").jsonText == "\"plain text\"")
        #expect(JSONValue.string("a\u{2028}b").jsonText == "\"a\\u2028b\"")
        #expect(JSONValue.string("q\"b\\s\n\r\t\u{1}\u{1F}\u{2029}é😀 end").jsonText
            == #""q\"b\\s\n\r\t\u0001\u001f\u2029é😀 end""#)
    }
}

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

import Foundation
import Testing
@testable import TrustAuditCore

@Suite("JSON documents (parsing and writing bytes)")
struct JSONDocumentTests {
    @Test("write sorts keys at every level and leaves slashes alone, so equal content gives equal bytes")
    func deterministicWriting() throws {
        let first = JSONDocument.write(["b": 1, "a": ["y": true, "x": "a/b"]] as [String: Any])
        let second = JSONDocument.write(["a": ["x": "a/b", "y": true], "b": 1] as [String: Any])
        #expect(first == second)
        let text = String(decoding: first, as: UTF8.self)
        #expect(!text.contains("\\/"))
        let keys = ["\"a\"", "\"x\"", "\"y\"", "\"b\""].compactMap { text.range(of: $0)?.lowerBound }
        #expect(keys.count == 4 && keys == keys.sorted(), "\(text)")
        let parsed = try JSONDocument.parse(first) as? [String: Any]
        #expect(parsed?["b"] as? Int == 1)
    }

    @Test("parse accepts any value at the top level and locates a syntax error by line and column")
    func located() throws {
        #expect(try JSONDocument.parse(Data("\"text\"".utf8)) as? String == "text")
        #expect(throws: JSONSyntaxFailure(line: 3, column: 26, detail: "Invalid value around character 52.")) {
            try JSONDocument.parse(Data("{\n  \"server\": \"https://x\",\n  \"users\": { \"Items\": [1,, 2] }\n}".utf8))
        }
    }

    @Test("the reader types values the same whether Foundation parsed them or code built them, and never reads a string as a number")
    func typedAlike() throws {
        let text = #"{"n": 5, "b": true, "z": null, "s": "5", "t": "true", "a": [], "o": {}}"#
        let parsed = try #require(try JSONDocument.parse(Data(text.utf8)) as? [String: Any])
        let built: [String: Any] = ["n": 5, "b": true, "z": NSNull(), "s": "5", "t": "true", "a": [Any](), "o": [String: Any]()]
        for object in [parsed, built] {
            var reader = JSONTreeReader(file: "x.json")
            #expect(reader.int(object, "n", at: "") == 5)
            #expect(reader.bool(object, "b", at: "") == true)
            #expect(reader.int(object, "z", at: "", required: true) == nil)
            #expect(reader.int(object, "s", at: "") == nil)
            #expect(reader.bool(object, "t", at: "") == nil)
            #expect(reader.int(object, "b", at: "") == nil)
            #expect(reader.bool(object, "n", at: "") == nil)
            #expect(reader.problems.map(\.path) == ["z", "s", "t", "b", "n"])
            let names = ["n", "b", "z", "s", "a", "o"].map { object[$0].map(JSONTreeReader.typeName) }
            #expect(names == ["number", "boolean", "null", "string", "array", "object"])
        }
    }

    @Test("parsing with a reader records repeated keys and hands on numbers no Double holds as text")
    func prescanned() throws {
        var reader = JSONTreeReader(file: "x.json")
        let tree = try JSONDocument.parse(Data(#"{"a": 1, "a": 2, "big": 1e400}"#.utf8), reader: &reader) as? [String: Any]
        #expect(tree?["big"] as? String == "1e400")
        #expect(reader.problems.map(\.path) == ["a"])
    }
}

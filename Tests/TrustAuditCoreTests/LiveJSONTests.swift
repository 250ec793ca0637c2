import Foundation
import Testing
@testable import TrustAuditCore

/// Numbers in API answers: counts and ids the GraphQL collector compares and stores.
@Suite("Live API numbers")
struct LiveJSONTests {
    static let body = Data(#"{"count": 3, "big": 9007199254740993, "whole": 4.0, "yes": true, "no": false, "half": 2.5, "text": "5", "none": null, "huge": 1e300}"#.utf8)

    @Test("an integer is read; a boolean, fraction, string, null or out-of-range number is not an integer")
    func integers() throws {
        let object = try #require(try JSONDocument.parse(Self.body) as? [String: Any])
        #expect(LiveJSON.int(object["count"]) == 3)
        #expect(LiveJSON.int(object["big"]) == 9_007_199_254_740_993)
        #expect(LiveJSON.int(object["whole"]) == 4)
        for key in ["yes", "no", "half", "text", "none", "huge", "absent"] {
            #expect(LiveJSON.int(object[key]) == nil, "\(key)")
        }
    }

    @Test("an export's integers are read the same way, and a wrong type is a problem naming the path")
    func exportIntegers() throws {
        let object = try #require(try JSONDocument.parse(Self.body) as? [String: Any])
        var reader = JSONTreeReader(file: "settings.json")
        #expect(reader.int(object, "big", at: "") == 9_007_199_254_740_993)
        #expect(reader.int(object, "whole", at: "") == 4)
        #expect(reader.problems.isEmpty)
        #expect(reader.int(object, "yes", at: "") == nil)
        #expect(reader.int(object, "half", at: "") == nil)
        #expect(reader.problems.count == 2)
    }

    @Test("a GraphQL total given as true does not pass for a count of one")
    func booleanTotal() throws {
        let object = try #require(try JSONDocument.parse(Data(#"{"totalCount": true, "nodes": [{}]}"#.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [Any])
        #expect(LiveJSON.int(object["totalCount"]) != nodes.count)
    }
}

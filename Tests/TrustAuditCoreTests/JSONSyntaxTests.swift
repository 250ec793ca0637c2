import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Evidence is copied into reports as stored; the check must accept every JSON text the writer
/// produces and refuse anything that would make a report malformed.
@Suite("JSON syntax check")
struct JSONSyntaxTests {
    static let valid = [
        "{}", "[]", "0", "-0.5e+10", "1E3", "\"\"", "true", "false", "null", " { \"a\" : [ 1 , 2 ] } ",
        "{\"a\":{\"b\":[{\"c\":null}]},\"d\":\"\\u00e9\\n\\\"\\\\\\/\\b\\f\\r\\t\"}", "\"é → \u{2028}\"",
    ]
    static let malformed = [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12G4\"", "\"tab\there\"", "{} {}", "[1]]", "{\"a\":1}}", "[}", "{]", "NaN",
    ]

    @Test("accepts well-formed JSON and refuses malformed text, as the parser does")
    func agreesWithParser() {
        for text in Self.valid {
            #expect(JSONSyntax.isValid(text), "\(text)")
            #expect(JSONValue.parse(text) != nil, "\(text)")
        }
        for text in Self.malformed {
            #expect(!JSONSyntax.isValid(text), "\(text)")
            #expect(JSONValue.parse(text) == nil, "\(text)")
        }
    }

    @Test("accepts what the writer produces for any value")
    func acceptsWrittenValues() {
        let values: [JSONValue] = [
            .object(["subject": .string("repo:acme/*:ref:refs/heads/\"main\"\n"), "count": .number(3), "ratio": .number(0.25),
                     "big": .number(1e300), "list": .array([.null, .bool(false), .object([:]), .array([])])]),
            .string("\u{0}\u{1F}\u{2029}"), .number(-1), .array([.string("a"), .number(1e-7)]),
        ]
        for value in values {
            #expect(JSONSyntax.isValid(value.jsonText), "\(value.jsonText)")
        }
    }

    @Test("nesting deeper than the limit is refused without exhausting the stack")
    func deepNesting() {
        let depth = JSONSyntax.maxDepth
        #expect(JSONSyntax.isValid(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        #expect(!JSONSyntax.isValid(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)))
        #expect(!JSONSyntax.isValid(String(repeating: "[", count: 1_000_000)))
    }

    @Test("a finding whose stored evidence is not JSON loads with empty evidence, and the JSON report stays well-formed")
    func damagedEvidence() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            try database.pool.write { db in
                try db.execute(sql: "INSERT INTO scans (id, started_at, status, tool_version) VALUES (1, 'now', 'complete', 'test')")
                try FindingStore.insert([
                    Finding(fingerprint: "f1", policy: "p", severity: .high, category: .hygiene, title: "t", message: "m",
                            evidence: .object(["server": .string("https://octo.example")])),
                    Finding(fingerprint: "f2", policy: "p", severity: .low, category: .hygiene, title: "t", message: "m",
                            evidence: .object(["k": .number(1)])),
                ], errors: [], scanID: 1, db: db)
                try db.execute(sql: "UPDATE findings SET evidence_json = '{\"k\":1,' WHERE fingerprint = 'f2'")
            }
            let findings = try database.pool.read { db in try FindingStore.load(scanID: 1, db: db) }
            #expect(findings.map(\.evidenceJSON) == ["{\"server\":\"https://octo.example\"}", "{}"])
            #expect(findings.first?.evidence == .object(["server": .string("https://octo.example")]))
            let report = JSONReport.render(scan: ScanSummary(id: 1, startedAt: "now", finishedAt: nil, label: nil), findings: findings)
            #expect(JSONValue.parse(report) != nil)
        }
    }
}

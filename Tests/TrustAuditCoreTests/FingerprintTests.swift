import Testing
@testable import TrustAuditCore

@Suite("Finding fingerprints")
struct FingerprintTests {
    private let withoutLines = JSONValue.object([
        "repositories": .array([.string("acme/api"), .string("acme/web")]),
        "server": .string("https://acme.octopus.app"), "nested": .object(["ref": .string("v1"), "count": .number(2)]),
    ])
    private let withLines = JSONValue.object([
        "uses": .string("actions/checkout@v4"), "line": .number(12),
        "steps": .array([.object(["name": .string("login"), "step_line": .number(30)]), .object(["lines": .array([.number(1)])])]),
    ])

    @Test("a fingerprint made with the evidence's text is the one made from the evidence, with or without line keys")
    func textShortcutAgrees() {
        for evidence in [withoutLines, withLines, .object([:]), .string("not json")] {
            let full = Fingerprint.compute(policy: "p", repository: "acme/api", file: "f.yml", resource: "jobs.a", evidence: evidence)
            let quick = Fingerprint.compute(policy: "p", repository: "acme/api", file: "f.yml", resource: "jobs.a", evidence: evidence,
                                            text: evidence.jsonText)
            #expect(full == quick, "\(evidence.jsonText)")
        }
        #expect(!Fingerprint.hasLineKeys(withoutLines))
        #expect(Fingerprint.hasLineKeys(withLines))
    }

    @Test("line numbers anywhere in the evidence do not change the fingerprint; other values do")
    func linesIgnored() {
        func fingerprint(_ evidence: JSONValue) -> String {
            Fingerprint.compute(policy: "p", repository: "acme/api", file: "f.yml", resource: nil, evidence: evidence, text: evidence.jsonText)
        }
        let moved = JSONValue.object([
            "uses": .string("actions/checkout@v4"), "line": .number(40),
            "steps": .array([.object(["name": .string("login"), "step_line": .number(90)]), .object(["lines": .array([.number(7)])])]),
        ])
        #expect(fingerprint(withLines) == fingerprint(moved))
        let otherAction = JSONValue.object(["uses": .string("actions/checkout@v3"), "line": .number(12)])
        #expect(fingerprint(otherAction) != fingerprint(.object(["uses": .string("actions/checkout@v4"), "line": .number(12)])))
    }
}

import Foundation
import Testing
@testable import TrustAuditCore

@Suite("JSON report")
struct JSONReportTests {
    @Test("the streamed report is byte for byte what the whole document serializes to, and parses back")
    func streamedEqualsTree() throws {
        let findings = [
            Finding(fingerprint: "a1", policy: "oidc-action-unpinned", severity: .high, category: .leastPrivilege, title: "Pin it",
                    message: "Step uses \"x\" → tag\nnext line \u{2028}", resource: "jobs.deploy.steps[0]", repository: "acme/api",
                    file: ".github/workflows/deploy.yml", line: 12, job: "deploy",
                    evidence: .object(["ref": .string("v1"), "list": .array([.number(1), .bool(true), .null])])),
            Finding(fingerprint: "b2", policy: "service-account-shared", severity: .medium, category: .subjectScoping, title: "Shared",
                    message: "plain", serviceAccount: "gh-deploy (e1)", waived: true, waiverReason: "config: accepted"),
        ]
        let scan = ScanSummary(id: 42, startedAt: "2026-11-27T00:00:00Z", finishedAt: nil, label: "nightly \"1\"")
        let coverage = [CoverageNote(kind: "workflows", document: "acme/api", detail: ".github/workflows/x.yml: not read: no permission", unreadable: false)]
        let errors = [PolicyRunError(policy: "acme-slow", source: "policies/acme-slow.yml", message: "stopped")]
        let text = JSONReport.render(scan: scan, findings: findings, coverage: coverage, policyErrors: errors)
        let counts = ScanSummary.counts(findings)
        let tree = JSONValue.object([
            "coverage": .array([
                .object(["kind": .string("policy"), "document": .string("policies/acme-slow.yml"), "status": .string("not run"),
                         "detail": .string("policy acme-slow: stopped")]),
                .object(["kind": .string("workflows"), "document": .string("acme/api"), "status": .string("problem"),
                         "detail": .string(".github/workflows/x.yml: not read: no permission")]),
            ]),
            "tool": .object(["name": .string("trustaudit"), "version": .string(ToolVersion.current)]),
            "scan": .object(["id": .number(42), "started_at": .string(scan.startedAt), "finished_at": .null, "label": .string("nightly \"1\"")]),
            "summary": .object(Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, JSONValue.number(Double(counts[$0] ?? 0))) })),
            "findings": .array(findings.map(JSONReport.object)),
        ])
        #expect(text == tree.jsonText + "\n")
        #expect(JSONValue.parse(text) == tree)
        #expect(JSONReport.render(scan: scan, findings: []).hasPrefix("{\"coverage\":[],\"findings\":[],\"scan\":"))
    }

    @Test("a report of many findings is handed over in pieces that join to the whole document")
    func manyFindingsInPieces() throws {
        // More findings than one round of parallel parts, so several rounds are joined.
        let count = JSONReport.renderChunk * 2 * ProcessInfo.processInfo.activeProcessorCount + 17
        let findings = (0..<count).map { index in
            Finding(fingerprint: "f\(index)", policy: "permissions-undeclared", severity: index % 3 == 0 ? .high : .low,
                    category: .leastPrivilege, title: "t", message: "finding \(index)", repository: "acme/r\(index % 97)",
                    line: index, evidence: .object(["index": .number(Double(index))]))
        }
        let scan = ScanSummary(id: 7, startedAt: "2026-11-30T00:00:00Z", finishedAt: "2026-11-30T00:01:00Z", label: nil)
        var pieces: [[UInt8]] = []
        JSONReport.write(scan: scan, findings: findings) { pieces.append($0) }
        #expect(pieces.count > 3)
        let joined = String(decoding: pieces.joined(), as: UTF8.self)
        let parsed = try #require(JSONValue.parse(joined))
        guard case .object(let document) = parsed, case .array(let listed)? = document["findings"] else {
            Issue.record("not a findings document")
            return
        }
        #expect(listed == findings.map(JSONReport.object))
        #expect(joined == JSONReport.render(scan: scan, findings: findings))
    }
}

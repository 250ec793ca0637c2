import Testing
@testable import TrustAuditCore

/// Findings are stored and reported in `Finding.reportOrder`; the fast sort must give exactly
/// that order, ties, missing places and names beyond ASCII included.
@Suite struct ReportOrderTests {
    @Test func sortsExactlyAsReportOrder() {
        var generator = SystemRandomNumberGenerator()
        let repositories: [String?] = [nil, "", "acme/api", "acme/API", "acme/Ärger", "acme/e\u{301}", "acme/\u{e9}", "zeta/x"]
        let files: [String?] = [nil, ".github/workflows/a.yml", ".github/workflows/b.yml", ".github/workflows/ü.yml"]
        let lines: [Int?] = [nil, 0, 1, 7, 40]
        let policies = ["oidc-artipacked", "id-token-unused", "environment-any-branch"]
        let findings = (0..<3_000).map { number in
            Finding(fingerprint: String(number * 7919 % 3_001, radix: 16), policy: policies.randomElement(using: &generator) ?? "",
                    severity: Severity.allCases.randomElement(using: &generator) ?? .info, category: .hygiene, title: "t", message: "m",
                    repository: repositories.randomElement(using: &generator) ?? nil, file: files.randomElement(using: &generator) ?? nil,
                    line: lines.randomElement(using: &generator) ?? nil)
        }
        let expected = findings.sorted(by: Finding.reportOrder).map(\.fingerprint)
        var sorted = findings
        Finding.sortInReportOrder(&sorted)
        #expect(sorted.map(\.fingerprint) == expected)
        #expect(sorted == findings.sorted(by: Finding.reportOrder))
        var empty: [Finding] = []
        Finding.sortInReportOrder(&empty)
        #expect(empty.isEmpty)
    }
}

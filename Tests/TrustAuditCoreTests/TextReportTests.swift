import Testing
@testable import TrustAuditCore

@Suite("Text report")
struct TextReportTests {
    static func finding(message: String, file: String = ".github/workflows/ci.yml") -> Finding {
        Finding(fingerprint: "f-\(message.hashValue)", policy: "permissions-undeclared", severity: .medium, category: .leastPrivilege,
                title: "t", message: message, repository: "acme/api", file: file, line: 3, job: "build")
    }

    @Test("terminal control characters from workflows are replaced; other text, non-ASCII included, is kept")
    func controlCharactersSanitized() {
        let hostile = Self.finding(message: "job \u{1B}[2Jname\u{7F} with \u{9B}31m CSI and bell\u{07}", file: "evil\u{1B}]0;title\u{07}.yml")
        let clean = Self.finding(message: "Umlaut ä, arrow →, ellipsis …, no-break\u{A0}space, tab\there")
        let text = TextReport.render(scan: ScanSummary(id: 1, startedAt: "s", finishedAt: nil, label: nil),
                                     findings: [hostile, clean], policyErrors: [], useColor: false)
        let checked1 = !text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x7F || $0.value == 0x9B || $0.value == 0x07 }
        #expect(checked1)
        #expect(text.contains("job ?[2Jname? with ?31m CSI and bell?"))
        #expect(text.contains("acme/api/evil?]0;title?.yml:3 [job build]"))
        #expect(text.contains("Umlaut ä, arrow →, ellipsis …, no-break\u{A0}space, tab\there"))
    }

    @Test("findings are grouped by severity with counts, and the summary line counts them")
    func grouping() {
        var high = Self.finding(message: "high one")
        high.severity = .high
        let text = TextReport.render(scan: ScanSummary(id: 7, startedAt: "s", finishedAt: nil, label: "nightly"),
                                     findings: [Self.finding(message: "medium one"), high], policyErrors: [], useColor: false)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "HIGH (1)")
        #expect(lines.contains("MEDIUM (1)"))
        #expect(lines.firstIndex(of: "HIGH (1)")! < lines.firstIndex(of: "MEDIUM (1)")!)
        #expect(lines.last == "Scan 7 (nightly): 2 findings (0 critical, 1 high, 1 medium, 0 low, 0 info)")
    }
}

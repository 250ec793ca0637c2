import Testing
@testable import TrustAuditCore

struct SuppressionScannerTests {
    @Test func ownLineAndTrailing() {
        let text = """
            # trustaudit: ignore[id-token-workflow-level] deploys need it
            permissions:
              id-token: write # trustaudit: ignore[a,  b ,c]
            """
        #expect(SuppressionScanner.scan(text) == [
            SuppressionFact(line: 1, policy: "id-token-workflow-level", reason: "deploys need it"),
            SuppressionFact(line: 3, policy: "a", reason: nil),
            SuppressionFact(line: 3, policy: "b", reason: nil),
            SuppressionFact(line: 3, policy: "c", reason: nil),
        ])
    }

    @Test func crlfLinesAreCounted() {
        let text = "a: 1\r\nb: 2\r\n# trustaudit: ignore[p] why \r\n"
        #expect(SuppressionScanner.scan(text) == [SuppressionFact(line: 3, policy: "p", reason: "why")])
    }

    @Test func hashInsideAValueBeforeTheComment() {
        let text = "run: echo \"#1\" # trustaudit: ignore[p] ok"
        #expect(SuppressionScanner.scan(text) == [SuppressionFact(line: 1, policy: "p", reason: "ok")])
    }

    @Test func notASuppression() {
        let text = """
            trustaudit: ignore[p] without a hash
            # trustaudit: ignore[p unclosed
            # trustaudit: ignore[] nothing
            # trustaudit ignore[p] no colon
            """
        #expect(SuppressionScanner.scan(text) == [])
    }

    @Test func unicodeReason() {
        #expect(SuppressionScanner.scan("x: 1 # trustaudit: ignore[p] équipe 🚀") == [SuppressionFact(line: 1, policy: "p", reason: "équipe 🚀")])
    }

    @Test func lastLineWithoutNewline() {
        #expect(SuppressionScanner.scan("\n\n#trustaudit: ignore[q]").map(\.line) == [3])
    }
}

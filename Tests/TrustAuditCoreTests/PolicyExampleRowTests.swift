import Foundation
import Testing
@testable import TrustAuditCore

/// Examples that list their findings fail when the right number of findings comes from the wrong
/// rows, which a count alone cannot see.
@Suite("Policy examples that name their findings")
struct PolicyExampleRowTests {
    static func policy(expect: String) -> String {
        """
        id: demo-write-all
        title: write-all
        severity: high
        category: least-privilege
        description: d
        remediation: r
        references: [https://example.com]
        query: |
          SELECT 'jobs.' || job AS resource, repository, file, job, line, 'Job `' || job || '` grants write-all.' AS message
          FROM jobs WHERE permissions_kind = 'write-all'
        examples:
          - name: one of two jobs
            workflows:
              acme/app/.github/workflows/release.yml: |
                on: push
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    permissions: { contents: read }
                    steps: [{ run: make test }]
                  release:
                    runs-on: ubuntu-latest
                    permissions: write-all
                    steps: [{ run: make release }]
            expect: \(expect)
          - name: none
            workflows:
              acme/app/.github/workflows/ci.yml: |
                on: push
                jobs: { build: { runs-on: ubuntu-latest, permissions: { contents: read }, steps: [{ run: make }] } }
            expect: 0
        """
    }

    @Test("the right row passes; the right count from the wrong row fails and says which row was missing")
    func rowsAreCompared() throws {
        let right = try PolicyLoader.parse(text: Self.policy(expect: "[{job: release, message_contains: write-all}]"), source: "demo-write-all.yml")
        #expect(right.examples[0].expect == 1)
        let results = PolicyTester.run(right)
        let checked1 = results.count == 2 && results.allSatisfy { $0.passed }
        #expect(checked1)

        let wrong = try PolicyLoader.parse(text: Self.policy(expect: "[{job: test}]"), source: "demo-write-all.yml")
        let result = try #require(PolicyTester.run(wrong).first)
        #expect(result.actual == 1 && result.expected == 1)
        #expect(!result.passed)
        #expect(result.failure?.contains("no finding matches {job: test}") == true)
    }

    @Test("two rows cannot both claim one finding; a loose row yields to a strict one")
    func rowsPairOneToOne() {
        func finding(_ job: String) -> Finding {
            Finding(fingerprint: job, policy: "p", severity: .high, category: .hygiene, title: "t", message: "m", job: job)
        }
        let findings = [finding("a"), finding("b")]
        #expect(PolicyExampleRow.unmatched([PolicyExampleRow(), PolicyExampleRow(job: "a")], in: findings).isEmpty)
        #expect(PolicyExampleRow.unmatched([PolicyExampleRow(job: "a"), PolicyExampleRow(job: "a")], in: findings) == [PolicyExampleRow(job: "a")])
    }

    @Test("a malformed expect entry is refused with the file and the key")
    func malformedEntries() {
        #expect(throws: PolicyLoadError.self) { try PolicyLoader.parse(text: Self.policy(expect: "[{jobb: release}]"), source: "demo-write-all.yml") }
        #expect(throws: PolicyLoadError.self) { try PolicyLoader.parse(text: Self.policy(expect: "[{severity: huge}]"), source: "demo-write-all.yml") }
        #expect(throws: PolicyLoadError.self) { try PolicyLoader.parse(text: Self.policy(expect: "[release]"), source: "demo-write-all.yml") }
        do {
            _ = try PolicyLoader.parse(text: Self.policy(expect: "[{jobb: release}]"), source: "demo-write-all.yml")
        } catch {
            #expect("\(error)".contains("demo-write-all.yml") && "\(error)".contains("`jobb`"))
        }
    }
}

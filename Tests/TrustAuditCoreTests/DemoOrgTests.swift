import Foundation
import Testing
@testable import TrustAuditCore

/// The bundled demo organization, `Examples/acme`, is what the README's first command scans.
/// Its findings are pinned here so the demo keeps showing what the README says it shows.
@Suite("Demo org Examples/acme")
struct DemoOrgTests {
    static let expected: Set<String> = [
        "oidc-dangerous-trigger acme/preview-bot .github/workflows/preview.yml:8",
        "id-token-workflow-level acme/billing .github/workflows/ci-cd.yml:6",
        "id-token-unused acme/billing .github/workflows/ci-cd.yml:5",
        "octopus-login-without-environment acme/billing .github/workflows/ci-cd.yml:17",
        "octopus-login-without-environment acme/legacy-portal .github/workflows/release.yml:8",
        "octopus-login-without-environment acme/preview-bot .github/workflows/preview.yml:8",
        "octopus-login-missing-id-token acme/legacy-portal .github/workflows/deploy-oidc.yml:11",
        "octopus-api-key-in-workflow acme/legacy-portal .github/workflows/release.yml:14",
        "octopus-api-key-in-workflow acme/legacy-portal .github/workflows/release.yml:18",
        "permissions-write-all acme/web .github/workflows/deploy.yml:6",
        "oidc-action-unpinned acme/web .github/workflows/deploy.yml:18",
        "oidc-action-unpinned acme/web .github/workflows/deploy.yml:22",
        "permissions-undeclared acme/docs .github/workflows/linkcheck.yml:7",
        "id-token-unused acme/docs .github/workflows/pages.yml:8",
        "workflow-unparseable acme/mobile .github/workflows/release.yml:13",
    ]
    static let expectedWaived: Set<String> = [
        "oidc-action-unpinned acme/infra .github/workflows/drift.yml:17",
    ]

    func scanDemo() throws -> ScanOutcome {
        let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme")
        return try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            return try TestSupport.scan([demo], database: database, policies: PolicyLoader.builtIn().policies)
        }
    }

    @Test("every repository of the demo org is discovered and named acme/<folder>")
    func repositories() throws {
        let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme")
        let found = try RepositoryDiscovery.discover(paths: [demo.path], owner: nil).map(\.fullName)
        #expect(found == ["acme/api", "acme/billing", "acme/docs", "acme/infra", "acme/legacy-portal",
                          "acme/mobile", "acme/preview-bot", "acme/web"])
    }

    @Test("the demo scan reports exactly the expected findings, and the waived one as waived")
    func findings() throws {
        let outcome = try scanDemo()
        #expect(outcome.policyErrors.isEmpty, "policy errors: \(outcome.policyErrors)")
        let active = Set(outcome.findings.filter { !$0.waived }.map(TestSupport.key))
        let waived = Set(outcome.findings.filter(\.waived).map(TestSupport.key))
        #expect(active.subtracting(Self.expected).isEmpty, "unexpected: \(active.subtracting(Self.expected).sorted())")
        #expect(Self.expected.subtracting(active).isEmpty, "missing: \(Self.expected.subtracting(active).sorted())")
        #expect(waived == Self.expectedWaived)
        #expect(outcome.findings.count == Self.expected.count + Self.expectedWaived.count, "a finding is duplicated")
        #expect(outcome.repositories == 8)

        let suppression = try #require(outcome.findings.first { $0.waived })
        #expect(suppression.waiverReason?.contains("INFRA-231") == true)

        let unparseable = try #require(outcome.findings.first { $0.policy == "workflow-unparseable" })
        #expect(unparseable.message.contains("invalid YAML"))
    }

    /// The workflow-only policies; those that need GitHub settings or Octopus exports are shown
    /// by scans that add `--github-settings`/`--octopus`.
    static let workflowPolicies = ["id-token-unused", "id-token-workflow-level", "octopus-api-key-in-workflow",
                                   "octopus-login-missing-id-token", "octopus-login-without-environment", "oidc-action-unpinned",
                                   "oidc-dangerous-trigger", "permissions-undeclared", "permissions-write-all", "workflow-unparseable"]

    @Test("every workflow policy fires somewhere in the demo org")
    func everyPolicyShown() throws {
        let outcome = try scanDemo()
        let fired = Set(outcome.findings.map(\.policy))
        let builtIn = Set(PolicyLoader.builtIn().policies.map(\.id))
        for id in Self.workflowPolicies {
            #expect(builtIn.contains(id), "\(id) is no longer a built-in policy")
            #expect(fired.contains(id), "\(id) has no finding in Examples/acme")
        }
    }

    @Test("the clean repository acme/api has no finding at or above medium")
    func cleanRepository() throws {
        let outcome = try scanDemo()
        let api = outcome.findings.filter { $0.repository == "acme/api" }
        #expect(api.filter { $0.severity >= .medium }.isEmpty, "\(api.map(TestSupport.key))")
        #expect(api.isEmpty)
    }

    @Test("severity counts match what the README describes")
    func severities() throws {
        let counts = ScanSummary.counts(try scanDemo().findings)
        #expect(counts[.critical] == 1)
        #expect(counts[.high] == 10)
        #expect(counts[.medium] == 4)
        #expect(counts[.low] == 0)
        #expect(counts[.info] == 0)
    }
}

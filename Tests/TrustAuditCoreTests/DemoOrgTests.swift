import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// The bundled demo organization, `Examples/acme`, is what the README's first command scans.
/// Its findings are pinned here so the demo keeps showing what the README says it shows.
@Suite("Demo org Examples/acme")
struct DemoOrgTests {
    static let expected: Set<String> = [
        "environment-admin-bypass acme/docs .github/workflows/pages.yml:21",
        "environment-admin-bypass acme/infra .github/workflows/release.yml:22",
        "environment-any-branch acme/infra .github/workflows/release.yml:13",
        "environment-any-branch acme/web .github/workflows/deploy.yml:10",
        "environment-no-reviewers acme/docs .github/workflows/pages.yml:21",
        "environment-no-reviewers acme/infra .github/workflows/release.yml:13",
        "environment-no-reviewers acme/web .github/workflows/deploy.yml:10",
        "environment-self-review acme/infra .github/workflows/release.yml:22",
        "environment-undefined acme/legacy-portal .github/workflows/deploy-oidc.yml:9",
        "id-token-unused acme/billing .github/workflows/ci-cd.yml:5",
        "id-token-unused acme/docs .github/workflows/pages.yml:8",
        "id-token-workflow-level acme/billing .github/workflows/ci-cd.yml:6",
        "identity-audience-foreign acme/infra -:- @gh-infra",
        "identity-issuer-untrusted - -:- @gh-mobile-gitlab",
        "identity-orphaned acme/legacy-portal -:- @gh-deploy-legacy",
        "identity-orphaned acme/web -:- @gh-deploy-web",
        "identity-subject-not-environment - -:- @gh-deploy-billing",
        "identity-subject-not-environment - -:- @gh-platform-shared",
        "identity-subject-not-environment acme/web -:- @gh-deploy-web",
        "identity-subject-pull-request - -:- @gh-deploy-billing",
        "identity-subject-pull-request - -:- @gh-platform-shared",
        "identity-subject-pull-request acme/preview-bot -:- @gh-preview",
        "identity-subject-pull-request acme/preview-bot .github/workflows/preview.yml:8 @gh-platform-shared",
        "identity-subject-pull-request acme/preview-bot .github/workflows/preview.yml:8 @gh-preview",
        "identity-subject-repo-prefix acme/billing -:- @gh-deploy-billing",
        "identity-subject-wildcard-any - -:- @gh-platform-shared",
        "identity-unknown-repository acme/payments-v1 -:- @gh-payments-v1",
        "octopus-api-key-in-workflow acme/legacy-portal .github/workflows/release.yml:14",
        "octopus-api-key-in-workflow acme/legacy-portal .github/workflows/release.yml:18",
        "octopus-login-missing-id-token acme/legacy-portal .github/workflows/deploy-oidc.yml:11",
        "octopus-login-no-matching-identity acme/web .github/workflows/deploy.yml:18 @gh-deploy-web",
        "octopus-login-without-environment acme/billing .github/workflows/chatops.yml:8",
        "octopus-login-without-environment acme/billing .github/workflows/ci-cd.yml:17",
        "octopus-login-without-environment acme/legacy-portal .github/workflows/release.yml:8",
        "octopus-login-without-environment acme/preview-bot .github/workflows/preview.yml:8",
        "oidc-action-unpinned acme/web .github/workflows/deploy.yml:18",
        "oidc-action-unpinned acme/web .github/workflows/deploy.yml:22",
        "oidc-artipacked acme/billing .github/workflows/ci-cd.yml:12",
        "oidc-artipacked acme/docs .github/workflows/pages.yml:13",
        "oidc-artipacked acme/infra .github/workflows/drift.yml:15",
        "oidc-artipacked acme/legacy-portal .github/workflows/release.yml:11",
        "oidc-artipacked acme/preview-bot .github/workflows/preview.yml:15",
        "oidc-artipacked acme/web .github/workflows/deploy.yml:12",
        "oidc-cache-poisoning acme/billing .github/workflows/ci-cd.yml:13",
        "oidc-cache-poisoning acme/web .github/workflows/deploy.yml:13",
        "oidc-secrets-inherit acme/infra .github/workflows/release.yml:13",
        "oidc-secrets-inherit acme/infra .github/workflows/release.yml:22",
        "oidc-dangerous-trigger acme/billing .github/workflows/chatops.yml:8",
        "oidc-dangerous-trigger acme/preview-bot .github/workflows/preview.yml:8",
        "oidc-template-injection acme/billing .github/workflows/chatops.yml:16",
        "oidc-template-injection acme/preview-bot .github/workflows/preview.yml:19",
        "oidc-untrusted-checkout acme/preview-bot .github/workflows/preview.yml:15",
        "permissions-undeclared acme/docs .github/workflows/linkcheck.yml:7",
        "permissions-write-all acme/web .github/workflows/deploy.yml:6",
        "service-account-api-keys - -:- @gh-deploy-billing",
        "service-account-api-keys - -:- @gh-deploy-legacy",
        "service-account-overprivileged - -:- @gh-platform-shared",
        "service-account-reachable-by-outsiders - -:- @gh-deploy-billing",
        "service-account-reachable-by-outsiders - -:- @gh-platform-shared",
        "service-account-reachable-by-outsiders - -:- @gh-preview",
        "service-account-reachable-by-writers - -:- @gh-deploy-legacy",
        "service-account-reachable-by-writers - -:- @gh-payments-v1",
        "service-account-shared - -:- @gh-platform-shared",
        "subject-template-without-repository acme/mobile -:-",
        "workflow-unparseable acme/mobile .github/workflows/release.yml:13",
    ]
    static let expectedWaived: Set<String> = [
        "oidc-action-unpinned acme/infra .github/workflows/drift.yml:17",
    ]

    /// Scans the demo as `trustaudit scan Examples/acme` does: with the exports kept in
    /// `Examples/acme/exports/` (GitHub settings and the Octopus identities that trust the repositories).
    func scanDemo() throws -> ScanOutcome {
        try scanDemo { _, outcome in outcome }
    }

    /// The demo scanned into a database that lives while `body` runs.
    func scanDemo<T>(_ body: (AuditDatabase, ScanOutcome) throws -> T) throws -> T {
        let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme")
        let exports = ExportDiscovery.find(under: [demo.path])
        #expect(exports.githubSettings.count == 1 && exports.octopus.count == 1, "Examples/acme/exports is missing")
        return try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let plan = ScanPlan(paths: [demo.path], policies: PolicyLoader.builtIn().policies)
            return try body(database, try plan.run(database: database))
        }
    }

    /// A first scan evaluates the policies that read only workflow facts while the settings are
    /// ingested and the trust graph derived (`EarlyPolicyEvaluation`); what they find must be
    /// exactly what every policy finds on the finished snapshot, repository settings included.
    @Test("policies run beside the stages find what a full evaluation of the stored scan finds")
    func earlyEvaluationMatchesFullEvaluation() throws {
        try scanDemo { database, outcome in
            let evaluatedEarly = outcome.timings.contains { $0.phase == "early evaluate" }
            #expect(evaluatedEarly, "a first scan evaluates some policies early")
            let full = PolicyEngine.evaluate(database: database, scanID: outcome.scanID, policies: PolicyLoader.builtIn().policies,
                                             settings: PolicySettings())
            #expect(full.errors.isEmpty)
            func spelled(_ finding: Finding) -> String {
                "\(finding.fingerprint) \(finding.severity.rawValue) \(finding.line.map(String.init) ?? "-") \(finding.message) \(finding.evidenceJSON)"
            }
            let scanned = Set(outcome.findings.map(spelled))
            let evaluated = Set(full.findings.map(spelled))
            #expect(scanned.subtracting(evaluated).isEmpty && evaluated.subtracting(scanned).isEmpty,
                    "only in the scan: \(scanned.subtracting(evaluated).sorted().prefix(3)); only evaluated: \(evaluated.subtracting(scanned).sorted().prefix(3))")
            // Its message says the repository's default, which ingestion fills in after the snapshot is stored.
            let saysDefault = outcome.findings.contains { $0.policy == "permissions-undeclared" && $0.message.contains("repository default (read)") }
            #expect(saysDefault)
        }
    }

    /// The derivation run as a stage of its own, without what the scan shares with its stages:
    /// it reads every workflow itself, on the writer.
    private struct DerivationReadingItself: ScanStage {
        let name = "derive"
        let signature = TrustGraphStage().signature
        func run(_ db: Database, scanID: Int64) throws {
            try TrustGraphStage().run(db, scanID: scanID)
        }
    }

    /// Every derived row of the latest scan, spelled, table by table.
    private func derivedRows(_ database: AuditDatabase) throws -> [String: [String]] {
        let tables = ["trust_graph", "deployable_by", "repository_reach", "service_account_reach", "job_environments", "credential_jobs"]
        return try database.read(snapshot: nil) { db in
            try AuditDatabase.showing(db, snapshot: try Int64.fetchOne(db, sql: "SELECT max(id) FROM scans")) {
                try Dictionary(uniqueKeysWithValues: tables.map { table in
                    (table, try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map(\.description).sorted())
                })
            }
        }
    }

    /// A first scan reads the workflows on a reader while the settings are ingested
    /// (`DerivationPrefetch`); the graph must be the one the derivation reads for itself.
    @Test("a trust graph derived from workflows read beside ingestion is the one derived from its own read")
    func prefetchedWorkflowsDeriveTheSameGraph() throws {
        let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme")
        let plan = ScanPlan(paths: [demo.path], policies: PolicyLoader.builtIn().policies)
        let inputs = try plan.readInputs()
        let (prefetched, own) = try TestSupport.withTemporaryDirectory { directory in
            let first = try TestSupport.openDatabase(in: directory, name: "prefetched.db")
            _ = try ScanPipeline(database: first).run(plan.request(inputs))
            let second = try TestSupport.openDatabase(in: directory, name: "own.db")
            var request = plan.request(inputs)
            request.stages = request.stages.map { $0 is TrustGraphStage ? DerivationReadingItself() : $0 }
            _ = try ScanPipeline(database: second).run(request)
            return (try derivedRows(first), try derivedRows(second))
        }
        let edges = prefetched["trust_graph"]?.count ?? 0
        #expect(edges > 10, "the demo's graph has edges")
        for (table, rows) in prefetched {
            let ownRows = own[table] ?? []
            let same = rows == ownRows
            #expect(same, "\(table) differs: \(Set(rows).symmetricDifference(ownRows).sorted().prefix(2))")
        }
    }

    @Test("the HTML trust section leads with the accounts anyone, readers or writers can obtain, in that order")
    func htmlTrustSectionLeadsWithExposedAccounts() throws {
        let html = try scanDemo { database, _ in
            AuditHTMLReport.render(try AuditReportData.load(database: database, scanID: nil, policies: PolicyLoader.builtIn().policies))
        }
        let required1 = html.range(of: "<section id=\"trust\">").map { html[$0.lowerBound...] }
        let section = try #require(required1)
        let trust = String(section[..<(section.range(of: "</section>")?.upperBound ?? section.endIndex)])
        let required2 = trust.range(of: "<div class=\"alert\">").map { trust[$0.lowerBound...] }
        let alert = try #require(required2)
        let listed = String(alert[..<(alert.range(of: "</div>")?.lowerBound ?? alert.endIndex)])
        for account in ["gh-preview", "gh-deploy-billing", "gh-deploy-legacy"] {
            #expect(listed.contains("<strong>\(account)</strong>"), "\(account) is reachable without review but not listed first")
        }
        #expect(!listed.contains("<strong>gh-infra</strong>") && !listed.contains("<strong>gh-deploy-api</strong>"),
                "accounts behind a review or an approval are not in the alert")
        // Account groups are ordered by level: every `anyone` before every `read`, and so on.
        let levels = trust.components(separatedBy: "<details class=\"group\"").dropFirst().compactMap { group -> ReachLevel? in
            guard let tag = group.range(of: "reachable by ") else { return nil }
            return ReachLevel(word: String(group[tag.upperBound...].prefix { $0.isLetter }))
        }
        #expect(Set(levels) == Set(ReachLevel.allCases), "the demo has an account at each level: \(levels)")
        #expect(levels == levels.sorted(), "\(levels)")
        #expect(trust.contains("<th>Reachable by</th>"))
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

        let required3 = outcome.findings.first { $0.waived }
        let suppression = try #require(required3)
        #expect(suppression.waiverReason?.contains("INFRA-231") == true)

        let required4 = outcome.findings.first { $0.policy == "workflow-unparseable" }
        let unparseable = try #require(required4)
        #expect(unparseable.message.contains("invalid YAML"))
    }

    /// Built-in policies the demo does not show; every other one fires somewhere in it, so the
    /// README's first command demonstrates the whole rule set.
    static let notShown: Set<String> = ["environment-dynamic", "oidc-github-env"]

    @Test("every built-in policy but the listed ones fires somewhere in the demo org")
    func everyPolicyShown() throws {
        let outcome = try scanDemo()
        let fired = Set(outcome.findings.map(\.policy))
        for policy in PolicyLoader.builtIn().policies where !Self.notShown.contains(policy.id) {
            #expect(fired.contains(policy.id), "\(policy.id) has no finding in Examples/acme")
        }
        #expect(fired.isDisjoint(with: Self.notShown), "a policy listed as not shown now fires: update notShown")
    }

    @Test("the clean repository acme/api has no finding at or above medium")
    func cleanRepository() throws {
        let outcome = try scanDemo()
        let api = outcome.findings.filter { $0.repository == "acme/api" }
        let checked5 = api.filter { $0.severity >= .medium }.isEmpty
        #expect(checked5, "\(api.map(TestSupport.key))")
        #expect(api.isEmpty)
    }

    @Test("severity counts match what the README describes")
    func severities() throws {
        let counts = ScanSummary.counts(try scanDemo().findings)
        #expect(counts[.critical] == 12)
        #expect(counts[.high] == 25)
        #expect(counts[.medium] == 24)
        #expect(counts[.low] == 4)
        #expect(counts[.info] == 0)
    }
}

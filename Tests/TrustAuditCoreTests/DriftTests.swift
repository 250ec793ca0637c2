import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Drift between two stored scans: findings by fingerprint, configuration changes with before and
/// after, coverage, and the JSON (contract) and Markdown renderings.
@Suite("Drift between scans")
struct DriftTests {
    /// Policies whose findings these tests rely on; others' new policies do not change the counts.
    static func policies(_ extra: [Policy] = []) -> [Policy] {
        TestSupport.builtInPolicies().filter { ["permissions-write-all", "oidc-action-unpinned"].contains($0.id) } + extra
    }

    static func customPolicy(id: String, query: String) throws -> Policy {
        try PolicyLoader.parse(text: """
            id: \(id)
            title: Drift test policy \(id)
            severity: medium
            category: hygiene
            description: A policy written by a drift test.
            remediation: None.
            query: |
            \(query.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            examples:
              - name: fires
                workflows:
                  acme/app/.github/workflows/ci.yml: "on: push\\njobs: {}\\n"
                expect: 1
              - name: silent
                workflows: {}
                expect: 0

            """, source: "\(id).yml")
    }

    @Test("findings are introduced, resolved or persisting by fingerprint, even when a line moves")
    func findingsByFingerprint() throws {
        try TestSupport.withTemporaryDirectory { root in
            let fixture = try HistoryFixture(root: root)
            try fixture.write(writeAllWorkflow, "api", "release.yml")   // persisting (its line moves)
            try fixture.write(writeAllWorkflow, "web", "ci.yml")        // resolved
            try fixture.write(cleanWorkflow, "docs", "ci.yml")          // introduced
            let first = try fixture.scan(policies: Self.policies())

            try fixture.write("# moved down\n\n" + writeAllWorkflow, "api", "release.yml")
            try fixture.write(cleanWorkflow, "web", "ci.yml")
            try fixture.write(writeAllWorkflow, "docs", "ci.yml")
            let second = try fixture.scan(policies: Self.policies())

            let drift = try fixture.drift(from: first.scanID, to: second.scanID)
            #expect(drift.from.id == first.scanID)
            #expect(drift.to.id == second.scanID)
            #expect(drift.introduced.map(\.repository) == ["acme/docs"])
            #expect(drift.resolved.map(\.repository) == ["acme/web"])
            #expect(drift.persisting.map(\.repository) == ["acme/api"])
            #expect(drift.persisting.first?.line == 4, "persisting findings are shown as the later scan has them")
            #expect(drift.notCovered.isEmpty)
            let required1 = second.findings.first { $0.repository == "acme/docs" }
            let introduced = try #require(required1)
            #expect(drift.introduced.first?.fingerprint == introduced.fingerprint)

            // Unchanged rescan: nothing introduced or resolved, everything persists.
            let third = try fixture.scan(policies: Self.policies())
            let unchanged = try fixture.drift(from: second.scanID, to: third.scanID)
            #expect(unchanged.introduced.isEmpty)
            #expect(unchanged.resolved.isEmpty)
            #expect(unchanged.changes.isEmpty)
            #expect(Set(unchanged.persisting.map(\.fingerprint)) == Set(second.findings.map(\.fingerprint)))
        }
    }

    @Test("a repository missing from one side is not covered, and its findings are neither resolved nor introduced")
    func missingRepository() throws {
        try TestSupport.withTemporaryDirectory { root in
            let fixture = try HistoryFixture(root: root)
            try fixture.write(writeAllWorkflow, "api", "ci.yml")
            try fixture.write(writeAllWorkflow, "legacy", "ci.yml")
            try fixture.write(HistoryFixture.deployWorkflow(checkoutRef: "v4"), "legacy", "deploy.yml")
            let first = try fixture.scan(policies: Self.policies())

            try fixture.remove("legacy")
            try fixture.write(writeAllWorkflow, "fresh", "ci.yml")
            let second = try fixture.scan(policies: Self.policies())

            let drift = try fixture.drift(from: first.scanID, to: second.scanID)
            let missing = drift.notCovered.map { "\($0.kind) \($0.name)" }
            #expect(missing.sorted() == ["repository acme/fresh", "repository acme/legacy"])
            let checked2 = drift.notCovered.allSatisfy { !$0.reason.isEmpty }
            #expect(checked2)
            #expect(drift.resolved.isEmpty, "\(drift.resolved.map(TestSupport.key))")
            #expect(drift.introduced.isEmpty, "\(drift.introduced.map(TestSupport.key))")
            #expect(drift.persisting.map(\.repository) == ["acme/api"])
            let checked3 = !drift.changes.contains { $0.repository == "acme/legacy" || $0.repository == "acme/fresh" }
            #expect(checked3, "\(drift.changes.map(\.kind))")
        }
    }

    @Test("an Octopus instance missing from one side is not covered; its identities, edges and findings do not drift")
    func missingOctopusInstance() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            fixture.octopus["other.json"] = HistoryFixture.octopus(server: "https://other.octopus.app",
                                                                   externalID: "7f3c2d8b-2a4e-4d66-8b1f-3c8d2e0f9a21")
            let identityPolicy = try Self.customPolicy(id: "drift-test-identity", query: """
                SELECT 'octopus:' || server || ':' || identity_id AS resource, 'identity ' || subject AS message
                FROM oidc_identities
                """)
            let first = try fixture.scan(policies: Self.policies([identityPolicy]))
            let checked4 = first.findings.filter { $0.policy == "drift-test-identity" }.count == 2
            #expect(checked4)

            fixture.octopus["other.json"] = nil
            let second = try fixture.scan(policies: Self.policies([identityPolicy]))
            let drift = try fixture.drift(from: first.scanID, to: second.scanID)
            let checked5 = drift.notCovered.map { "\($0.kind) \($0.name)" } == ["octopus https://other.octopus.app"]
            #expect(checked5)
            #expect(drift.resolved.isEmpty, "\(drift.resolved.map(\.message))")
            #expect(drift.introduced.isEmpty)
            let checked6 = drift.persisting.filter { $0.policy == "drift-test-identity" }.map(\.message) == ["identity repo:acme/api:environment:Production"]
            #expect(checked6)
            #expect(drift.changes.isEmpty, "\(drift.changes)")
        }
    }

    @Test("configuration changes are reported with before and after")
    func configurationChanges() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            try fixture.write(Self.job(permissions: ["contents: write", "id-token: write"]), "api", "ci.yml")
            try fixture.write(Self.job(permissions: ["contents: read"]), "api", "release.yml")
            let first = try fixture.scan(policies: Self.policies())

            // deploy.yml: contents read → write, checkout SHA → tag. ci.yml: loses id-token, contents narrowed.
            // release.yml: gains id-token. Production loses its reviewer. The deploy identity's subject
            // moves to Staging (its edge goes), and a new identity accepts release.yml's main-branch token.
            try fixture.write(HistoryFixture.deployWorkflow(checkoutRef: "v4", contents: "write"), "api", "deploy.yml")
            try fixture.write(Self.job(permissions: ["contents: read"]), "api", "ci.yml")
            try fixture.write(Self.job(permissions: ["contents: read", "id-token: write"]), "api", "release.yml")
            fixture.settings["api.json"] = HistoryFixture.settings(reviewers: false)
            fixture.octopus["acme.json"] = HistoryFixture.octopus(subject: "repo:acme/api:environment:Staging",
                                                                   extraSubjects: ["repo:acme/api:ref:refs/heads/main"])
            let second = try fixture.scan(policies: Self.policies())
            let changes = try fixture.drift(from: first.scanID, to: second.scanID).changes

            func change(_ kind: String, file: String? = nil, subject: String) -> DriftReport.Change? {
                changes.first { $0.kind == kind && (file == nil || $0.file == ".github/workflows/\(file!)") && $0.subject.contains(subject) }
            }
            let all = changes.map { "\($0.kind) \($0.file ?? "-") \($0.subject): \($0.before ?? "nil") → \($0.after ?? "nil")" }.joined(separator: "\n")

            let widened = change("permission-widened", file: "deploy.yml", subject: "jobs.deploy.permissions.contents")
            #expect(widened?.repository == "acme/api", "\(all)")
            #expect(widened?.before == "read")
            #expect(widened?.after == "write")

            let narrowed = change("permission-narrowed", file: "ci.yml", subject: "contents")
            #expect(narrowed?.before == "write", "\(all)")
            #expect(narrowed?.after == "read")

            let lost = change("id-token-lost", file: "ci.yml", subject: "jobs.build")
            #expect(lost?.before == "write", "\(all)")
            #expect(lost?.after == "none")

            let gained = change("id-token-gained", file: "release.yml", subject: "jobs.build")
            #expect(gained?.before == "none", "\(all)")
            #expect(gained?.after == "write")

            let unpinned = change("action-pin-unpinned", file: "deploy.yml", subject: "actions/checkout")
            #expect(unpinned?.before == "sha", "\(all)")
            #expect(unpinned?.after == "tag")
            #expect(change("action-pin-unpinned", subject: "octopusdeploy/login") == nil, "the login action stayed pinned")

            let reviewers = change("environment-reviewers-removed", subject: "Production")
            #expect(reviewers?.repository == "acme/api", "\(all)")
            #expect(reviewers?.before == "1")
            #expect(reviewers?.after == "0")

            let identity = change("identity-changed", subject: "ServiceAccountOidcIdentitys-5")
            #expect(identity?.before?.contains("repo:acme/api:environment:Production") == true, "\(all)")
            #expect(identity?.after?.contains("repo:acme/api:environment:Staging") == true)
            #expect(change("identity-added", subject: "ServiceAccountOidcIdentitys-6") != nil, "\(all)")

            let edgeRemoved = change("trust-edge-removed", file: "deploy.yml", subject: "jobs.deploy")
            #expect(edgeRemoved?.before == "in use", "\(all)")
            #expect(edgeRemoved?.after == nil)
            let edgeAdded = change("trust-edge-added", file: "release.yml", subject: "jobs.build")
            #expect(edgeAdded?.before == nil, "\(all)")
            #expect(edgeAdded?.after == "possible")

            // The account was reachable only through the reviewed Production environment; now its
            // identity accepts Staging, which the repository never defined, so any writer reaches it.
            let lowered = changes.first { $0.kind == "reachable-by-lowered" }
            #expect(lowered?.subject.hasPrefix("service account ") == true, "\(all)")
            #expect(lowered?.subject.contains("Optional(") == false, "the account's name is printed as a Swift optional: \(all)")
            #expect(lowered?.after == "write", "\(all)")
            let checked7 = (lowered?.before).flatMap(ReachLevel.init(word:)).map { $0 > .write } == true
            #expect(checked7, "\(all)")

            // And the reverse direction reports the opposite changes.
            let back = try fixture.drift(from: second.scanID, to: first.scanID).changes
            let checked8 = back.contains { $0.kind == "reachable-by-raised" && $0.before == "write" }
            #expect(checked8, "\(back)")
            let checked9 = back.contains { $0.kind == "action-pin-pinned" && $0.subject.contains("actions/checkout") }
            #expect(checked9)
            let checked10 = back.contains { $0.kind == "environment-reviewers-added" && $0.before == "0" && $0.after == "1" }
            #expect(checked10)
            let checked11 = back.contains { $0.kind == "id-token-gained" && $0.file == ".github/workflows/ci.yml" }
            #expect(checked11)
            let checked12 = back.contains { $0.kind == "permission-narrowed" && $0.file == ".github/workflows/deploy.yml" }
            #expect(checked12)
        }
    }

    static func job(permissions: [String]) -> String {
        """
        on:
          push:
            branches: [main]
        jobs:
          build:
            runs-on: ubuntu-latest
            permissions:
        \(permissions.map { "      " + $0 }.joined(separator: "\n"))
            steps:
              - run: make

        """
    }

    @Test("the JSON rendering has exactly the contract's keys, and findings in the README's JSON contract shape")
    func jsonContract() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            try fixture.write(writeAllWorkflow, "legacy", "ci.yml")
            let first = try fixture.scan(policies: Self.policies(), label: "nightly-1")
            try fixture.write(HistoryFixture.deployWorkflow(checkoutRef: "v4"), "api", "deploy.yml")
            try fixture.write(cleanWorkflow, "web", "ci.yml")
            try fixture.remove("legacy")
            let second = try fixture.scan(policies: Self.policies())
            let drift = try fixture.drift(from: first.scanID, to: second.scanID)

            let document = try #require(try JSONSerialization.jsonObject(with: Data(drift.renderJSON().utf8)) as? [String: Any])
            #expect(Set(document.keys) == ["from", "to", "introduced", "resolved", "persisting", "changes", "not_covered"])
            let from = try #require(document["from"] as? [String: Any])
            #expect(Set(from.keys) == ["id", "started_at", "finished_at", "label"])
            #expect(from["id"] as? Int == Int(first.scanID))
            #expect(from["label"] as? String == "nightly-1")
            let to = try #require(document["to"] as? [String: Any])
            #expect(to["id"] as? Int == Int(second.scanID))
            #expect(to["label"] is NSNull)

            let findingKeys: Set<String> = ["fingerprint", "policy", "severity", "category", "title", "message", "repository",
                                            "file", "line", "job", "service_account", "evidence", "waived"]
            let introduced = try #require(document["introduced"] as? [[String: Any]])
            let resolved = try #require(document["resolved"] as? [[String: Any]])
            let persisting = try #require(document["persisting"] as? [[String: Any]])
            #expect(introduced.count == 1)
            #expect(introduced.first?["policy"] as? String == "oidc-action-unpinned")
            let checked13 = resolved.map { $0["repository"] as? String } == ["acme/web"]
            #expect(checked13)
            for finding in introduced + resolved + persisting {
                #expect(Set(finding.keys) == findingKeys, "\(finding)")
                #expect(finding["waived"] is Bool)
                #expect(finding["evidence"] is [String: Any])
            }

            let changes = try #require(document["changes"] as? [[String: Any]])
            #expect(!changes.isEmpty)
            for change in changes {
                #expect(Set(change.keys) == ["kind", "repository", "file", "subject", "before", "after"], "\(change)")
            }
            let checked14 = changes.contains { $0["kind"] as? String == "action-pin-unpinned" && $0["before"] as? String == "sha" && $0["after"] as? String == "tag" }
            #expect(checked14)

            let notCovered = try #require(document["not_covered"] as? [[String: Any]])
            #expect(notCovered.count == 1)
            for item in notCovered {
                #expect(Set(item.keys) == ["kind", "name", "reason"])
            }
            #expect(notCovered.first?["name"] as? String == "acme/legacy")
        }
    }

    @Test("Markdown escapes pipes, backticks and HTML that come from scanned files")
    func markdownEscaping() throws {
        try TestSupport.withTemporaryDirectory { root in
            let fixture = try HistoryFixture(root: root)
            let namePolicy = try Self.customPolicy(id: "drift-test-job-name", query: """
                SELECT 'jobs.' || job AS resource, repository, file, job, line, 'Job named ' || name AS message
                FROM jobs WHERE name IS NOT NULL
                """)
            try fixture.write(cleanWorkflow, "api", "ci.yml")
            let first = try fixture.scan(policies: [namePolicy])
            try fixture.write("""
                on: push
                jobs:
                  evil:
                    name: "a | b `rm -rf` <script>alert(1)</script>"
                    runs-on: ubuntu-latest
                    steps:
                      - run: make

                """, "api", "evil.yml")
            let second = try fixture.scan(policies: [namePolicy])
            let drift = try fixture.drift(from: first.scanID, to: second.scanID)
            #expect(drift.introduced.count == 1)

            let markdown = drift.renderMarkdown()
            #expect(!markdown.contains("<script>"))
            #expect(markdown.contains("\\<script\\>"))
            #expect(markdown.contains("\\`rm -rf\\`"))
            #expect(markdown.contains("a \\| b"))
            let required15 = markdown.split(separator: "\n").first { $0.contains("drift-test-job-name") }
            let row = try #require(required15)
            // Four columns: five pipes that are not escaped.
            var unescaped = 0
            var previous: Character = " "
            for character in row {
                if character == "|" && previous != "\\" { unescaped += 1 }
                previous = character
            }
            #expect(unescaped == 5, "\(row)")
            #expect(markdown.hasPrefix("## trustaudit drift: scan \(first.scanID) → scan \(second.scanID)"))
        }
    }
}

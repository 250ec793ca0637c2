import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// The trust graph through a real scan: exports on disk, a real database, the built-in policies.
@Suite("Trust graph in a scan")
struct TrustGraphScanTests {
    static let deploy = """
        on:
          push:
            branches: [main]
          workflow_dispatch:
        jobs:
          deploy:
            runs-on: ubuntu-latest
            environment: Production
            permissions:
              id-token: write
            steps:
              - uses: OctopusDeploy/login@0123456789abcdef0123456789abcdef01234567
                with:
                  server: https://acme.octopus.app
                  service_account_id: 6e2b1c7a-4f1d-4c3b-9a57-2d8e0f6b1a01
          test:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: make test
        """

    static func octopus(subjects: [String], audience: String? = nil) -> String {
        let identities = subjects.enumerated().map { index, subject in
            """
            { "Id": "ServiceAccountOidcIdentitys-\(index + 1)", "Name": "identity \(index + 1)", "ServiceAccountId": "Users-1",
              "Issuer": "https://token.actions.githubusercontent.com", "Subject": "\(subject)",
              "Audience": \(audience.map { "\"\($0)\"" } ?? "null") }
            """
        }.joined(separator: ",")
        return """
            { "server": "https://acme.octopus.app",
              "users": { "Items": [ { "Id": "Users-1", "Username": "gh-api", "IsService": true, "IsActive": true } ], "TotalResults": 1 },
              "oidc_identities": { "Users-1": { "Count": \(subjects.count), "ExternalId": "6e2b1c7a-4f1d-4c3b-9a57-2d8e0f6b1a01",
                                                "OidcIdentities": [\(identities)] } } }
            """
    }

    func scan(_ directory: URL, settings: [String: String], octopus: [String: String]) throws -> (AuditDatabase, ScanOutcome) {
        try TestSupport.write(Self.deploy, to: "repos/acme/api/.github/workflows/deploy.yml", in: directory)
        for (name, text) in settings { try TestSupport.write(text, to: "settings/\(name)", in: directory) }
        for (name, text) in octopus { try TestSupport.write(text, to: "octopus/\(name)", in: directory) }
        let database = try TestSupport.openDatabase(in: directory)
        let plan = ScanPlan(
            paths: [directory.appendingPathComponent("repos/acme").path],
            githubSettings: settings.isEmpty ? [] : [directory.appendingPathComponent("settings").path],
            octopus: octopus.isEmpty ? [] : [directory.appendingPathComponent("octopus").path], policies: PolicyLoader.builtIn().policies)
        return (database, try plan.run(database: database))
    }

    func edges(_ database: AuditDatabase, scan: Int64) throws -> [Row] {
        try database.read(snapshot: scan) { db in
            try Row.fetchAll(db, sql: "SELECT * FROM trust_graph ORDER BY job, trigger, identity_id")
        }
    }

    @Test("an environment-scoped identity is reachable only from the job in that environment, and is in use")
    func environmentScoped() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let (database, outcome) = try scan(directory, settings: [:],
                                               octopus: ["acme.json": Self.octopus(subjects: ["repo:acme/api:environment:Production"])])
            let rows = try edges(database, scan: outcome.scanID)
            let checked1 = Set(rows.map { $0["job"] as String }) == ["deploy"]
            #expect(checked1)
            let checked2 = Set(rows.map { $0["trigger"] as String }) == ["push", "workflow_dispatch"]
            #expect(checked2)
            let checked3 = rows.allSatisfy { ($0["status"] as String) == "in use" && ($0["match_kind"] as String) == "exact" }
            #expect(checked3)
            let checked4 = rows.allSatisfy { ($0["gate"] as String).contains("environments not collected") }
            #expect(checked4)
        }
    }

    @Test("a wildcard identity is reachable from every token-minting job, as a possible path, and is reported")
    func wildcard() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let (database, outcome) = try scan(directory, settings: [:], octopus: ["acme.json": Self.octopus(subjects: ["repo:acme/*"])])
            let rows = try edges(database, scan: outcome.scanID)
            let checked5 = Set(rows.map { $0["job"] as String }) == ["deploy", "test"]
            #expect(checked5)
            let test = rows.filter { ($0["job"] as String) == "test" }
            let checked6 = test.allSatisfy { ($0["status"] as String) == "possible" && ($0["gate"] as String).hasPrefix("none") }
            #expect(checked6)
            // workflow_dispatch runs on any branch: the test job's subject is a pattern that overlaps.
            let checked7 = test.contains { ($0["match_kind"] as String) == "overlap" }
            #expect(checked7)
            let checked8 = outcome.findings.contains { $0.policy == "identity-subject-wildcard-any" && $0.serviceAccount?.contains("gh-api") == true }
            #expect(checked8)
        }
    }

    @Test("the gate names the environment's protection from the settings")
    func gateFromSettings() throws {
        let settings = """
            { "repository": "acme/api", "default_branch": "main",
              "environments": { "total_count": 1, "environments": [ { "name": "production", "can_admins_bypass": false,
                "protection_rules": [ { "type": "required_reviewers", "prevent_self_review": true,
                                        "reviewers": [ { "type": "Team", "reviewer": { "slug": "release-managers" } } ] } ],
                "deployment_branch_policy": { "protected_branches": true, "custom_branch_policies": false } } ] } }
            """
        try TestSupport.withTemporaryDirectory { directory in
            let (database, outcome) = try scan(directory, settings: ["api.json": settings],
                                               octopus: ["acme.json": Self.octopus(subjects: ["repo:acme/api:environment:Production"])])
            let gates = Set(try edges(database, scan: outcome.scanID).map { $0["gate"] as String })
            #expect(gates == ["environment Production: 1 required reviewer (team release-managers), self-review prevented; protected branches only"])
            let checked9 = !outcome.findings.contains { $0.policy.hasPrefix("environment-") && $0.repository == "acme/api" }
            #expect(checked9)
        }
    }

    @Test("broken exports are recorded as coverage and the rest of the scan goes on")
    func brokenExports() throws {
        let good = Self.octopus(subjects: ["repo:acme/api:environment:Production"])
        let duplicate = Self.octopus(subjects: ["repo:acme/api:environment:Production", "repo:acme/api:ref:refs/heads/main"])
            .replacingOccurrences(of: "ServiceAccountOidcIdentitys-2", with: "ServiceAccountOidcIdentitys-1")
            .replacingOccurrences(of: "https://acme.octopus.app", with: "https://second.octopus.app")
        try TestSupport.withTemporaryDirectory { directory in
            let (database, outcome) = try scan(
                directory,
                settings: ["broken.json": "{ \"repository\": \"acme/api\", ", "list.json": "[1, 2]"],
                octopus: ["a.json": good, "b.json": duplicate])
            let notes = outcome.coverage
            let checked10 = notes.contains { $0.unreadable && $0.document.hasSuffix("broken.json") && $0.detail.contains("broken.json") }
            #expect(checked10)
            let checked11 = notes.contains { $0.unreadable && $0.document.hasSuffix("list.json") }
            #expect(checked11)
            let checked12 = notes.contains { !$0.unreadable && $0.detail.contains("ServiceAccountOidcIdentitys-1") }
            #expect(checked12)
            // The good export still produced the graph, and the workflow was still audited.
            let checked13 = try edges(database, scan: outcome.scanID).contains { ($0["server"] as String) == "https://acme.octopus.app" }
            #expect(checked13)
            let checked14 = outcome.findings.contains { $0.policy == "id-token-unused" && $0.job == "test" }
            #expect(checked14)
            let coverage = try database.read(snapshot: outcome.scanID) { db -> Int in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM coverage WHERE status != 'read'") ?? 0
            }
            #expect(coverage == notes.count)
        }
    }
}

@Suite("Databases trustaudit must not touch")
struct ForeignDatabaseTests {
    @Test("an SQLite database of another application is refused and left byte-for-byte untouched")
    func foreignDatabase() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("notes.db").path
            let other = try DatabaseQueue(path: path)
            try other.write { db in
                try db.execute(sql: "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')")
            }
            try other.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(throws: AuditDatabaseError.foreignDatabase(path: path)) {
                _ = try AuditDatabase.open(path: path)
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        }
    }
}

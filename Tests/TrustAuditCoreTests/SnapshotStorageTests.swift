import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Snapshots are immutable and content-addressed: an unchanged rescan shares the earlier scan's
/// rows, a changed file is parsed alone, and findings are re-evaluated exactly when something
/// that decides them (policy parameters, a waiver's expiry against today's date) changed.
@Suite("Snapshots and content-addressed storage")
struct SnapshotStorageTests {
    @Test("each read names the snapshot its views show: two readers of different snapshots at once each see their own")
    func readsAreScopedToOneSnapshot() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            try fixture.write(writeAllWorkflow, "web", "extra.yml")
            let second = try fixture.scan()
            #expect(second.scanID != first.scanID && !second.reusedSnapshot)
            let database = fixture.database
            let count = "SELECT COUNT(*) FROM workflows"
            let expected = [try database.count(count, snapshot: first.scanID), try database.count(count, snapshot: second.scanID)]
            let checked1 = expected[0].map { $0 + 1 } == expected[1]
            #expect(checked1, "\(expected)")
            // Interleaved on several reader connections: a process-wide "current scan" would let
            // one reader's choice leak into the other's answers.
            let seen = SeenCounts()
            DispatchQueue.concurrentPerform(iterations: 40) { index in
                let snapshot = index % 2 == 0 ? first.scanID : second.scanID
                let value = try? database.read(snapshot: snapshot) { db -> Int? in
                    Thread.sleep(forTimeInterval: 0.001)
                    return try Int.fetchOne(db, sql: count)
                }
                seen.record(index % 2, value ?? nil)
            }
            #expect(seen.values(0) == [expected[0]] && seen.values(1) == [expected[1]], "\(seen.values(0)) \(seen.values(1))")
            // Outside any scoped read, the views show nothing rather than some earlier choice.
            let checked2 = try database.pool.read { db in try Int.fetchOne(db, sql: count) } == 0
            #expect(checked2)
        }
    }

    /// Values seen per reader kind, from several threads.
    final class SeenCounts: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [Int: Set<Int?>] = [:]

        func record(_ kind: Int, _ value: Int?) { lock.withLock { _ = seen[kind, default: []].insert(value) } }
        func values(_ kind: Int) -> Set<Int?> { lock.withLock { seen[kind] ?? [] } }
    }

    @Test("an unchanged rescan reuses the snapshot and the findings and adds no per-scan rows")
    func unchangedRescan() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            #expect(!first.reusedSnapshot)
            #expect(first.parsedFiles == 4)
            #expect(!first.findings.isEmpty)
            let rowsBefore = try fixture.perScanRowCounts()
            #expect(rowsBefore["scan_repositories"] == 2)
            let checked3 = rowsBefore["trust_edges"].map { $0 > 0 } == true
            #expect(checked3, "the fixture must have a trust graph")
            let blobsBefore = try fixture.database.count("SELECT COUNT(*) FROM blobs")

            let second = try fixture.scan()
            #expect(second.scanID != first.scanID)
            #expect(second.reusedSnapshot)
            #expect(second.parsedFiles == 0)
            #expect(second.workflowFiles == first.workflowFiles)
            #expect(second.repositories == 2)
            #expect(second.findings.map(\.fingerprint).sorted() == first.findings.map(\.fingerprint).sorted())

            let row = try #require(try fixture.scanRow(second.scanID))
            #expect(row["status"] as String == "complete")
            #expect(row["data_scan_id"] as Int64? == first.scanID)
            #expect(row["findings_scan_id"] as Int64? == first.scanID)
            #expect(try fixture.perScanRowCounts() == rowsBefore, "an unchanged rescan must not copy per-scan rows")
            #expect(try fixture.database.count("SELECT COUNT(*) FROM blobs") == blobsBefore)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM scans") == 2)
        }
    }

    @Test("ten unchanged rescans grow the database by less than 5%")
    func growthOfUnchangedRescans() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            for index in 0..<30 {
                try fixture.write(index.isMultiple(of: 2) ? writeAllWorkflow : cleanWorkflow + "# repo \(index)\n", "svc\(index)", "ci.yml")
            }
            _ = try fixture.scan()
            let firstSize = try fixture.checkpointedSize()
            for _ in 0..<10 {
                let outcome = try fixture.scan()
                #expect(outcome.reusedSnapshot)
            }
            let finalSize = try fixture.checkpointedSize()
            let growth = Double(finalSize - firstSize) / Double(firstSize)
            #expect(growth < 0.05, "grew from \(firstSize) to \(finalSize) bytes (\(Int(growth * 100))%)")
            #expect(try fixture.database.count("SELECT COUNT(*) FROM scans WHERE status = 'complete'") == 11)
        }
    }

    @Test("changing one file makes a new snapshot that parses only that file and stores one new blob")
    func oneFileChanged() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            let blobs = try #require(try fixture.database.count("SELECT COUNT(*) FROM blobs"))
            let documents = try #require(try fixture.database.count("SELECT COUNT(*) FROM wf_documents"))

            try fixture.write(writeAllWorkflow + "# changed\n", "web", "ci.yml")
            let second = try fixture.scan()
            #expect(!second.reusedSnapshot)
            #expect(second.parsedFiles == 1)
            #expect(second.workflowFiles == first.workflowFiles)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM blobs") == blobs + 1)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM wf_documents") == documents + 1)
            let row = try #require(try fixture.scanRow(second.scanID))
            #expect(row["data_scan_id"] as Int64? == second.scanID)
            #expect(row["findings_scan_id"] as Int64? == second.scanID)
            // The new snapshot is complete: every file, the unchanged ones pointing at the old blobs.
            #expect(try fixture.database.count("SELECT COUNT(*) FROM scan_workflow_files WHERE scan_id = ?", [second.scanID]) == first.workflowFiles)
            #expect(try fixture.database.count("""
                SELECT COUNT(*) FROM scan_workflow_files a JOIN scan_workflow_files b ON a.path = b.path AND a.blob_hash = b.blob_hash
                WHERE a.scan_id = ? AND b.scan_id = ?
                """, [first.scanID, second.scanID]) == first.workflowFiles - 1)
            // The first snapshot is untouched.
            #expect(try FindingStoreReader.fingerprints(fixture.database, first.scanID) == first.findings.map(\.fingerprint).sorted())
        }
    }

    @Test("changing only a policy parameter reuses the snapshot and re-evaluates the findings")
    func policyParameterChanged() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg(checkoutRef: "v4")
            let first = try fixture.scan()
            let checked4 = first.findings.contains { $0.policy == "oidc-action-unpinned" && evidenceText($0, "uses") == "actions/checkout@v4" }
            #expect(checked4)

            let trusted = PolicySettings(overrides: ["oidc-action-unpinned": PolicyOverride(params: ["trusted_owners": .array([.string("actions")])])])
            let second = try fixture.scan(settings: trusted)
            #expect(second.reusedSnapshot)
            #expect(second.parsedFiles == 0)
            let row = try #require(try fixture.scanRow(second.scanID))
            #expect(row["data_scan_id"] as Int64? == first.scanID)
            #expect(row["findings_scan_id"] as Int64? == second.scanID, "new parameters must mean a new evaluation")
            let checked5 = !second.findings.contains { $0.policy == "oidc-action-unpinned" && evidenceText($0, "uses") == "actions/checkout@v4" }
            #expect(checked5)

            // The same parameters again: both the snapshot and the evaluation are reused.
            let third = try fixture.scan(settings: trusted)
            let thirdRow = try #require(try fixture.scanRow(third.scanID))
            #expect(thirdRow["data_scan_id"] as Int64? == first.scanID)
            #expect(thirdRow["findings_scan_id"] as Int64? == second.scanID)
            #expect(third.findings.map(\.fingerprint).sorted() == second.findings.map(\.fingerprint).sorted())

            // Back to the defaults: the first evaluation is reused, with its finding.
            let fourth = try fixture.scan()
            #expect(try fixture.scanRow(fourth.scanID)?["findings_scan_id"] as Int64? == first.scanID)
            #expect(fourth.findings.map(\.fingerprint).sorted() == first.findings.map(\.fingerprint).sorted())
        }
    }

    @Test("a waiver with an expiry date is re-evaluated when the date changes, and stops applying after it")
    func waiverExpiry() throws {
        // Named predicates rather than closures: this test's closures, written inside `#expect`
        // or hoisted out of it, crashed or misled this toolchain (see `TestSupport`).
        func webWriteAll(_ finding: Finding) -> Bool { finding.policy == "permissions-write-all" && finding.repository == "acme/web" }
        func expiryNotice(_ finding: Finding) -> Bool { finding.policy == "waiver-expired" }
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let waiver = Waiver(policy: "permissions-write-all", repository: "acme/web", reason: "legacy, SEC-1", expires: "2030-06-30")
            let settings = PolicySettings(waivers: [waiver])

            let before = try fixture.scan(settings: settings, today: "2030-06-01")
            let waived = try #require(before.findings.first(where: webWriteAll))
            #expect(waived.waived)
            #expect(!before.findings.contains(where: expiryNotice))

            let sameDay = try fixture.scan(settings: settings, today: "2030-06-01")
            #expect(try fixture.scanRow(sameDay.scanID)?["findings_scan_id"] as Int64? == before.scanID)

            let after = try fixture.scan(settings: settings, today: "2030-07-01")
            #expect(after.reusedSnapshot)
            #expect(try fixture.scanRow(after.scanID)?["findings_scan_id"] as Int64? == after.scanID,
                    "a waiver's expiry depends on today's date, so its findings cannot be reused across days")
            let expired = try #require(after.findings.first(where: webWriteAll))
            #expect(!expired.waived)
            #expect(expired.fingerprint == waived.fingerprint)
            let notices = after.findings.filter(expiryNotice).map(\.repository)
            #expect(notices == ["acme/web"])

            // Without an expiry the date does not matter, so a later day reuses the evaluation.
            let forever = PolicySettings(waivers: [Waiver(policy: "permissions-write-all", repository: "acme/web", reason: "accepted")])
            let dayOne = try fixture.scan(settings: forever, today: "2030-08-01")
            let dayTwo = try fixture.scan(settings: forever, today: "2030-08-02")
            #expect(try fixture.scanRow(dayTwo.scanID)?["findings_scan_id"] as Int64? == dayOne.scanID)
            #expect(dayTwo.findings.first(where: webWriteAll)?.waived == true)
        }
    }

    @Test("a changed settings or Octopus document makes a new snapshot without re-parsing workflows; going back reuses the old one")
    func settingsAndOctopusDocuments() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()

            fixture.settings["api.json"] = HistoryFixture.settings(reviewers: false)
            let second = try fixture.scan()
            #expect(!second.reusedSnapshot)
            #expect(second.parsedFiles == 0)
            #expect(try fixture.database.count("SELECT reviewer_count FROM gh_environments WHERE scan_id = ?", [second.scanID]) == 0)
            #expect(try fixture.database.count("SELECT reviewer_count FROM gh_environments WHERE scan_id = ?", [first.scanID]) == 1)

            fixture.octopus["acme.json"] = HistoryFixture.octopus(subject: "repo:acme/api:environment:Staging")
            let third = try fixture.scan()
            #expect(!third.reusedSnapshot)
            #expect(third.parsedFiles == 0)
            #expect(try fixture.database.strings("SELECT subject FROM oct_identities WHERE scan_id = ?", [third.scanID])
                == ["repo:acme/api:environment:Staging"])
            #expect(try fixture.database.count("SELECT COUNT(*) FROM trust_edges WHERE scan_id = ?", [third.scanID]) == 0)
            let checked11 = try fixture.database.count("SELECT COUNT(*) FROM trust_edges WHERE scan_id = ?", [first.scanID]).map { $0 > 0 } == true
            #expect(checked11)

            fixture.settings["api.json"] = HistoryFixture.settings(reviewers: true)
            fixture.octopus["acme.json"] = HistoryFixture.octopus()
            let fourth = try fixture.scan()
            #expect(fourth.reusedSnapshot)
            #expect(try fixture.scanRow(fourth.scanID)?["data_scan_id"] as Int64? == first.scanID)
            #expect(try fixture.scanRow(fourth.scanID)?["findings_scan_id"] as Int64? == first.scanID)
        }
    }
}

/// A text field of a finding's evidence object.
func evidenceText(_ finding: Finding, _ key: String) -> String? {
    guard case .object(let fields) = finding.evidence else { return nil }
    return fields[key]?.stringValue
}

enum FindingStoreReader {
    static func fingerprints(_ database: AuditDatabase, _ scanID: Int64) throws -> [String] {
        try database.pool.read { db in try FindingStore.load(scanID: scanID, db: db) }.map(\.fingerprint).sorted()
    }
}

/// A small organization on disk (`acme/<repo>/.github/workflows/…`) with GitHub settings and an
/// Octopus export, scanned through the real pipeline into a real database file. Shared by the
/// history suites (snapshots, drift, retention, robustness).
struct HistoryFixture {
    static let externalID = "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10"
    static let server = "https://acme.octopus.app"
    static let checkoutSHA = "11bd71901bbe5b1630ceea73d27597364c9af683"
    static let loginSHA = "2f3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4"

    let root: URL
    let database: AuditDatabase
    /// Settings and Octopus documents by file name, given to every scan.
    var settings: [String: String] = [:]
    var octopus: [String: String] = [:]

    init(root: URL) throws {
        self.root = root
        self.database = try TestSupport.openDatabase(in: root)
    }

    var org: URL { root.appendingPathComponent("acme") }

    @discardableResult
    func write(_ text: String, _ repository: String, _ file: String) throws -> URL {
        try TestSupport.write(text, to: "acme/\(repository)/.github/workflows/\(file)", in: root)
    }

    func remove(_ repository: String) throws {
        try FileManager.default.removeItem(at: org.appendingPathComponent(repository))
    }

    /// `acme/api` (an OIDC deploy job gated by Production, plus a clean CI) and `acme/web`
    /// (write-all, and a clean CI), with settings for api and an Octopus identity for its deploy job.
    mutating func writeStandardOrg(checkoutRef: String = HistoryFixture.checkoutSHA) throws {
        try write(Self.deployWorkflow(checkoutRef: checkoutRef), "api", "deploy.yml")
        try write(cleanWorkflow, "api", "ci.yml")
        try write(writeAllWorkflow, "web", "ci.yml")
        try write(cleanWorkflow + "# web tests\n", "web", "test.yml")
        settings["api.json"] = Self.settings(reviewers: true)
        octopus["acme.json"] = Self.octopus()
    }

    static func deployWorkflow(checkoutRef: String = checkoutSHA, contents: String = "read", environment: String = "Production") -> String {
        """
        on:
          push:
            branches: [main]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            environment: \(environment)
            permissions:
              contents: \(contents)
              id-token: write
            steps:
              - uses: actions/checkout@\(checkoutRef)
              - uses: OctopusDeploy/login@\(loginSHA)
                with:
                  server: \(server)
                  service_account_id: \(externalID)
              - run: octopus release deploy

        """
    }

    static func settings(repository: String = "acme/api", reviewers: Bool) -> String {
        let rules = reviewers
            ? """
              [ { "id": 1, "type": "required_reviewers", "prevent_self_review": true,
                  "reviewers": [ { "type": "User", "reviewer": { "login": "octocat", "id": 1 } } ] } ]
              """
            : "[]"
        return """
            { "repository": "\(repository)", "default_branch": "main", "visibility": "private",
              "environments": { "total_count": 1, "environments": [
                { "name": "Production", "can_admins_bypass": false, "protection_rules": \(rules),
                  "deployment_branch_policy": { "protected_branches": true, "custom_branch_policies": false } } ] },
              "workflow_permissions": { "default_workflow_permissions": "read", "can_approve_pull_request_reviews": false } }
            """
    }

    /// One service account with one identity per subject (ids `ServiceAccountOidcIdentitys-5`, -6, …).
    static func octopus(server: String = server, subject: String = "repo:acme/api:environment:Production",
                        extraSubjects: [String] = [], externalID: String = externalID) -> String {
        let identities = ([subject] + extraSubjects).enumerated().map { index, subject in
            """
            { "Id": "ServiceAccountOidcIdentitys-\(5 + index)", "Name": "identity \(index)", "ServiceAccountId": "Users-42",
              "Issuer": "https://token.actions.githubusercontent.com", "Subject": "\(subject)", "Audience": null }
            """
        }.joined(separator: ", ")
        return """
            { "server": "\(server)",
              "users": { "Items": [ { "Id": "Users-42", "Username": "gh-api", "DisplayName": "GitHub api", "IsService": true,
                                      "IsActive": true, "ServiceAccountType": "Standard" } ], "TotalResults": 1, "ItemsPerPage": 30 },
              "oidc_identities": { "Users-42": { "Count": \(1 + extraSubjects.count), "ExternalId": "\(externalID)", "ServerUrl": "\(server)",
                                   "OidcIdentities": [ \(identities) ] } } }
            """
    }

    func request(policies: [Policy]? = nil, settings policySettings: PolicySettings = PolicySettings(),
                 today: String = "2030-01-01", label: String? = nil, extraStages: [any ScanStage] = []) throws -> ScanRequest {
        let repositories = try RepositoryDiscovery.discover(paths: [org.path], owner: nil)
        let settingsDocuments = settings.keys.sorted().map { InputDocument(name: "exports/github/\($0)", data: Data(settings[$0]!.utf8)) }
        let octopusDocuments = octopus.keys.sorted().map { InputDocument(name: "exports/octopus/\($0)", data: Data(octopus[$0]!.utf8)) }
        return ScanRequest(
            repositories: repositories.map(RepositorySource.disk), label: label,
            policies: policies ?? TestSupport.builtInPolicies(), settings: policySettings,
            stages: StandardStages.make(githubSettings: settingsDocuments, octopus: octopusDocuments) + extraStages,
            today: today)
    }

    @discardableResult
    func scan(policies: [Policy]? = nil, settings policySettings: PolicySettings = PolicySettings(),
              today: String = "2030-01-01", label: String? = nil, extraStages: [any ScanStage] = []) throws -> ScanOutcome {
        try ScanPipeline(database: database).run(
            request(policies: policies, settings: policySettings, today: today, label: label, extraStages: extraStages))
    }

    func drift(from: Int64, to: Int64) throws -> DriftReport {
        let (fromScan, toScan) = try database.pool.read { db in
            (try ScanCatalog.resolve(from, db: db), try ScanCatalog.resolve(to, db: db))
        }
        return try DriftReport.compute(database: database, from: fromScan, to: toScan)
    }

    func scanRow(_ id: Int64) throws -> Row? {
        try database.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE id = ?", arguments: [id]) }
    }

    /// Row counts of every table with a `scan_id` column.
    func perScanRowCounts() throws -> [String: Int] {
        try database.pool.read { db in
            var counts: [String: Int] = [:]
            for table in try ScanRows.perScanTables(db) {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
            }
            return counts
        }
    }

    /// Rows any per-scan table holds for one scan, by table (only tables that hold some).
    func rowsOwned(by scanID: Int64) throws -> [String: Int] {
        try database.pool.read { db in
            var counts: [String: Int] = [:]
            for table in try ScanRows.perScanTables(db) {
                let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier) WHERE scan_id = ?", arguments: [scanID]) ?? 0
                if count > 0 { counts[table] = count }
            }
            return counts
        }
    }

    /// The database file plus its WAL, after a checkpoint that empties the WAL.
    func checkpointedSize() throws -> Int64 {
        try database.pool.writeWithoutTransaction { db in _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        func size(_ path: String) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return size(database.path) + size(database.path + "-wal")
    }

    func integrityCheck() throws -> [String] {
        try database.strings("PRAGMA integrity_check")
    }
}

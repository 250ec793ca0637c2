import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// `prune`: old snapshots go, kept ones stay fully usable even when they share an older scan's
/// rows, content no remaining scan uses is deleted, failed scans are removed.
@Suite("Retention (prune)")
struct RetentionTests {
    private struct BrokenStage: ScanStage {
        let name = "broken"
        let signature = "broken-v1"
        func run(_ db: Database, scanID: Int64) throws {
            throw CocoaError(.featureUnsupported)
        }
    }

    @Test("--keep 1 keeps the newest scan usable when it shares an older scan's snapshot")
    func keepSharedSnapshot() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            let second = try fixture.scan()
            #expect(second.reusedSnapshot)

            let result = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            #expect(result.scansRemoved == 1)
            #expect(result.blobsRemoved == 0)

            // The kept scan is the only one listed, with its counts.
            let list = try fixture.database.pool.read { db in try ScanList.load(db: db) }
            #expect(list.entries.map(\.id) == [second.scanID])
            #expect(list.entries.first?.repositories == 2)
            let checked1 = list.entries.first.map { $0.counts.values.reduce(0, +) + $0.waived } == second.findings.count
            #expect(checked1)

            // Its findings, snapshot views and trust graph are intact.
            let summary = try fixture.database.pool.read { db in try ScanCatalog.resolve(nil, db: db) }
            #expect(summary.id == second.scanID)
            #expect(try FindingStoreReader.fingerprints(fixture.database, summary.findingsScanID) == second.findings.map(\.fingerprint).sorted())
            #expect(try fixture.database.count("SELECT COUNT(*) FROM workflows", snapshot: summary.dataScanID) == 4)
            let graph = try fixture.database.pool.read { db in
                try TrustGraphReport.load(db: db, scan: summary, serviceAccount: nil, repository: nil)
            }
            #expect(graph.accounts.count == 1)
            let checked2 = graph.accounts.first?.paths.contains { $0.repository == "acme/api" && $0.status == "in use" } == true
            #expect(checked2)

            // Drift has nothing to compare with: a clear error, not an empty report.
            #expect(throws: ScanCatalog.LookupError.noEarlierScan(second.scanID)) {
                try fixture.database.pool.read { db in _ = try ScanCatalog.previous(before: second.scanID, db: db) }
            }
            // The pruned scan cannot be named either.
            #expect(throws: ScanCatalog.LookupError.self) {
                try fixture.database.pool.read { db in _ = try ScanCatalog.resolve(first.scanID, db: db) }
            }

            // The next unchanged scan still works and still shares the stored snapshot.
            let third = try fixture.scan()
            #expect(third.reusedSnapshot)
            #expect(third.parsedFiles == 0)
            #expect(third.findings.map(\.fingerprint).sorted() == second.findings.map(\.fingerprint).sorted())
            #expect(try fixture.integrityCheck() == ["ok"])
            #expect(try fixture.database.count("SELECT COUNT(*) FROM pragma_foreign_key_check") == 0)
        }
    }

    @Test("cached API responses no kept scan confirmed are deleted; newer ones stay")
    func staleHTTPCacheDeleted() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            _ = try fixture.scan()
            try fixture.write(cleanWorkflow + "# changed\n", "web", "ci.yml")
            let second = try fixture.scan()
            let secondStart = try #require(try fixture.database.strings("SELECT started_at FROM scans WHERE id = ?", [second.scanID]).first)
            try fixture.database.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO http_cache (url, etag, body, fetched_at) VALUES
                        ('https://api.github.com/repos/acme/gone/git/trees/1', NULL, x'7b7d', '2000-01-01T00:00:00.000Z'),
                        ('https://api.github.com/repos/acme/web/environments', '"e1"', x'7b7d', ?)
                    """, arguments: [secondStart])
            }
            let result = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            #expect(result.cachedResponsesRemoved == 1)
            #expect(try fixture.database.strings("SELECT url FROM http_cache") == ["https://api.github.com/repos/acme/web/environments"])
        }
    }

    @Test("content no remaining scan uses is deleted; shared content stays")
    func unusedBlobsDeleted() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            let oldHash = try #require(try fixture.database.strings("""
                SELECT f.blob_hash FROM scan_workflow_files f JOIN scan_repositories r ON r.id = f.repository_id
                WHERE f.scan_id = ? AND r.full_name = 'acme/web' AND f.path = '.github/workflows/ci.yml'
                """, [first.scanID]).first)
            let oldDoc = try #require(try fixture.database.count("SELECT id FROM blobs WHERE hash = ?", [oldHash]))
            let checked3 = try fixture.database.count("SELECT COUNT(*) FROM wf_steps WHERE doc = ?", [oldDoc]).map { $0 > 0 } == true
            #expect(checked3)
            try fixture.write(cleanWorkflow + "# fixed\n", "web", "ci.yml")
            let second = try fixture.scan()
            #expect(try fixture.database.count("SELECT COUNT(*) FROM blobs WHERE kind = 'workflow'") == 5)

            let result = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            #expect(result.scansRemoved == 1)
            #expect(result.blobsRemoved == 1)
            #expect(result.bytesAfter <= result.bytesBefore)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM blobs WHERE kind = 'workflow'") == 4)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM blobs WHERE hash = ?", [oldHash]) == 0)
            for table in ["wf_documents", "wf_jobs", "wf_permissions", "wf_steps", "wf_triggers"] {
                #expect(try fixture.database.count("SELECT COUNT(*) FROM \(table) WHERE doc = ?", [oldDoc]) == 0, "\(table)")
            }
            // The first scan is gone entirely: no scans row, no per-scan rows.
            #expect(try fixture.scanRow(first.scanID) == nil)
            #expect(try fixture.rowsOwned(by: first.scanID).isEmpty)
            // The kept scan still has every file it saw, with parsed facts.
            #expect(try fixture.database.count("SELECT COUNT(*) FROM workflows WHERE parse_error IS NULL", snapshot: second.scanID) == 4)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM jobs", snapshot: second.scanID) == 4)

            // The removed content comes back when a file has it again: stored and parsed anew.
            try fixture.write(writeAllWorkflow, "web", "ci.yml")
            let third = try fixture.scan()
            #expect(third.parsedFiles == 1)
            let checked4 = third.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked4)
        }
    }

    @Test("a rescan shares an unchanged repository's trust edges and findings with the earlier scan, and they stay when that scan is pruned")
    func sharedTrustEdgesSurvivePruning() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            let graphSQL = """
                SELECT repository || ' ' || file || ' ' || job || ' ' || trigger || ' ' || subject || ' ' || identity_id || ' '
                       || match_kind || ' ' || status || ' ' || COALESCE(service_account, '-') FROM trust_graph ORDER BY 1
                """
            let before = try fixture.database.strings(graphSQL, snapshot: first.scanID)
            #expect(!before.isEmpty, "acme/api's deploy job must reach the service account")

            // Only acme/web changes: acme/api's subjects are carried over with their edges shared.
            try fixture.write(cleanWorkflow + "# fixed\n", "web", "ci.yml")
            let second = try fixture.scan()
            #expect(!second.reusedSnapshot)
            #expect(try fixture.scanRow(second.scanID)?["rederived_repositories"] as Int64? == 1)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM trust_edges WHERE scan_id = ?", [second.scanID]) == 0)
            #expect(try fixture.database.strings(graphSQL, snapshot: second.scanID) == before)
            #expect(try fixture.database.strings("SELECT service_account || ' ' || repository FROM deployable_by ORDER BY 1", snapshot: second.scanID)
                == fixture.database.strings("SELECT service_account || ' ' || repository FROM deployable_by ORDER BY 1", snapshot: first.scanID))

            // acme/api's findings are carried by reference, not stored again.
            let findingsSQL = "SELECT fingerprint || ' ' || policy || ' ' || waived FROM scan_findings WHERE scan_id = ? ORDER BY 1"
            let secondFindings = try fixture.database.strings(findingsSQL, [second.scanID])
            let checked5 = secondFindings.sorted() == second.findings.map { "\($0.fingerprint) \($0.policy) \($0.waived ? 1 : 0)" }.sorted()
            #expect(checked5)
            let checked6 = try fixture.database.count("SELECT COUNT(*) FROM carried_findings WHERE scan_id = ?", [second.scanID]).map { $0 > 0 } == true
            #expect(checked6)
            let stored = try #require(try fixture.database.count("SELECT COUNT(*) FROM findings WHERE scan_id = ?", [second.scanID]))
            #expect(stored < secondFindings.count)

            // The scan that derived the edges and stored the findings goes; the kept scan's graph
            // and findings are whole.
            #expect(try Retention.prune(database: fixture.database, keep: 1, olderThan: nil).scansRemoved == 1)
            #expect(try fixture.scanRow(first.scanID) == nil)
            #expect(try fixture.database.strings(graphSQL, snapshot: second.scanID) == before)
            #expect(try fixture.database.strings(findingsSQL, [second.scanID]) == secondFindings)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM findings_latest", snapshot: second.scanID) == secondFindings.count)

            // A third scan carries over from the second; pruning the second keeps the graph too.
            try fixture.write(cleanWorkflow + "# again\n", "web", "ci.yml")
            let third = try fixture.scan()
            let thirdFindings = try fixture.database.strings(findingsSQL, [third.scanID])
            #expect(thirdFindings == secondFindings)
            #expect(try Retention.prune(database: fixture.database, keep: 1, olderThan: nil).scansRemoved == 1)
            #expect(try fixture.database.strings(graphSQL, snapshot: third.scanID) == before)
            #expect(try fixture.database.strings(findingsSQL, [third.scanID]) == thirdFindings)
        }
    }

    @Test("failed scans are removed with their rows; complete ones within --keep stay")
    func failedScansRemoved() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            #expect(throws: (any Error).self) {
                try fixture.scan(extraStages: [BrokenStage()])
            }
            #expect(try fixture.database.count("SELECT COUNT(*) FROM scans WHERE status = 'failed'") == 1)

            let result = try Retention.prune(database: fixture.database, keep: 5, olderThan: nil)
            #expect(result.scansRemoved == 1)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM scans WHERE status = 'failed'") == 0)
            #expect(try fixture.database.strings("SELECT id FROM scans") == [String(first.scanID)])
            #expect(try FindingStoreReader.fingerprints(fixture.database, first.scanID) == first.findings.map(\.fingerprint).sorted())
        }
    }

    @Test("--older-than removes scans started before the cutoff; with --keep only scans beyond both go")
    func olderThan() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let old = try fixture.scan()
            try fixture.write(cleanWorkflow + "# 2\n", "web", "ci.yml")
            let middle = try fixture.scan()
            try fixture.write(cleanWorkflow + "# 3\n", "web", "ci.yml")
            let recent = try fixture.scan()
            try fixture.database.pool.write { db in
                try db.execute(sql: "UPDATE scans SET started_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", arguments: [old.scanID])
                try db.execute(sql: "UPDATE scans SET started_at = '2020-02-01T00:00:00.000Z' WHERE id = ?", arguments: [middle.scanID])
            }
            let cutoff = try #require(Retention.cutoff(olderThan: "90d"))

            // --keep 3 --older-than 90d: nothing is beyond --keep, so nothing goes.
            #expect(try Retention.prune(database: fixture.database, keep: 3, olderThan: cutoff).scansRemoved == 0)
            // --keep 2 --older-than 90d: only the oldest is beyond --keep and old.
            #expect(try Retention.prune(database: fixture.database, keep: 2, olderThan: cutoff).scansRemoved == 1)
            #expect(try fixture.database.strings("SELECT id FROM scans ORDER BY id") == [String(middle.scanID), String(recent.scanID)])
            // --older-than 90d alone: the old one goes, the recent one stays.
            #expect(try Retention.prune(database: fixture.database, keep: nil, olderThan: cutoff).scansRemoved == 1)
            #expect(try fixture.database.strings("SELECT id FROM scans ORDER BY id") == [String(recent.scanID)])
            #expect(try fixture.database.count("SELECT COUNT(*) FROM workflows WHERE parse_error IS NULL", snapshot: recent.scanID) == 4)
        }
    }

    @Test("--older-than parses days, weeks, months and years, and refuses anything else")
    func olderThanParsing() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func daysBefore(_ days: Double) -> String { formatter.string(from: now.addingTimeInterval(-days * 86_400)) }
        #expect(Retention.cutoff(olderThan: "90d", now: now) == daysBefore(90))
        #expect(Retention.cutoff(olderThan: "12w", now: now) == daysBefore(84))
        #expect(Retention.cutoff(olderThan: "6m", now: now) == daysBefore(180))
        #expect(Retention.cutoff(olderThan: "1y", now: now) == daysBefore(365))
        #expect(Retention.cutoff(olderThan: "0d", now: now) == daysBefore(0))
        for bad in ["", "d", "90", "ninety", "90 d", "90D", "-5d", "5x", "1.5w", "90dd"] {
            #expect(Retention.cutoff(olderThan: bad, now: now) == nil, "\(bad)")
        }
        // The cutoff sorts against stored timestamps: an older scan's started_at is before it.
        let cutoff = try #require(Retention.cutoff(olderThan: "1d"))
        #expect("2020-01-01T00:00:00.000Z" < cutoff)
        #expect(Timestamp.now() > cutoff)
    }

    @Test("a pruned scan kept only for its shared rows goes once no kept scan uses them")
    func prunedRowGoesWhenUnused() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            _ = try fixture.scan()                       // shares the first scan's snapshot
            _ = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            #expect(try fixture.scanRow(first.scanID)?["status"] as String? == "pruned")

            try fixture.write(cleanWorkflow + "# changed\n", "web", "ci.yml")
            _ = try fixture.scan()
            _ = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            // No kept scan uses the first scan's rows any more, and they are gone…
            #expect(try fixture.rowsOwned(by: first.scanID).isEmpty)
            // …so its row should go too, not linger as 'pruned' forever.
            let lingering = try fixture.scanRow(first.scanID) != nil
            #expect(!lingering)
            #expect(try fixture.integrityCheck() == ["ok"])
        }
    }
}

import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// The planner must know that one scan of a large organization holds many rows: a sampled
/// ANALYZE alone says about a thousand, and rescans then walk whole snapshots to find the few
/// repositories they re-evaluate.
@Suite("planner statistics")
struct PlannerStatisticsTests {
    /// The rows per `scan_id` that `sqlite_stat1` gives for `index`.
    func perScan(_ db: Database, index: String) throws -> Int? {
        let stat = try String.fetchOne(db, sql: "SELECT stat FROM sqlite_stat1 WHERE idx = ?", arguments: [index])
        return stat.flatMap { Int($0.split(separator: " ")[1]) }
    }

    @Test("trust graph subjects per scan are the table's rows shared among the scans that own rows, not the sample's thousand")
    func rowsPerScan() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            try database.pool.write { db in
                for scan in 1...2 {
                    try db.execute(sql: "INSERT INTO scans (id, started_at, status, tool_version, data_scan_id) VALUES (?, 'now', 'complete', 'test', ?)",
                                   arguments: [scan, scan])
                    for number in 0..<3000 {
                        try db.execute(sql: """
                            INSERT INTO derived_subjects (scan_id, repository, file, job, trigger, subject, is_pattern, id_token)
                            VALUES (?, ?, 'deploy.yml', 'deploy', 'push', 'repo:acme/app:ref:refs/heads/main', 0, 'write')
                            """, arguments: [scan, "acme/app-\(number)"])
                    }
                }
                // A scan that reused another's snapshot owns no rows of its own.
                try db.execute(sql: "INSERT INTO scans (id, started_at, status, tool_version, data_scan_id) VALUES (3, 'now', 'complete', 'test', 2)")
                try AuditDatabase.analyze(db)
            }
            // ANALYZE estimates the table's rows too (about 6,000 here); a sample alone says 1,001.
            let estimate = try #require(try database.pool.read { db in try perScan(db, index: "derived_subjects_job") })
            #expect((2500...3500).contains(estimate), "rows per scan: \(estimate)")
        }
    }
}

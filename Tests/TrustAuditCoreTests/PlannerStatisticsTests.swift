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
            let required1 = try database.pool.read { db in try perScan(db, index: "derived_subjects_job") }
            let estimate = try #require(required1)
            #expect((2500...3500).contains(estimate), "rows per scan: \(estimate)")
        }
    }

    @Test("trust edges per identity are the edges shared among the identities that have any, however skewed the sample")
    func edgesPerIdentity() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            try database.pool.write { db in
                try db.execute(sql: "INSERT INTO scans (id, started_at, status, tool_version, data_scan_id) VALUES (1, 'now', 'complete', 'test', 1)")
                // One organization-wide identity with 3,000 edges, a hundred others with one each.
                for subject in 1...3000 {
                    try db.execute(sql: "INSERT INTO trust_edges (scan_id, subject_id, identity_key, match_kind, in_use) VALUES (1, ?, 1, 1, 0)",
                                   arguments: [subject])
                }
                for identity in 2...101 {
                    try db.execute(sql: "INSERT INTO trust_edges (scan_id, subject_id, identity_key, match_kind, in_use) VALUES (1, ?, ?, 0, 1)",
                                   arguments: [identity, identity])
                }
                try AuditDatabase.analyze(db)
            }
            let checked2 = try database.pool.read { db in try perScan(db, index: "trust_edges_identity") } == 3100 / 101
            #expect(checked2)
        }
    }

    @Test("readers opened before a scan's write plan with the statistics it wrote once they are replaced")
    func readersSeeNewStatistics() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let query = "EXPLAIN QUERY PLAN SELECT * FROM planner_probe WHERE a = 1 AND b = 1"
            func plan() throws -> String {
                try database.pool.read { db in try Row.fetchAll(db, sql: query).map { $0["detail"] as String? ?? "" }.joined() }
            }
            func setStatistics(selective index: String, other: String) throws {
                try database.pool.write { db in
                    try db.execute(sql: "DELETE FROM sqlite_stat1 WHERE tbl = 'planner_probe'")
                    try db.execute(sql: "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('planner_probe', ?, '100000 1'), ('planner_probe', ?, '100000 50000')",
                                   arguments: [index, other])
                    try db.execute(sql: "ANALYZE sqlite_master")
                }
            }
            try database.pool.write { db in
                try db.execute(sql: "CREATE TABLE planner_probe (a INTEGER, b INTEGER)")
                try db.execute(sql: "CREATE INDEX planner_probe_a ON planner_probe(a)")
                try db.execute(sql: "CREATE INDEX planner_probe_b ON planner_probe(b)")
                try db.execute(sql: "ANALYZE")
            }
            try setStatistics(selective: "planner_probe_a", other: "planner_probe_b")
            database.dropStaleReaders()
            #expect(try plan().contains("planner_probe_a"))
            // A reader that loaded the schema before the write keeps the statistics it loaded.
            try setStatistics(selective: "planner_probe_b", other: "planner_probe_a")
            #expect(try plan().contains("planner_probe_a"))
            database.dropStaleReaders()
            #expect(try plan().contains("planner_probe_b"))
        }
    }
}

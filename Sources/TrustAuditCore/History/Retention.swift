import Foundation
import GRDB

/// Removes old snapshots and the content no remaining snapshot uses (`trustaudit prune`).
///
/// A scan that shares an older scan's snapshot or findings keeps those rows alive: rows are
/// deleted only when no remaining scan points at them, so pruning never breaks a kept snapshot.
public enum Retention {
    public struct Result: Sendable, Equatable {
        public var scansRemoved: Int
        public var blobsRemoved: Int
        /// Live collectors' cached responses not confirmed since the oldest kept scan started.
        public var cachedResponsesRemoved: Int = 0
        public var bytesBefore: Int64
        public var bytesAfter: Int64
    }

    /// Keeps the newest `keep` complete scans (and any scan newer than `olderThan`), removes the
    /// rest along with failed scans, then vacuums.
    public static func prune(database: AuditDatabase, keep: Int?, olderThan cutoff: String?) throws -> Result {
        let before = fileSize(database.path)
        var removed = 0
        var blobsRemoved = 0
        var cachedResponsesRemoved = 0
        try database.pool.write { db in
            let complete = try Row.fetchAll(db, sql: "SELECT id, started_at FROM scans WHERE status = 'complete' ORDER BY id DESC")
            var doomed = Set<Int64>()
            for (index, row) in complete.enumerated() {
                let id: Int64 = row["id"]
                let started: String = row["started_at"]
                let beyondKeep = keep.map { index >= $0 } ?? false
                let tooOld = cutoff.map { started < $0 } ?? false
                if (keep != nil && beyondKeep && (cutoff == nil || tooOld)) || (keep == nil && tooOld) {
                    doomed.insert(id)
                }
            }
            doomed.formUnion(try Int64.fetchAll(db, sql: "SELECT id FROM scans WHERE status = 'failed'"))
            let kept = try Row.fetchAll(db, sql: "SELECT id, data_scan_id, findings_scan_id FROM scans WHERE status != 'pruned'")
                .filter { !doomed.contains($0["id"]) }
            var referenced = Set<Int64>()
            for row in kept {
                referenced.insert(row["id"])
                if let data: Int64 = row["data_scan_id"] { referenced.insert(data) }
                if let findings: Int64 = row["findings_scan_id"] { referenced.insert(findings) }
            }
            for id in doomed {
                if referenced.contains(id) {
                    try db.execute(sql: "UPDATE scans SET status = 'pruned' WHERE id = ?", arguments: [id])
                } else {
                    try db.execute(sql: "DELETE FROM scans WHERE id = ?", arguments: [id])
                }
            }
            // A scan pruned earlier was kept only for the rows other scans used; once none does, it goes.
            let pruned = try Int64.fetchAll(db, sql: "SELECT id FROM scans WHERE status = 'pruned'")
            for id in pruned where !referenced.contains(id) {
                try db.execute(sql: "DELETE FROM scans WHERE id = ?", arguments: [id])
            }
            removed = doomed.count
            for table in try ScanRows.perScanTables(db) {
                let owners = try Int64.fetchAll(db, sql: "SELECT DISTINCT scan_id FROM \(table.quotedDatabaseIdentifier)")
                for owner in owners where !referenced.contains(owner) {
                    try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier) WHERE scan_id = ?", arguments: [owner])
                }
            }
            let unused = """
                SELECT id FROM blobs WHERE id NOT IN (SELECT doc FROM scan_workflow_files WHERE doc IS NOT NULL)
                  AND hash NOT IN (SELECT blob_hash FROM scan_inputs WHERE blob_hash IS NOT NULL)
                """
            blobsRemoved = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(unused))") ?? 0
            for table in WorkflowFactStore.tables {
                try db.execute(sql: "DELETE FROM \(table) WHERE doc IN (\(unused))")
            }
            try db.execute(sql: "DELETE FROM blobs WHERE id IN (\(unused))")
            // The HTTP cache answers the next live collection, not a kept snapshot: what no scan
            // since the oldest kept one confirmed is stale (a deleted repository's trees, an
            // ETag long replaced) and goes. Content by SHA that is still needed is fetched again.
            if let oldest = try String.fetchOne(db, sql: "SELECT min(started_at) FROM scans WHERE status = 'complete'") {
                try db.execute(sql: "DELETE FROM http_cache WHERE fetched_at < ?", arguments: [oldest])
                cachedResponsesRemoved = db.changesCount
            }
        }
        try database.pool.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "VACUUM")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return Result(scansRemoved: removed, blobsRemoved: blobsRemoved, cachedResponsesRemoved: cachedResponsesRemoved,
                      bytesBefore: before, bytesAfter: fileSize(database.path))
    }

    static func fileSize(_ path: String) -> Int64 {
        let main = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int64) ?? 0
        return main + wal
    }

    /// Parses `90d`, `12w`, `6m` (30-day months) or `1y` into an ISO 8601 cutoff before `now`.
    public static func cutoff(olderThan text: String, now: Date = Date()) -> String? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount >= 0 else { return nil }
        let days: Int
        switch unit {
        case "d": days = amount
        case "w": days = amount * 7
        case "m": days = amount * 30
        case "y": days = amount * 365
        default: return nil
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: now.addingTimeInterval(-Double(days) * 86_400))
    }
}

import Foundation

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
            var doomed = Set<Int64>()
            for (index, scan) in try RetentionStore.completeScans(db).enumerated() {
                let beyondKeep = keep.map { index >= $0 } ?? false
                let tooOld = cutoff.map { scan.startedAt < $0 } ?? false
                if (keep != nil && beyondKeep && (cutoff == nil || tooOld)) || (keep == nil && tooOld) {
                    doomed.insert(scan.id)
                }
            }
            doomed.formUnion(try RetentionStore.failedScans(db))
            var referenced = Set<Int64>()
            for scan in try RetentionStore.unprunedScans(db) where !doomed.contains(scan.id) {
                referenced.insert(scan.id)
                if let snapshot = scan.snapshot { referenced.insert(snapshot) }
                if let findings = scan.findings { referenced.insert(findings) }
            }
            // Before any scan goes: trust edges a kept snapshot's subjects share with an older scan
            // and findings a kept scan carries from one (migrations 0019, 0020) pass to a kept
            // scan, so they do not go with the older one.
            try RetentionStore.rehomeSharedEdges(db, keeping: referenced)
            try RetentionStore.rehomeCarriedFindings(db, keeping: referenced)
            for id in doomed {
                if referenced.contains(id) {
                    try RetentionStore.markPruned(db, scanID: id)
                } else {
                    try RetentionStore.deleteScan(db, scanID: id)
                }
            }
            // A scan pruned earlier was kept only for the rows other scans used; once none does, it goes.
            for id in try RetentionStore.prunedScans(db) where !referenced.contains(id) {
                try RetentionStore.deleteScan(db, scanID: id)
            }
            removed = doomed.count
            try RetentionStore.deleteRows(db, keeping: referenced)
            blobsRemoved = try RetentionStore.deleteUnusedContent(db)
            try FileStampStore.deleteOrphans(db)
            // The HTTP cache answers the next live collection, not a kept snapshot: what no scan
            // since the oldest kept one confirmed is stale (a deleted repository's trees, an
            // ETag long replaced) and goes. Content by SHA that is still needed is fetched again.
            cachedResponsesRemoved = try RetentionStore.deleteStaleResponses(db)
        }
        try RetentionStore.compact(database)
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

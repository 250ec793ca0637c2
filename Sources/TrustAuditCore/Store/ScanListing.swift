import GRDB

/// Every stored scan that was not pruned, newest first, with what it covered and found: the rows
/// behind `trustaudit scans` and the shell's `.scans`.
public enum ScanListing {
    /// One scan as the list shows it.
    public struct Entry: Sendable {
        public var id: Int64
        public var label: String?
        public var startedAt: String
        public var finishedAt: String?
        public var status: String
        public var error: String?
        public var repositories: Int?
        public var files: Int?
        public var sharesSnapshotOf: Int64?
        public var counts: [Severity: Int]
        public var waived: Int
        /// Inputs the scan could not read, or read with problems (its `coverage` view's rows
        /// other than `read`).
        public var coverageProblems: Int
        /// What the live collections of the scan cost, by service (empty for offline scans).
        public var apiUsage: [String: CollectionUsage] = [:]
    }

    /// The entries; a scan sharing another's findings shows that scan's counts.
    public static func load(db: Database) throws -> [Entry] {
        try DatabaseIntegrity.reading(db) {
            var counts: [Int64: [Severity: Int]] = [:]
            var waived: [Int64: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT scan_id, severity, waived, COUNT(*) AS n FROM scan_findings GROUP BY scan_id, severity, waived") {
                let id: Int64 = try row.decode(forColumn: "scan_id")
                let count: Int = try row.decode(forColumn: "n")
                if try row.decode(Bool.self, forColumn: "waived") {
                    waived[id, default: 0] += count
                } else if let severity = Severity(rawValue: try row.decode(forColumn: "severity")) {
                    counts[id, default: [:]][severity] = count
                }
            }
            let usage = try CollectionUsage.load(db: db)
            let scans = try Row.fetchAll(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM scan_inputs i WHERE i.scan_id = COALESCE(s.data_scan_id, s.id) AND i.error IS NOT NULL)
                          + (SELECT COUNT(*) FROM scan_input_problems p WHERE p.scan_id = COALESCE(s.data_scan_id, s.id)) AS coverage_problems
                FROM scans s WHERE s.status != 'pruned' ORDER BY s.id DESC
                """)
            return try scans.map { row -> Entry in
                let id: Int64 = try row.decode(forColumn: "id")
                let findingsID: Int64 = try row.decode(Int64?.self, forColumn: "findings_scan_id") ?? id
                let dataID: Int64? = try row.decode(forColumn: "data_scan_id")
                return Entry(id: id, label: try row.decode(forColumn: "label"), startedAt: try row.decode(forColumn: "started_at"),
                             finishedAt: try row.decode(forColumn: "finished_at"), status: try row.decode(forColumn: "status"),
                             error: try row.decode(forColumn: "error"), repositories: try row.decode(forColumn: "repository_count"),
                             files: try row.decode(forColumn: "file_count"), sharesSnapshotOf: dataID == id ? nil : dataID,
                             counts: counts[findingsID] ?? [:], waived: waived[findingsID] ?? 0,
                             coverageProblems: try row.decode(forColumn: "coverage_problems"), apiUsage: usage[id] ?? [:])
            }
        }
    }
}

import GRDB

/// The stored scans, newest first, with what each covered and found (`trustaudit scans`).
public struct ScanList: Sendable {
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

    public var entries: [Entry]

    public static func load(db: Database) throws -> ScanList {
        try DatabaseIntegrity.reading(db) {
            var counts: [Int64: [Severity: Int]] = [:]
            var waived: [Int64: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT scan_id, severity, waived, COUNT(*) AS n FROM findings GROUP BY scan_id, severity, waived") {
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
            let entries = try scans.map { row -> Entry in
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
            return ScanList(entries: entries)
        }
    }

    public func renderText() -> String {
        if entries.isEmpty { return "No scans yet; run `trustaudit scan`.\n" }
        var out = "  ID  STATUS    STARTED                   REPOS  FILES  CRIT  HIGH   MED   LOW  INFO  COVERAGE    LABEL\n"
        for entry in entries {
            func pad(_ text: String, _ width: Int) -> String {
                String(repeating: " ", count: max(0, width - text.count)) + text
            }
            let cells = [Severity.critical, .high, .medium, .low, .info].map { pad(String(entry.counts[$0] ?? 0), 5) }.joined(separator: " ")
            var line = pad(String(entry.id), 4) + "  " + entry.status.padding(toLength: 8, withPad: " ", startingAt: 0) + "  "
            line += entry.startedAt.padding(toLength: 24, withPad: " ", startingAt: 0) + "  "
            line += pad(entry.repositories.map(String.init) ?? "-", 5) + "  " + pad(entry.files.map(String.init) ?? "-", 5) + "  " + cells
            let coverage = entry.status != "complete" ? "-" : entry.coverageProblems == 0 ? "full" : "\(entry.coverageProblems) gap\(entry.coverageProblems == 1 ? "" : "s")"
            line += "  " + coverage.padding(toLength: 10, withPad: " ", startingAt: 0)
            line += "  " + TextReport.sanitize(entry.label ?? "")
            if let shared = entry.sharesSnapshotOf { line += " (unchanged since scan \(shared))" }
            for (service, usage) in entry.apiUsage.sorted(by: { $0.key < $1.key }) { line += " [\(service): \(usage.summary)]" }
            if let error = entry.error, entry.status != "complete" { line += " [\(TextReport.sanitize(error))]" }
            out += line + "\n"
        }
        return out
    }

    /// The list as query rows, for the shell's output modes.
    public var queryResult: QueryResult {
        let columns = ["id", "status", "started_at", "repositories", "files", "critical", "high", "medium", "low", "info",
                       "waived", "coverage_problems", "label"]
        let rows: [[String?]] = entries.map { entry in
            [String(entry.id), entry.status, entry.startedAt, entry.repositories.map(String.init), entry.files.map(String.init)]
                + [Severity.critical, .high, .medium, .low, .info].map { String(entry.counts[$0] ?? 0) }
                + [String(entry.waived), String(entry.coverageProblems), entry.label]
        }
        return QueryResult(columns: columns, rows: rows,
                           numeric: columns.map { !["status", "started_at", "label"].contains($0) })
    }

    public func renderJSON() -> String {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func number(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        return JSONValue.array(entries.map { entry in
            .object([
                "id": .number(Double(entry.id)), "label": text(entry.label), "started_at": .string(entry.startedAt),
                "finished_at": text(entry.finishedAt), "status": .string(entry.status), "error": text(entry.error),
                "repositories": number(entry.repositories), "files": number(entry.files),
                "shares_snapshot_of": entry.sharesSnapshotOf.map { .number(Double($0)) } ?? .null,
                "summary": .object(Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, JSONValue.number(Double(entry.counts[$0] ?? 0))) })),
                "waived": .number(Double(entry.waived)),
                "api_usage": .object(entry.apiUsage.mapValues { usage in
                    .object([
                        "repositories": .number(Double(usage.repositories)), "rest_requests": .number(Double(usage.restRequests)),
                        "not_modified": .number(Double(usage.notModified)), "cache_hits": .number(Double(usage.cacheHits)),
                        "graphql_requests": .number(Double(usage.graphQLRequests)), "graphql_cost": .number(Double(usage.graphQLCost)),
                        "seconds": usage.seconds.map(JSONValue.number) ?? .null,
                    ])
                }),
                "coverage_problems": .number(Double(entry.coverageProblems)),
            ])
        }).jsonText + "\n"
    }
}

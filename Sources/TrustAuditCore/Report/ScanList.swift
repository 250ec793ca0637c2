import GRDB

/// The stored scans, newest first, with what each covered and found (`trustaudit scans`).
public struct ScanList: Sendable {
    public typealias Entry = ScanListing.Entry

    public var entries: [Entry]

    public static func load(db: Database) throws -> ScanList {
        ScanList(entries: try ScanListing.load(db: db))
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

import Foundation
import TrustAuditCore

/// One scan through the real engine, timed per phase, as `trustaudit scan --format json` does it:
/// discover repositories, load the exports, open the database, run the pipeline (read, parse,
/// store, derive, evaluate), write the JSON report to a file.
enum ScanOnce {
    struct Measurement {
        var label: String
        var phases: [(String, Double)]
        var totalSeconds: Double
        var repositories: Int
        var workflowFiles: Int
        var parsedFiles: Int
        var reusedSnapshot: Bool
        /// Repositories re-evaluated by an incremental evaluation; -1 after a full one or a reuse.
        var reevaluated: Int
        var findings: Int
        var policyErrors: Int
        var reportBytes: Int
        var databaseBytes: Int
        var walBytes: Int

        var json: [String: Any] {
            [
                "label": label, "phases": phases.map { ["phase": $0.0, "seconds": $0.1] }, "total_seconds": totalSeconds,
                "repositories": repositories, "workflow_files": workflowFiles, "parsed_files": parsedFiles,
                "reused_snapshot": reusedSnapshot, "reevaluated": reevaluated, "findings": findings, "policy_errors": policyErrors,
                "report_bytes": reportBytes, "database_bytes": databaseBytes, "wal_bytes": walBytes,
            ]
        }
    }

    static func scan(dir: String, databasePath: String, label: String, exclude: Set<String> = []) throws -> Measurement {
        var phases: [(String, Double)] = []
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let start = now()
            defer { phases.append((name, now() - start)) }
            return try body()
        }
        let start = now()
        let root = URL(fileURLWithPath: dir)
        var plan = ScanPlan(paths: [root.appendingPathComponent("repos").path],
                            githubSettings: [root.appendingPathComponent("github-settings").path],
                            octopus: [root.appendingPathComponent("octopus").path], label: label, policies: [])
        let inputs = try timed("discover, load exports") { try plan.readInputs() }
        let (policies, audit) = try timed("open database, load policies") { () throws -> ([Policy], AuditDatabase) in
            let loaded = PolicyLoader.builtIn()
            if !loaded.errors.isEmpty {
                FileHandle.standardError.write(Data("bench: \(loaded.errors.count) built-in policies failed to load: \(loaded.errors)\n".utf8))
            }
            return (loaded.policies.filter { !exclude.contains($0.id) }, try AuditDatabase.open(path: databasePath))
        }
        let pipelineStart = now()
        plan.policies = policies
        let outcome = try plan.run(inputs, database: audit)
        let pipelineSeconds = now() - pipelineStart
        var accounted = 0.0
        for (phase, seconds) in outcome.timings {
            phases.append((phase, seconds))
            // read and parse run beside the writer; its own timeline is wait + store + the rest.
            if phase != "read" && phase != "parse" { accounted += seconds }
        }
        phases.append(("pipeline other (lock, state hash, coverage, commit)", max(0, pipelineSeconds - accounted)))
        let reportBytes = try timed("report") { () throws -> Int in
            let summary = ScanSummary(id: outcome.scanID, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, label: outcome.label)
            var bytes = 0
            try AtomicFileWriter.write(to: databasePath + ".report.json") { append in
                try JSONReport.write(scan: summary, findings: outcome.findings) { piece in
                    bytes += piece.count
                    try append(piece)
                }
            }
            return bytes
        }
        let total = now() - start
        return Measurement(
            label: label, phases: phases, totalSeconds: total, repositories: outcome.repositories,
            workflowFiles: outcome.workflowFiles, parsedFiles: outcome.parsedFiles, reusedSnapshot: outcome.reusedSnapshot,
            reevaluated: outcome.reevaluatedRepositories ?? -1, findings: outcome.findings.count, policyErrors: outcome.policyErrors.count, reportBytes: reportBytes,
            databaseBytes: 0, walBytes: 0)
    }

    /// `scan-once`: `repeat` scans (each opening and closing the database, as separate nightly
    /// runs would), sizes measured after each close; results written as JSON to `out`.
    static func main(dir: String, databasePath: String, label: String, repeatCount: Int, out: String, exclude: Set<String> = []) throws {
        var runs: [[String: Any]] = []
        for run in 0..<repeatCount {
            let runLabel = repeatCount == 1 ? label : "\(label)-\(run + 1)"
            // The database (and its pool) is released at the end of `scan`, closing every
            // connection, so SQLite checkpoints the WAL as a finished `trustaudit scan` would.
            var measurement = try scan(dir: dir, databasePath: databasePath, label: runLabel, exclude: exclude)
            measurement.databaseBytes = fileSize(databasePath)
            measurement.walBytes = fileSize(databasePath + "-wal")
            runs.append(measurement.json)
            FileHandle.standardError.write(Data(String(format: "bench: %@ %.2fs, %d files, %d parsed, reused=%@, %d findings, db %d bytes, wal %d bytes\n",
                                                       runLabel, measurement.totalSeconds, measurement.workflowFiles, measurement.parsedFiles,
                                                       measurement.reusedSnapshot ? "yes" : "no", measurement.findings,
                                                       measurement.databaseBytes, measurement.walBytes).utf8))
        }
        let document: [String: Any] = ["runs": runs, "max_rss_bytes": peakRSSBytes()]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: out))
    }
}

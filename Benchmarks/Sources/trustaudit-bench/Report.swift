import Foundation

/// The Markdown summary `run` prints: per-phase times, per-item costs, memory, sizes, targets.
enum Report {
    static let phaseOrder = [
        "discover, load exports", "open database, load policies", "known content", "read", "parse", "wait", "store", "state", "snapshot", "ingest",
        "derive", "analyze", "release memory", "compare", "evaluate", "findings",
        "pipeline other (lock, state hash, coverage, commit)", "report",
    ]

    static func markdown(
        dir: String, repositories: Int, files: Int, bytes: Int, cold: Runner.Scenario, unchanged: Runner.Scenario,
        nightly: Runner.Scenario?, changed: Runner.Scenario, changedCount: Int, nightlyCount: Int,
        zizmor: [(String, ChildResult, Int)], excluded: String?
    ) -> String {
        let machine = Machine.describe()
        let memory = Double(machine["memory_bytes"] as? Int ?? 0) / Double(1 << 30)
        var text = """
        ## trustaudit benchmark

        - Date: \(machine["date"] ?? "")
        - Machine: \(machine["cpus"] ?? 0) CPUs (\(machine["cpu_model"] ?? "")), \(String(format: "%.1f", memory)) GiB RAM; load average at the end: \(machine["loadavg_at_end"] ?? "")
        - Policies: every built-in policy\(excluded.map { " except `\($0.split(separator: ",").joined(separator: "`, `"))` (excluded with --exclude-policies)" } ?? "")
        - Input: \(repositories) repositories, \(files) workflow files (\(String(format: "%.1f", Double(bytes) / 1e6)) MB, \(bytes / max(files, 1)) bytes per file on average) in `\(dir)`

        `read` and `parse` run on their own threads, a batch ahead of `store` (the writer), so in a scan
        that stores new content they overlap it and the phases add up to more than the total; `wait` is
        the time the writer waited for the next parsed batch.

        | phase (wall seconds) | cold scan | rescan, unchanged | rescan, \(changedCount) files changed |
        |---|---:|---:|---:|

        """
        for phase in phaseOrder {
            text += "| \(phase) | \(f3(cold.seconds(phase))) | \(f3(unchanged.seconds(phase))) | \(f3(changed.seconds(phase))) |\n"
        }
        text += "| **total (scan to report)** | **\(f2(cold.total))** | **\(f2(unchanged.total))** | **\(f2(changed.total))** |\n"
        text += "| process wall time (incl. start-up, exit) | \(f2(cold.child.wallSeconds)) | \(f2(unchanged.child.wallSeconds)) | \(f2(changed.child.wallSeconds)) |\n"
        text += "| process CPU time (user + sys) | \(f2(cold.child.userSeconds + cold.child.systemSeconds)) | \(f2(unchanged.child.userSeconds + unchanged.child.systemSeconds)) | \(f2(changed.child.userSeconds + changed.child.systemSeconds)) |\n"
        for (label, key) in [("files parsed", "parsed_files"), ("findings", "findings")] {
            text += "| \(label) | \(cold.first[key] ?? 0) | \(unchanged.first[key] ?? 0) | \(changed.first[key] ?? 0) |\n"
        }
        text += "| snapshot reused | \(cold.first["reused_snapshot"] as? Bool == true ? "yes" : "no") | \(unchanged.first["reused_snapshot"] as? Bool == true ? "yes" : "no") | \(changed.first["reused_snapshot"] as? Bool == true ? "yes" : "no") |\n"
        func reevaluated(_ scenario: [String: Any]) -> String {
            let count = scenario["reevaluated"] as? Int ?? -1
            return count < 0 ? "all (full)" : "\(count) (incremental)"
        }
        text += "| repositories re-evaluated | \(cold.first["reused_snapshot"] as? Bool == true ? "none" : reevaluated(cold.first)) | \(unchanged.first["reused_snapshot"] as? Bool == true ? "none (reused)" : reevaluated(unchanged.first)) | \(reevaluated(changed.first)) |\n"
        text += "| workflow files per second | \(rate(files, cold.total)) | \(rate(files, unchanged.total)) | \(rate(files, changed.total)) |\n"
        text += "| per file (ms) | \(f3(cold.total * 1000 / Double(max(files, 1)))) | \(f3(unchanged.total * 1000 / Double(max(files, 1)))) | \(f3(changed.total * 1000 / Double(max(files, 1)))) |\n"
        text += "| per repository (ms) | \(f3(cold.total * 1000 / Double(max(repositories, 1)))) | \(f3(unchanged.total * 1000 / Double(max(repositories, 1)))) | \(f3(changed.total * 1000 / Double(max(repositories, 1)))) |\n"
        text += "| peak RSS (MB) | \(mb(cold.child.maxRSSBytes)) | \(mb(unchanged.child.maxRSSBytes)) | \(mb(changed.child.maxRSSBytes)) |\n"
        text += "| database size after (MB) | \(mb(cold.databaseBytes)) | \(mb(unchanged.databaseBytes)) | \(mb(changed.databaseBytes)) |\n"
        text += "| JSON report (bytes) | \(cold.first["report_bytes"] ?? 0) | \(unchanged.first["report_bytes"] ?? 0) | \(changed.first["report_bytes"] ?? 0) |\n"

        let first = cold.databaseBytes
        var growth = 0.0
        if let nightly {
            let after = nightly.databaseBytes
            growth = Double(after - first) / Double(max(first, 1)) * 100
            let times = nightly.runs.compactMap { $0["total_seconds"] as? Double }
            let mean = times.reduce(0, +) / Double(max(times.count, 1))
            text += """

            **Database growth over \(nightlyCount) unchanged nightly rescans**: \(mb(first)) MB after the cold scan, \
            \(mb(after)) MB after \(nightlyCount) rescans: \(String(format: "%+.3f", growth))% (\(after - first) bytes, \
            \((after - first) / max(nightlyCount, 1)) bytes per rescan). Rescans in that series took \(f2(mean)) s on average \
            (min \(f2(times.min() ?? 0)), max \(f2(times.max() ?? 0))).

            """
        }
        if !zizmor.isEmpty {
            text += "\n| tool, same \(files) workflow files | wall s | CPU s | peak RSS MB | findings | files/s | wall ratio to trustaudit cold |\n|---|---:|---:|---:|---:|---:|---:|\n"
            text += "| trustaudit cold scan (scan + report) | \(f2(cold.child.wallSeconds)) | \(f2(cold.child.userSeconds + cold.child.systemSeconds)) | \(mb(cold.child.maxRSSBytes)) | \(cold.first["findings"] ?? 0) | \(rate(files, cold.child.wallSeconds)) | 1.00 |\n"
            for (name, child, findings) in zizmor {
                text += "| \(name) (exit \(child.exitCode)) | \(f2(child.wallSeconds)) | \(f2(child.userSeconds + child.systemSeconds)) | \(mb(child.maxRSSBytes)) | \(findings) | \(rate(files, child.wallSeconds)) | \(f2(child.wallSeconds / max(cold.child.wallSeconds, 1e-9))) |\n"
            }
        }
        let peak = [cold, unchanged, changed].map(\.child.maxRSSBytes).max() ?? 0
        let scale = Double(10_000) / Double(max(repositories, 1))
        text += """

        | target (10,000 repositories) | measured here | met |
        |---|---|---|
        | cold scan < 20 s | \(f2(cold.total)) s\(scale == 1 ? "" : String(format: " (×%.1f linear ≈ %.1f s)", scale, cold.total * scale)) | \(cold.total * scale < 20 ? "yes" : "**no**") |
        | unchanged rescan < 3 s | \(f2(unchanged.total)) s\(scale == 1 ? "" : String(format: " (×%.1f ≈ %.1f s)", scale, unchanged.total * scale)) | \(unchanged.total * scale < 3 ? "yes" : "**no**") |
        | peak memory < 500 MB | \(mb(peak)) MB | \(peak < 500_000_000 ? "yes" : "**no**") |
        | growth over \(nightlyCount) unchanged rescans < 5% | \(String(format: "%.3f", growth))% | \(nightly == nil ? "not measured" : growth < 5 ? "yes" : "**no**") |

        """
        return text
    }

    static func f2(_ value: Double) -> String { String(format: "%.2f", value) }
    static func f3(_ value: Double) -> String { String(format: "%.3f", value) }
    static func mb(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
    static func rate(_ files: Int, _ seconds: Double) -> String { String(format: "%.0f", Double(files) / max(seconds, 1e-9)) }
}

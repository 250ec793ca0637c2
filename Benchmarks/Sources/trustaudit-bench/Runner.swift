import Foundation

/// `run`: the whole benchmark. Each scan scenario runs in its own child process so its peak
/// memory (from `wait4`) is its own, and the parent only orchestrates and reports.
enum Runner {
    struct Options {
        var dir = ""
        var databasePath: String?
        var nightly = 30
        var mutatePercent = 1.0
        var seed: UInt64 = 1
        var zizmor: String?
        var outJSON: String?
        var outMarkdown: String?
        /// Built-in policies left out of every scan (named in the report).
        var excludePolicies: String?
    }

    struct Scenario {
        var name: String
        var child: ChildResult
        var runs: [[String: Any]]

        var first: [String: Any] { runs[0] }
        var last: [String: Any] { runs[runs.count - 1] }

        func seconds(_ phase: String, run: [String: Any]? = nil) -> Double {
            let phases = (run ?? first)["phases"] as? [[String: Any]] ?? []
            return phases.filter { ($0["phase"] as? String) == phase }.reduce(0) { $0 + (($1["seconds"] as? Double) ?? 0) }
        }

        var total: Double { first["total_seconds"] as? Double ?? 0 }
        var files: Int { first["workflow_files"] as? Int ?? 0 }
        var databaseBytes: Int { (last["database_bytes"] as? Int ?? 0) + (last["wal_bytes"] as? Int ?? 0) }
    }

    static func main(_ options: Options) throws {
        let dir = URL(fileURLWithPath: options.dir).standardizedFileURL.path
        let databasePath = options.databasePath ?? "\(dir)/bench.db"
        let logs = "\(dir)/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm", ".lock", ".report.json"] {
            try? FileManager.default.removeItem(atPath: databasePath + suffix)
        }
        let inputFiles = Generator.workflowFiles(dir: dir)
        let inputBytes = inputFiles.reduce(0) { $0 + fileSize("\(dir)/repos/\($1)") }
        let repositories = Set(inputFiles.map { $0.split(separator: "/").prefix(2).joined(separator: "/") }).count
        log("benchmark: \(repositories) repositories, \(inputFiles.count) workflow files (\(inputBytes) bytes) in \(dir)")

        func scenario(_ name: String, label: String, repeatCount: Int = 1) throws -> Scenario {
            log("scenario \(name)…")
            let out = "\(logs)/\(label).json"
            let child = try ChildProcess.run(
                [ChildProcess.selfPath, "scan-once", "--dir", dir, "--db", databasePath, "--label", label,
                 "--repeat", String(repeatCount), "--out", out] + (options.excludePolicies.map { ["--exclude-policies", $0] } ?? []),
                stdout: "\(logs)/\(label).stdout", stderr: "\(logs)/\(label).stderr")
            guard child.exitCode == 0 else {
                throw BenchError("\(name) failed with exit code \(child.exitCode); see \(logs)/\(label).stderr")
            }
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
            let runs = object?["runs"] as? [[String: Any]] ?? []
            let result = Scenario(name: name, child: child, runs: runs)
            log(String(format: "  %.2f s wall (%.2f s in scan), peak RSS %.0f MB, database %.1f MB",
                       child.wallSeconds, result.total, Double(child.maxRSSBytes) / 1e6, Double(result.databaseBytes) / 1e6))
            return result
        }

        let cold = try scenario("cold scan (fresh database)", label: "cold")
        let unchanged = try scenario("rescan, unchanged", label: "rescan-unchanged")
        var nightly: Scenario?
        if options.nightly > 1 {
            nightly = try scenario("\(options.nightly - 1) more unchanged nightly rescans", label: "nightly", repeatCount: options.nightly - 1)
        }
        var zizmorRuns: [(String, ChildResult, Int)] = []
        if let zizmor = options.zizmor {
            for (name, extra) in [("zizmor --offline (regular persona, all severities)", [String]()),
                                  ("zizmor --offline --min-severity high", ["--min-severity", "high"])] {
                log("\(name)…")
                let stdout = "\(logs)/zizmor-\(extra.isEmpty ? "all" : "high").json"
                let child = try ChildProcess.run(
                    [zizmor, "--offline", "--no-progress", "--no-config", "--format", "json"] + extra + ["\(dir)/repos"],
                    stdout: stdout, stderr: "\(logs)/zizmor-\(extra.isEmpty ? "all" : "high").stderr",
                    environment: ["NO_COLOR": "1"])
                // Counted by streaming, never parsed whole: the parent must stay small, because a child
                // started with posix_spawn (CLONE_VM) inherits the parent's RSS high-water mark at exec.
                let findings = countOccurrences(of: "\"ident\":", inFile: stdout)
                log(String(format: "  exit %d, %.2f s wall, %.2f s CPU, peak RSS %.0f MB, %d findings",
                           child.exitCode, child.wallSeconds, child.userSeconds + child.systemSeconds, Double(child.maxRSSBytes) / 1e6, findings))
                zizmorRuns.append((name, child, findings))
            }
        }
        let changedCount = try Generator.mutate(dir: dir, percent: options.mutatePercent, seed: options.seed &+ 1)
        log("mutated \(changedCount) workflow files (\(options.mutatePercent)%)")
        let changed = try scenario("rescan after \(options.mutatePercent)% of files changed", label: "rescan-changed")

        let markdown = Report.markdown(
            dir: dir, repositories: repositories, files: inputFiles.count, bytes: inputBytes, cold: cold, unchanged: unchanged,
            nightly: nightly, changed: changed, changedCount: changedCount, nightlyCount: options.nightly, zizmor: zizmorRuns,
            excluded: options.excludePolicies)
        print(markdown)
        if let path = options.outMarkdown { try Data(markdown.utf8).write(to: URL(fileURLWithPath: path)) }
        if let path = options.outJSON {
            var document: [String: Any] = [
                "machine": Machine.describe(), "repositories": repositories, "workflow_files": inputFiles.count,
                "workflow_bytes": inputBytes, "mutated_files": changedCount,
            ]
            for (key, value) in [("cold", cold), ("rescan_unchanged", unchanged), ("rescan_changed", changed)] + (nightly.map { [("nightly", $0)] } ?? []) {
                document[key] = ["runs": value.runs, "wall_seconds": value.child.wallSeconds, "max_rss_bytes": value.child.maxRSSBytes,
                                 "cpu_seconds": value.child.userSeconds + value.child.systemSeconds]
            }
            document["zizmor"] = zizmorRuns.map { ["name": $0.0, "exit": $0.1.exitCode, "wall_seconds": $0.1.wallSeconds,
                                                   "cpu_seconds": $0.1.userSeconds + $0.1.systemSeconds,
                                                   "max_rss_bytes": $0.1.maxRSSBytes, "findings": $0.2] }
            let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: path))
        }
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    }
}

enum Machine {
    static func describe() -> [String: Any] {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let memKB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } } ?? 0
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let formatter = ISO8601DateFormatter()
        return ["cpus": ProcessInfo.processInfo.activeProcessorCount, "cpu_model": model, "memory_bytes": memKB * 1024,
                "loadavg_at_end": load, "date": formatter.string(from: Date())]
    }
}

/// How many times `needle` occurs in a file, read in 1 MiB chunks.
func countOccurrences(of needle: String, inFile path: String) -> Int {
    guard let handle = FileHandle(forReadingAtPath: path) else { return -1 }
    defer { try? handle.close() }
    let pattern = Array(needle.utf8)
    var count = 0
    var carry: [UInt8] = []
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        let bytes = carry + [UInt8](chunk)
        var index = 0
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0] && Array(bytes[index..<index + pattern.count]) == pattern { count += 1; index += pattern.count } else { index += 1 }
        }
        carry = Array(bytes.suffix(pattern.count - 1))
    }
    return count
}

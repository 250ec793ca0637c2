import Foundation
import GRDB
import Testing
@testable import TrustAuditCore
#if canImport(Glibc)
import Glibc
#endif

/// `scans`, `drift`, `scan --fail-on-new`, `prune`, and killed or concurrent scans, through the
/// real `trustaudit` executable.
@Suite("History on the command line", .enabled(if: CLI.executable != nil, "the trustaudit executable was not found in the build folder"))
struct HistoryCLITests {
    /// `acme/api` (OIDC deploy, clean CI) and `acme/web` (write-all) under `cwd/acme`.
    static func writeOrg(in cwd: URL) throws {
        try TestSupport.write(HistoryFixture.deployWorkflow(), to: "acme/api/.github/workflows/deploy.yml", in: cwd)
        try TestSupport.write(cleanWorkflow, to: "acme/api/.github/workflows/ci.yml", in: cwd)
        try TestSupport.write(writeAllWorkflow, to: "acme/web/.github/workflows/ci.yml", in: cwd)
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// Adds a scan row by hand, as a failed scan leaves it.
    static func insertFailedScan(db path: String) throws -> Int64 {
        let database = try AuditDatabase.open(path: path)
        return try database.pool.write { db in
            try db.execute(sql: "INSERT INTO scans (started_at, finished_at, status, tool_version, error) VALUES (?, ?, 'failed', '0.1.0', 'boom')",
                           arguments: [Timestamp.now(), Timestamp.now()])
            return db.lastInsertedRowID
        }
    }

    @Test("scans lists every scan in text and JSON: id, label, status, coverage and findings by severity")
    func scansListing() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            let missing = try CLI.run(["scans", "--db", "audit.db"], in: cwd)
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("no database at audit.db"))
            #expect(!FileManager.default.fileExists(atPath: cwd.appendingPathComponent("audit.db").path))
            _ = try TestSupport.openDatabase(in: cwd)
            let empty = try CLI.run(["scans", "--db", "audit.db"], in: cwd)
            #expect(empty.status == 0)
            #expect(empty.stdout.contains("No scans yet"))

            let first = try CLI.run(["scan", "acme", "--db", "audit.db", "--format", "json", "--label", "nightly-1"], in: cwd)
            #expect(first.status == 0, "\(first.stderr)")
            let summary = try #require((try Self.json(first.stdout) as? [String: Any])?["summary"] as? [String: Int])
            #expect(try CLI.run(["scan", "acme", "--db", "audit.db"], in: cwd).status == 0)
            let failedID = try Self.insertFailedScan(db: cwd.appendingPathComponent("audit.db").path)

            let text = try CLI.run(["scans", "--db", "audit.db"], in: cwd)
            #expect(text.status == 0, "\(text.stderr)")
            let lines = text.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(text.stdout)")
            #expect(lines.first?.contains("STATUS") == true)
            #expect(lines[1].trimmingCharacters(in: .whitespaces).hasPrefix("\(failedID)  failed"), "\(lines[1])")
            #expect(lines[1].contains("boom"))
            #expect(lines[2].trimmingCharacters(in: .whitespaces).hasPrefix("2  complete"), "\(lines[2])")
            #expect(lines[2].contains("unchanged since scan 1"))
            #expect(lines[3].trimmingCharacters(in: .whitespaces).hasPrefix("1  complete"))
            #expect(lines[3].contains("nightly-1"))

            let json = try CLI.run(["scans", "--db", "audit.db", "--format", "json"], in: cwd)
            #expect(json.status == 0)
            let entries = try #require(try Self.json(json.stdout) as? [[String: Any]])
            let checked1 = entries.map { $0["id"] as? Int } == [Int(failedID), 2, 1]
            #expect(checked1)
            let checked2 = entries.map { $0["status"] as? String } == ["failed", "complete", "complete"]
            #expect(checked2)
            for entry in entries {
                #expect(Set(entry.keys).isSuperset(of: ["id", "label", "started_at", "finished_at", "status", "repositories", "files", "summary"]), "\(entry)")
            }
            let latest = entries[1]
            #expect(latest["repositories"] as? Int == 2)
            #expect(latest["files"] as? Int == 3)
            #expect(latest["shares_snapshot_of"] as? Int == 1)
            #expect(latest["summary"] as? [String: Int] == summary, "the list's counts are the scan report's")
            #expect(entries[2]["label"] as? String == "nightly-1")
            #expect(entries[2]["shares_snapshot_of"] is NSNull)
            #expect((summary["high"] ?? 0) > 0)
        }
    }

    @Test("drift: default latest two, --from/--to, --to latest, formats, and clear errors for missing or failed scans")
    func driftCommand() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            let db = cwd.appendingPathComponent("audit.db").path
            let noFile = try CLI.run(["drift", "--db", db], in: cwd)
            #expect(noFile.status == 2)
            #expect(noFile.stderr.contains("no database at"))
            _ = try TestSupport.openDatabase(in: cwd)
            let none = try CLI.run(["drift", "--db", db], in: cwd)
            #expect(none.status == 2)
            #expect(none.stderr.contains("no complete scan"))

            #expect(try CLI.run(["scan", "acme", "--db", db], in: cwd).status == 0)
            let single = try CLI.run(["drift", "--db", db], in: cwd)
            #expect(single.status == 2)
            #expect(single.stderr.contains("no complete scan before scan 1"), "\(single.stderr)")

            try TestSupport.write(writeAllWorkflow, to: "acme/api/.github/workflows/release.yml", in: cwd)
            #expect(try CLI.run(["scan", "acme", "--db", db], in: cwd).status == 0)
            try TestSupport.write(cleanWorkflow, to: "acme/web/.github/workflows/ci.yml", in: cwd)
            #expect(try CLI.run(["scan", "acme", "--db", db], in: cwd).status == 0)
            let failedID = try Self.insertFailedScan(db: db)

            let latestTwo = try CLI.run(["drift", "--db", db], in: cwd)
            #expect(latestTwo.status == 0, "\(latestTwo.stderr)")
            #expect(latestTwo.stdout.hasPrefix("Drift from scan 2 "), "\(latestTwo.stdout)")
            #expect(latestTwo.stdout.contains("to scan 3 "))
            #expect(latestTwo.stdout.contains("0 introduced"))
            #expect(!latestTwo.stdout.contains(" 0 resolved"))

            let explicit = try CLI.run(["drift", "--db", db, "--from", "1", "--to", "latest", "--format", "json"], in: cwd)
            #expect(explicit.status == 0, "\(explicit.stderr)")
            let document = try #require(try Self.json(explicit.stdout) as? [String: Any])
            #expect((document["from"] as? [String: Any])?["id"] as? Int == 1)
            #expect((document["to"] as? [String: Any])?["id"] as? Int == 3)
            #expect(Set(document.keys) == ["from", "to", "introduced", "resolved", "persisting", "changes", "not_covered"])
            let introduced = try #require(document["introduced"] as? [[String: Any]])
            let checked3 = introduced.contains { $0["file"] as? String == ".github/workflows/release.yml" }
            #expect(checked3)
            let resolved = try #require(document["resolved"] as? [[String: Any]])
            let checked4 = resolved.contains { $0["repository"] as? String == "acme/web" }
            #expect(checked4)

            let toTwo = try CLI.run(["drift", "--db", db, "--to", "2", "--format", "markdown"], in: cwd)
            #expect(toTwo.status == 0, "\(toTwo.stderr)")
            #expect(toTwo.stdout.hasPrefix("## trustaudit drift: scan 1 → scan 2"), "\(toTwo.stdout)")
            #expect(toTwo.stdout.contains("| introduced |"))

            let missing = try CLI.run(["drift", "--db", db, "--from", "99"], in: cwd)
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("no scan 99"), "\(missing.stderr)")
            for id in 1...3 { #expect(missing.stderr.contains("\(id) ("), "lists complete scan \(id): \(missing.stderr)") }

            let failed = try CLI.run(["drift", "--db", db, "--to", String(failedID)], in: cwd)
            #expect(failed.status == 2)
            #expect(failed.stderr.contains("scan \(failedID) is failed"), "\(failed.stderr)")
            #expect(failed.stderr.contains("3 ("))

            let bad = try CLI.run(["drift", "--db", db, "--to", "yesterday"], in: cwd)
            #expect(bad.status == 2)
            let badFormat = try CLI.run(["drift", "--db", db, "--format", "yaml"], in: cwd)
            #expect(badFormat.status == 2)
        }
    }

    @Test("scan --fail-on-new fails only when a finding at or above the level is new since the previous scan or --baseline")
    func failOnNew() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            let db = ["--db", "audit.db"]
            // No earlier scan: every finding is new.
            let first = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high"], in: cwd)
            #expect(first.status == 1, "\(first.stderr)")
            // Unchanged: nothing new.
            let unchanged = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high"], in: cwd)
            #expect(unchanged.status == 0, "\(unchanged.stderr)")
            #expect(!unchanged.stderr.contains("new finding"))

            // A new high finding in an existing repository, below the level asked for: exit 0.
            try TestSupport.write(writeAllWorkflow, to: "acme/api/.github/workflows/release.yml", in: cwd)
            let belowLevel = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "critical"], in: cwd)
            #expect(belowLevel.status == 0, "\(belowLevel.stderr)")
            // Rescanned: that finding is no longer new.
            let again = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high"], in: cwd)
            #expect(again.status == 0, "\(again.stderr)")

            // Another new high finding: exit 1 with a message; the scan itself is still stored.
            try TestSupport.write(writeAllWorkflow + "# extra\n", to: "acme/web/.github/workflows/extra.yml", in: cwd)
            let newHigh = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high", "--format", "json"], in: cwd)
            #expect(newHigh.status == 1)
            #expect(newHigh.stderr.contains("new finding(s) at or above high"), "\(newHigh.stderr)")
            #expect((try? Self.json(newHigh.stdout)) is [String: Any], "the report is still written")
            #expect(try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high"], in: cwd).status == 0)

            // Against an older baseline the findings added since then are new.
            let baseline = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high", "--baseline", "2"], in: cwd)
            #expect(baseline.status == 1, "\(baseline.stderr)")
            let latestBaseline = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high", "--baseline", "5"], in: cwd)
            #expect(latestBaseline.status == 0, "\(latestBaseline.stderr)")
            let missingBaseline = try CLI.run(["scan", "acme"] + db + ["--fail-on-new", "high", "--baseline", "99"], in: cwd)
            #expect(missingBaseline.status == 2)
            #expect(missingBaseline.stderr.contains("no scan 99"), "\(missingBaseline.stderr)")

            let list = try #require(try Self.json(try CLI.run(["scans"] + db + ["--format", "json"], in: cwd).stdout) as? [[String: Any]])
            #expect(list.count == 9)
            let checked5 = list.allSatisfy { $0["status"] as? String == "complete" }
            #expect(checked5)
        }
    }

    @Test("prune --keep 1 reports what it removed and leaves the latest scan usable; prune without options is a usage error")
    func prune() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            let db = ["--db", "audit.db"]
            #expect(try CLI.run(["scan", "acme"] + db, in: cwd).status == 0)
            try TestSupport.write(cleanWorkflow, to: "acme/web/.github/workflows/ci.yml", in: cwd)
            #expect(try CLI.run(["scan", "acme"] + db, in: cwd).status == 0)
            #expect(try CLI.run(["scan", "acme"] + db, in: cwd).status == 0)

            for arguments in [["prune"], ["prune", "--keep", "0"], ["prune", "--older-than", "90x"], ["prune", "--older-than", "soon"]] {
                let refused = try CLI.run(arguments + db, in: cwd)
                #expect(refused.status == 2, "\(arguments)")
                #expect(!refused.stderr.isEmpty)
            }
            #expect(try CLI.run(["prune"] + db, in: cwd).stderr.contains("--keep"))

            let nothingOld = try CLI.run(["prune", "--older-than", "90d"] + db, in: cwd)
            #expect(nothingOld.status == 0, "\(nothingOld.stderr)")
            #expect(nothingOld.stdout.hasPrefix("Removed 0 scan(s)"), "\(nothingOld.stdout)")

            let pruned = try CLI.run(["prune", "--keep", "1"] + db, in: cwd)
            #expect(pruned.status == 0, "\(pruned.stderr)")
            #expect(pruned.stdout.hasPrefix("Removed 2 scan(s), 1 unused document(s) and 0 stale cached API response(s); database "), "\(pruned.stdout)")
            #expect(pruned.stdout.contains("KiB →"))

            let list = try #require(try Self.json(try CLI.run(["scans"] + db + ["--format", "json"], in: cwd).stdout) as? [[String: Any]])
            let checked6 = list.map { $0["id"] as? Int } == [3]
            #expect(checked6)
            let drift = try CLI.run(["drift"] + db, in: cwd)
            #expect(drift.status == 2)
            #expect(drift.stderr.contains("no complete scan before scan 3"), "\(drift.stderr)")
            let report = try CLI.run(["scan", "acme"] + db + ["--format", "json"], in: cwd)
            #expect(report.status == 0)
            #expect(try CLI.run(["drift"] + db, in: cwd).status == 0)
        }
    }

    // MARK: Killed and concurrent scans

    /// A process started in the background, with its output captured to files.
    private final class Background {
        let process = Process()
        let capture: URL

        init(_ arguments: [String], in directory: URL) throws {
            capture = FileManager.default.temporaryDirectory.appendingPathComponent("trustaudit-bg-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
            process.executableURL = CLI.executable!
            process.arguments = arguments
            process.currentDirectoryURL = directory
            var environment = ProcessInfo.processInfo.environment
            environment["TRUSTAUDIT_DB"] = nil
            environment["NO_COLOR"] = nil
            process.environment = environment
            FileManager.default.createFile(atPath: capture.appendingPathComponent("out").path, contents: nil)
            FileManager.default.createFile(atPath: capture.appendingPathComponent("err").path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: capture.appendingPathComponent("out"))
            process.standardError = try FileHandle(forWritingTo: capture.appendingPathComponent("err"))
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        func wait() -> CLI.Result {
            process.waitUntilExit()
            defer { try? FileManager.default.removeItem(at: capture) }
            func read(_ name: String) -> String {
                String(decoding: (try? Data(contentsOf: capture.appendingPathComponent(name))) ?? Data(), as: UTF8.self)
            }
            return CLI.Result(status: process.terminationStatus, stdout: read("out"), stderr: read("err"))
        }
    }

    /// `count` repositories with two workflows each, all of distinct content (so all must be parsed).
    static func writeLargeOrg(_ name: String, count: Int, in cwd: URL) throws {
        for index in 0..<count {
            for file in 0..<2 {
                try TestSupport.write("""
                    on:
                      push:
                        branches: [main, release-\(index)]
                    jobs:
                      build\(file):
                        runs-on: ubuntu-latest
                        permissions:
                          contents: read
                          id-token: write
                        steps:
                          - uses: actions/checkout@v4
                          - run: echo \(index) \(file)

                    """, to: "\(name)/r\(index)/.github/workflows/w\(file).yml", in: cwd)
            }
        }
    }

    static func statuses(_ path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT status FROM scans ORDER BY id") }
    }

    @Test("a scan killed with SIGKILL mid-way leaves the database usable; the next scan marks it failed")
    func killedScan() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            try Self.writeLargeOrg("big", count: 4000, in: cwd)
            let db = cwd.appendingPathComponent("audit.db").path
            #expect(try CLI.run(["scan", "acme", "--db", db], in: cwd).status == 0)

            let victim = try Background(["scan", "big", "--owner", "acme", "--db", db], in: cwd)
            // Wait until it has its running row, then let it get into the work before killing it.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline, victim.process.isRunning, (try? Self.statuses(db).last) != "running" {
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: 0.3)
            let killedMidway = victim.process.isRunning
            kill(victim.process.processIdentifier, SIGKILL)
            let result = victim.wait()
            try #require(killedMidway, "the scan finished before it could be killed; make the generated org larger")
            #expect(victim.process.terminationReason == .uncaughtSignal)
            #expect(result.status == SIGKILL)

            // Readers still work and see the earlier snapshot as the latest complete one.
            let listing = try #require(try Self.json(try CLI.run(["scans", "--db", db, "--format", "json"], in: cwd).stdout) as? [[String: Any]])
            let checked7 = listing.map { $0["status"] as? String } == ["running", "complete"]
            #expect(checked7)

            let next = try CLI.run(["scan", "acme", "--db", db], in: cwd)
            #expect(next.status == 0, "\(next.stderr)")
            let after = try #require(try Self.json(try CLI.run(["scans", "--db", db, "--format", "json"], in: cwd).stdout) as? [[String: Any]])
            let checked8 = after.map { $0["status"] as? String } == ["complete", "failed", "complete"]
            #expect(checked8)
            #expect((after[1]["error"] as? String)?.contains("interrupted") == true)
            let drift = try CLI.run(["drift", "--db", db], in: cwd)
            #expect(drift.status == 0, "\(drift.stderr)")
            #expect(drift.stdout.hasPrefix("Drift from scan 1 "), "the failed scan is skipped: \(drift.stdout)")

            let database = try AuditDatabase.open(path: db)
            #expect(try database.strings("PRAGMA integrity_check") == ["ok"])
            #expect(try database.count("SELECT COUNT(*) FROM scan_repositories WHERE scan_id = 2") == 0)
            #expect(try database.count("SELECT COUNT(*) FROM scan_repositories WHERE lower(full_name) LIKE 'acme/r%'") == 0)
        }
    }

    @Test("two scan processes started at once on one database both complete")
    func concurrentProcesses() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            try Self.writeLargeOrg("big", count: 40, in: cwd)
            let db = cwd.appendingPathComponent("audit.db").path
            let one = try Background(["scan", "big", "--owner", "acme", "--db", db], in: cwd)
            let two = try Background(["scan", "acme", "--db", db], in: cwd)
            let first = one.wait()
            let second = two.wait()
            #expect(first.status == 0, "\(first.stderr)")
            #expect(second.status == 0, "\(second.stderr)")
            #expect(try Self.statuses(db) == ["complete", "complete"])
            let database = try AuditDatabase.open(path: db)
            #expect(try database.strings("PRAGMA integrity_check") == ["ok"])
            #expect(try database.count("SELECT COUNT(DISTINCT scan_id) FROM scan_repositories") == 2)
        }
    }

    @Test("a --db that is truncated garbage is refused with exit 2 and left untouched")
    func garbageDatabase() throws {
        try CLI.inTemporaryDirectory { cwd in
            try Self.writeOrg(in: cwd)
            let bytes = Array("SQLite format 3\0".utf8) + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let file = try TestSupport.write(bytes, to: "audit.db", in: cwd)
            for arguments in [["scans"], ["drift"], ["prune", "--keep", "1"], ["scan", "acme"]] {
                let result = try CLI.run(arguments + ["--db", file.path], in: cwd)
                #expect(result.status == 2, "\(arguments)")
                #expect(result.stderr.contains("not a trustaudit database"), "\(arguments): \(result.stderr)")
            }
            #expect(Array(try Data(contentsOf: file)) == bytes)
        }
    }
}

import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Inputs from a hostile-input campaign, rebuilt at test time (nothing large is committed): each
/// must end in a clear message, a coverage row and a truthful exit code, never a crash, a hang
/// or a silent "complete".
@Suite("hostile inputs", .enabled(if: CLI.executable != nil, "the trustaudit executable was not found in the build folder"))
struct HostileInputTests {
    static let demo = CLITests.demo

    /// The executable run as user `nobody`, for permission tests: root reads any folder.
    static let unprivileged: [String]? = {
        if geteuid() != 0 { return [] }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return nil }
        return ["--reuid=65534", "--regid=65534", "--clear-groups"]
    }()

    static func runMaybeUnprivileged(_ arguments: [String], in directory: URL) throws -> CLI.Result {
        guard let prefix = unprivileged, !prefix.isEmpty, let executable = CLI.executable else {
            return try CLI.run(arguments, in: directory)
        }
        return try CLI.run(prefix + [executable.path] + arguments, in: directory, executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
    }

    // MARK: 4. unreadable folders and files are coverage, not a clean result

    @Test("an unreadable workflows folder is a coverage row and exit 3, not 0 files and exit 0",
          .enabled(if: HostileInputTests.unprivileged != nil, "running as root without setpriv"))
    func unreadableWorkflowsFolder() throws {
        try CLI.inTemporaryDirectory { cwd in
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: cwd.path)
            try TestSupport.write(writeAllWorkflow, to: "org/open/.github/workflows/ci.yml", in: cwd)
            let locked = try TestSupport.write(cleanWorkflow, to: "org/locked/.github/workflows/ci.yml", in: cwd).deletingLastPathComponent()
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: locked.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
            let result = try Self.runMaybeUnprivileged(["scan", "org", "--db", "audit.db"], in: cwd)
            #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("COVERAGE"))
            #expect(result.stdout.contains("workflows org/locked: .github/workflows: cannot list the folder"))
            #expect(result.stderr.contains("scan incomplete"))
            #expect(result.stdout.contains("permissions-write-all"), "the readable repository is still audited")
        }
    }

    @Test("an unreadable workflow file is named in the coverage and fails the exit code",
          .enabled(if: HostileInputTests.unprivileged != nil, "running as root without setpriv"))
    func unreadableWorkflowFile() throws {
        try CLI.inTemporaryDirectory { cwd in
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: cwd.path)
            let file = try TestSupport.write(cleanWorkflow, to: "org/app/.github/workflows/secret.yml", in: cwd)
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file.path)
            let result = try Self.runMaybeUnprivileged(["scan", "org", "--db", "audit.db", "--format", "json"], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let coverage = try #require(document["coverage"] as? [[String: Any]])
            let checked1 = coverage.contains { ($0["detail"] as? String)?.contains(".github/workflows/secret.yml: not read: cannot open the file") == true }
            #expect(checked1, "\(coverage)")
        }
    }

    // MARK: 8. a policy that did not run leaves the audit incomplete

    @Test("a broken user policy is in the JSON coverage and makes the scan exit 3")
    func brokenUserPolicy() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            try TestSupport.write("id: [unclosed\n", to: "policies/acme-broken.yml", in: cwd)
            try TestSupport.write(CLI.customPolicy(id: "acme-other-name", query: "SELECT 'x' AS message"), to: "policies/acme-mismatch.yml", in: cwd)
            let result = try CLI.run(["scan", "org", "--db", "audit.db", "--policies", "policies", "--format", "json"], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let coverage = try #require(document["coverage"] as? [[String: Any]])
            let documents = coverage.filter { $0["kind"] as? String == "policy" }.compactMap { $0["document"] as? String }
            let checked2 = documents.contains { $0.hasSuffix("acme-broken.yml") }
            #expect(checked2, "\(coverage)")
            let checked3 = documents.contains { $0.hasSuffix("acme-mismatch.yml") }
            #expect(checked3, "\(coverage)")
            let findings = try #require(document["findings"] as? [[String: Any]])
            let checked4 = findings.contains { $0["policy"] as? String == "permissions-write-all" }
            #expect(checked4, "the other policies still ran")
        }
    }

    // MARK: 9. alias amplification by bytes

    /// A workflow of about 1 KB whose aliases expand a 1,000-character string ten-thousandfold
    /// per level: few nodes, a great deal of text.
    static let byteAliasBomb: String = {
        var text = "on: push\nx0: &a0 \"\(String(repeating: "A", count: 1_000))\"\n"
        for level in 1...5 {
            text += "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: *a5\n"
        return text
    }()

    @Test("a workflow whose aliases expand past the byte limit is a coverage row, not a gigabyte", .timeLimit(.minutes(2)))
    func aliasBombByBytes() throws {
        #expect(Self.byteAliasBomb.utf8.count < 2_000)
        guard case .failed(let failure) = WorkflowParser.parse(text: Self.byteAliasBomb) else {
            Issue.record("the alias bomb parsed")
            return
        }
        #expect(failure.limit == "max_expanded_bytes")
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(Self.byteAliasBomb, to: "org/app/.github/workflows/bomb.yml", in: cwd)
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            let result = try CLI.run(["scan", "org", "--db", "audit.db"], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stdout.contains("bomb.yml: not read: line 2: the workflow's text expands to more than 16777216 bytes"), "\(result.stdout)")
            #expect(result.stdout.contains("permissions-write-all"))
            let size = try FileManager.default.attributesOfItem(atPath: cwd.appendingPathComponent("audit.db").path)[.size] as? Int ?? 0
            #expect(size < 5_000_000)
            let raised = try CLI.run(["scan", "org", "--db", "audit.db", "--max-expanded-bytes", "200000000", "--format", "json"], in: cwd)
            #expect(!raised.stdout.contains("expands to more than"), "the limit is an option")
        }
    }

    @Test("lowering the byte limit refuses a file whose facts an earlier scan stored under a higher one")
    func loweredLimitRereadsStoredContent() throws {
        // 40 copies of a 1,000-character string: about 40 KB once expanded, fine by default.
        let aliased = "on: push\nx: &a \"\(String(repeating: "A", count: 1_000))\"\nenv:\n"
            + (0..<40).map { "  V\($0): *a\n" }.joined() + "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(aliased, to: "org/app/.github/workflows/aliases.yml", in: cwd)
            let first = try CLI.run(["scan", "org", "--db", "audit.db"], in: cwd)
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let lowered = try CLI.run(["scan", "org", "--db", "audit.db", "--max-expanded-bytes", "20000"], in: cwd)
            #expect(lowered.status == 3, "the stored facts were reused under a limit they exceed: \(lowered.stdout)")
            #expect(lowered.stdout.contains("aliases.yml: not read: line"), "\(lowered.stdout)")
            #expect(lowered.stdout.contains("expands to more than 20000 bytes"), "\(lowered.stdout)")
            let again = try CLI.run(["scan", "org", "--db", "audit.db"], in: cwd)
            #expect(again.status == 0, "back at the default limit the file is read again: \(again.stdout)")
        }
    }

    // MARK: 11. policy queries are bounded in time and rows

    static func hostilePolicy(id: String, query: String) -> String {
        CLI.customPolicy(id: id, query: query)
    }

    @Test("an endless recursive query is stopped by the time budget in scan, policy test and policy validate", .timeLimit(.minutes(3)))
    func policyTimeout() throws {
        try CLI.inTemporaryDirectory { cwd in
            let endless = "SELECT 'x' AS message FROM (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r)"
            let file = try TestSupport.write(Self.hostilePolicy(id: "acme-endless", query: endless), to: "policies/acme-endless.yml", in: cwd)
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            let scan = try CLI.run(["scan", "org", "--db", "audit.db", "--policies", "policies", "--policy-timeout", "1"], in: cwd)
            #expect(scan.status == 3, "\(scan.stderr)")
            #expect(scan.stdout.contains("acme-endless"))
            #expect(scan.stdout.contains("ran longer than its 1 s limit"), "\(scan.stdout)")
            let validate = try CLI.run(["policy", "validate", file.path, "--policy-timeout", "1"], in: cwd)
            #expect(validate.status == 1)
            #expect(validate.stdout.contains("ran longer than its 1 s limit"), "\(validate.stdout)")
            let test = try CLI.run(["policy", "test", "--policies", "policies", "--only", "acme-endless", "--policy-timeout", "1"], in: cwd)
            #expect(test.status == 1)
            #expect(test.stdout.contains("ran longer than its 1 s limit"), "\(test.stdout)")
        }
    }

    @Test("a query returning ten million rows is stopped at the row cap", .timeLimit(.minutes(3)))
    func policyRowCap() throws {
        try CLI.inTemporaryDirectory { cwd in
            let flood = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10000000) SELECT 'row ' || n AS message FROM r"
            try TestSupport.write(Self.hostilePolicy(id: "acme-flood", query: flood), to: "policies/acme-flood.yml", in: cwd)
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            let scan = try CLI.run(["scan", "org", "--db", "audit.db", "--policies", "policies", "--policy-max-rows", "1000", "--format", "json"], in: cwd)
            #expect(scan.status == 3, "\(scan.stderr)")
            #expect(scan.stdout.utf8.count < 1_000_000)
            #expect(scan.stdout.contains("returned more than 1000 rows"), "\(scan.stdout.prefix(2000))")
        }
    }

    @Test("limits in trustaudit.yml are read and checked")
    func limitsInConfig() throws {
        let config = try AuditConfig.parse(text: "limits: { policy_timeout: 5, policy_max_rows: 10, max_expanded_bytes: 1000 }\n", file: "trustaudit.yml")
        #expect(config.policySettings.limits == ScanLimits(policyTimeout: 5, policyMaxRows: 10, maxExpandedBytes: 1000))
        #expect(throws: ConfigError.self) { try AuditConfig.parse(text: "limits: { policy_timeout: -1 }\n", file: "trustaudit.yml") }
        #expect(throws: ConfigError.self) { try AuditConfig.parse(text: "limits: { max_rows: 3 }\n", file: "trustaudit.yml") }
    }

    // MARK: 12. a FIFO is not opened for reading

    @Test("a FIFO named like a workflow does not hang the scan", .timeLimit(.minutes(1)))
    func fifoWorkflow() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            let fifo = cwd.appendingPathComponent("org/app/.github/workflows/x.yml").path
            #expect(mkfifo(fifo, 0o644) == 0)
            let result = try CLI.run(["scan", "org", "--db", "audit.db"], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stdout.contains("x.yml: not read: not a regular file (a named pipe)"), "\(result.stdout)")
            #expect(result.stdout.contains("permissions-write-all"))
        }
    }

    @Test("a FIFO given as an export does not hang the scan", .timeLimit(.minutes(1)))
    func fifoExport() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            let fifo = cwd.appendingPathComponent("octopus.json").path
            #expect(mkfifo(fifo, 0o644) == 0)
            let result = try CLI.run(["scan", "org", "--db", "audit.db", "--octopus", fifo], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stdout.contains("octopus.json: not read"), "\(result.stdout)")
        }
    }

    @Test("a FIFO in the policies folder does not hang the scan", .timeLimit(.minutes(1)))
    func fifoPolicy() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            try FileManager.default.createDirectory(at: cwd.appendingPathComponent("policies"), withIntermediateDirectories: true)
            #expect(mkfifo(cwd.appendingPathComponent("policies/acme-pipe.yml").path, 0o644) == 0)
            let result = try CLI.run(["scan", "org", "--db", "audit.db", "--policies", "policies"], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("acme-pipe.yml: not a regular file (a named pipe)"), "\(result.stderr)")
        }
    }

    // MARK: 18. file names that are not UTF-8

    @Test("a workflow whose file name is not UTF-8 is read and named with escapes")
    func nonUTF8FileName() throws {
        try CLI.inTemporaryDirectory { cwd in
            let folder = cwd.appendingPathComponent("org/app/.github/workflows")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let name = Array(folder.path.utf8) + Array("/d\u{0}".utf8).dropLast() + [0xFF, 0xFE] + Array(".yml".utf8)
            let descriptor = open(RegularFileReader.cString(name), O_WRONLY | O_CREAT, 0o644)
            #expect(descriptor >= 0)
            let bytes = Array(writeAllWorkflow.utf8)
            #expect(write(descriptor, bytes, bytes.count) == bytes.count)
            close(descriptor)
            let result = try CLI.run(["scan", "org", "--db", "audit.db"], in: cwd)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("org/app/.github/workflows/d\\xFF\\xFE.yml:2"), "\(result.stdout)")
            #expect(!result.stdout.contains("cannot read"))
        }
    }

    // MARK: 5. one unrepresentable number does not drop an export

    @Test("1e400 in a field trustaudit does not read leaves the Octopus export usable")
    func unrepresentableNumber() throws {
        let url = Self.demoOctopusExport
        var text = try String(contentsOf: url, encoding: .utf8)
        let marker = "\"users\": {"
        #expect(text.contains(marker))
        text = text.replacingOccurrences(of: marker, with: "\"users\": { \"ItemsPerPage\": 1e400, ")
        let instance = try OctopusExport.decode(Data(text.utf8), file: "acme.json")
        #expect(instance.serviceAccounts.count == 9)
        #expect(JSONPrescan.representable("1e400") == false)
        #expect(JSONPrescan.representable("123") && JSONPrescan.representable("-1.5e3"))
    }

    @Test("drift does not call an Octopus instance's findings resolved when its export became unreadable")
    func driftHonoursUnreadableExport() throws {
        try CLI.inTemporaryDirectory { cwd in
            let first = try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd)
            #expect(first.status == 0, "\(first.stderr)")
            let broken = cwd.appendingPathComponent("octopus-broken.json")
            try Data("{\"server\": \"https://acme.octopus.app\", \"users\": [1e400".utf8).write(to: broken)
            let settings = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/github-settings").path
            let second = try CLI.run(["scan", Self.demo, "--db", "audit.db", "--github-settings", settings, "--octopus", broken.path], in: cwd)
            #expect(second.status == 3, "\(second.stderr)")
            let drift = try CLI.run(["drift", "--db", "audit.db", "--format", "json"], in: cwd)
            #expect(drift.status == 0, "\(drift.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(drift.stdout.utf8)) as? [String: Any])
            let resolved = try #require(document["resolved"] as? [[String: Any]])
            let checked5 = resolved.filter { $0["service_account"] is String }.isEmpty
            #expect(checked5, "\(resolved.map { $0["policy"] ?? "" })")
            let notCovered = try #require(document["not_covered"] as? [[String: Any]])
            let checked6 = notCovered.contains { $0["kind"] as? String == "octopus" }
            #expect(checked6)
        }
    }

    static var demoOctopusExport: URL {
        let folder = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/octopus")
        let name = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.first { $0.hasSuffix(".json") } ?? "acme.json"
        return folder.appendingPathComponent(name)
    }

    // MARK: 6. conflicting settings exports and duplicate keys

    @Test("two settings exports for one repository are a coverage conflict naming both; neither is used")
    func conflictingSettingsExports() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            let settings = """
                { "repository": "org/app", "default_branch": "main", "visibility": "private",
                  "environments": { "total_count": 0, "environments": [] } }
                """
            try TestSupport.write(settings, to: "settings/a.json", in: cwd)
            try TestSupport.write(settings.replacingOccurrences(of: "private", with: "public"), to: "settings/b.json", in: cwd)
            let result = try CLI.run(["scan", "org", "--db", "audit.db", "--github-settings", "settings"], in: cwd)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stdout.contains("settings/a.json: not read: org/app is also described by settings/b.json"), "\(result.stdout)")
            #expect(result.stdout.contains("settings/b.json: not read: org/app is also described by settings/a.json"))
            let query = try CLI.run(["query", "SELECT count(*) AS n FROM coverage WHERE status = 'unreadable'", "--db", "audit.db", "--format", "csv"], in: cwd)
            #expect(query.stdout.contains("\r\n2\r\n"), "\(query.stdout)")
        }
    }

    @Test("a key repeated inside one JSON object is reported with its path")
    func duplicateJSONKey() throws {
        let text = """
            { "repository": "org/app", "visibility": "private", "visibility": "public",
              "workflow_permissions": { "default_workflow_permissions": "read", "default_workflow_permissions": "write" } }
            """
        let export = try GitHubSettingsExport.decode(Data(text.utf8), file: "app.json")
        let paths = export.problems.map(\.path)
        #expect(paths.contains("visibility"), "\(export.problems)")
        #expect(paths.contains("workflow_permissions.default_workflow_permissions"), "\(export.problems)")
        let checked7 = export.problems.allSatisfy { $0.message.contains("more than once") }
        #expect(checked7)
    }

    // MARK: 13. output that cannot be written

    @Test("writing a report to /dev/full is exit 2 with a message, not a crash",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDevice() throws {
        try CLI.inTemporaryDirectory { cwd in
            let scan = try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd)
            #expect(scan.status == 0)
            for arguments in [["scans"], ["query", "SELECT * FROM findings_latest"], ["report", "--format", "json"], ["policy", "list"]] {
                let result = try Self.runToDevFull(arguments + (arguments[0] == "policy" ? [] : ["--db", "audit.db"]), in: cwd)
                #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("cannot write to standard output"), "\(arguments): \(result.stderr)")
            }
        }
    }

    /// Runs the executable with standard output on /dev/full.
    static func runToDevFull(_ arguments: [String], in directory: URL) throws -> CLI.Result {
        let script = "exec " + CLI.shellQuoted(CLI.executable!.path) + " " + arguments.map(CLI.shellQuoted).joined(separator: " ") + " > /dev/full"
        return try CLI.run(["-c", script], in: directory, executable: URL(fileURLWithPath: "/bin/sh"))
    }

    // MARK: 14. a damaged database

    @Test("a stored value that cannot be decoded is refused with a clear message, not a crash")
    func undecodableValue() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            // A NULL where the schema forbids one, as damaged pages produce: loosen the column
            // through the schema text, then store the NULL.
            let path = cwd.appendingPathComponent("audit.db").path
            let database = try DatabaseQueue(path: path)
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA writable_schema = ON")
                try db.execute(sql: "UPDATE sqlite_master SET sql = replace(sql, 'waived          INTEGER NOT NULL DEFAULT 0', 'waived INTEGER') WHERE name = 'findings'")
                try db.execute(sql: "PRAGMA writable_schema = OFF")
            }
            try database.close()
            let reopened = try DatabaseQueue(path: path)
            try reopened.write { db in try db.execute(sql: "UPDATE findings SET waived = NULL WHERE rowid = 1") }
            try reopened.close()
            for arguments in [["scans"], ["report", "--format", "json"], ["drift"]] {
                let result = try CLI.run(arguments + ["--db", "audit.db"], in: cwd)
                #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("is damaged"), "\(arguments): \(result.stderr)")
            }
        }
    }

    @Test("a database with overwritten pages is refused by every reading command")
    func corruptedPages() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let path = cwd.appendingPathComponent("audit.db").path
            let pageCount = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
            let findingsRoot = try DatabaseQueue(path: path).read { db in
                try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'findings'") ?? 0
            }
            #expect(findingsRoot > 1 && findingsRoot <= pageCount)
            let pageSize = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096 }
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            try handle.seek(toOffset: UInt64((findingsRoot - 1) * pageSize))
            try handle.write(contentsOf: Data((0..<pageSize).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }))
            try handle.close()
            for arguments in [["scans"], ["report", "--format", "json"], ["query", "SELECT policy, message FROM findings_latest"]] {
                let result = try CLI.run(arguments + ["--db", "audit.db"], in: cwd)
                #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("is damaged (SQLite integrity check:"), "\(arguments): \(result.stderr)")
            }
        }
    }

    // MARK: 15 and 19. reading commands open read-only and never create a database

    @Test("reading commands refuse a missing database and create nothing")
    func missingDatabase() throws {
        try CLI.inTemporaryDirectory { cwd in
            for arguments in [["scans"], ["query", "SELECT 1"], ["drift"], ["trust"], ["prune", "--keep", "3"], ["report", "--format", "json"]] {
                let result = try CLI.run(arguments + ["--db", "typo.db"], in: cwd)
                #expect(result.status == 2, "\(arguments)")
                #expect(result.stderr.contains("no database at typo.db"), "\(arguments): \(result.stderr)")
            }
            let shell = try CLI.run(["shell", "--db", "typo.db"], in: cwd)
            #expect(shell.status == 2)
            #expect(try FileManager.default.contentsOfDirectory(atPath: cwd.path).isEmpty)
        }
    }

    @Test("a read-only database file can be read by scans, query, report, drift and trust")
    func readOnlyDatabaseFile() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: cwd.appendingPathComponent("audit.db").path)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: cwd.path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: cwd.path) }
            for arguments in [["scans"], ["query", "SELECT count(*) FROM findings_latest"], ["report", "--format", "csv"], ["drift"], ["trust"]] {
                let result = try Self.runMaybeUnprivileged(arguments + ["--db", "audit.db"], in: cwd)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                #expect(!result.stderr.contains("readonly"), "\(arguments): \(result.stderr)")
            }
        }
    }

    // MARK: 16. terminal safety

    @Test("text for a terminal loses escape sequences, carriage returns and bidi overrides")
    func terminalSanitizing() {
        let hostile = "acme/\u{1B}]8;;http://evil\u{07}x\u{1B}[2J\rfake\u{202E}lmy.exe"
        let clean = TextReport.sanitize(hostile)
        let checked8 = !clean.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" }
        #expect(checked8)
        let document = "a,b\r\n\(hostile),\u{2066}x\u{2069}\r\n"
        let safe = TextReport.sanitizeForTerminal(document)
        #expect(safe.hasPrefix("a,b\r\n"))
        #expect(safe.hasSuffix("\r\n"))
        let checked9 = !safe.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\r" && $0 != "\n") || (0x2066...0x2069).contains($0.value) || $0 == "\u{202E}" }
        #expect(checked9)
        let checked10 = safe.unicodeScalars.filter { $0 == "\r" }.count == 2
        #expect(checked10, "only the CRLF line ends keep their CR")
    }

    @Test("query and report --format csv on a terminal print no raw escape from a scanned name",
          .enabled(if: CLI.terminalRunner() != nil, "util-linux script is not available"))
    func terminalOutput() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci\u{1B}[31mred\u{202E}.yml", in: cwd)
            #expect(try CLI.run(["scan", "org", "--db", "audit.db"], in: cwd).status == 0)
            let runner = try #require(CLI.terminalRunner())
            for arguments in [["query", "SELECT file FROM workflows", "--format", "csv"], ["report", "--format", "csv"]] {
                let command = ([CLI.executable!.path] + arguments + ["--db", "audit.db"]).map(CLI.shellQuoted).joined(separator: " ")
                let result = try CLI.run(["-qec", command, "/dev/null"], in: cwd, executable: runner)
                #expect(result.stdout.contains("ci?[31mred?.yml"), "\(arguments): \(result.stdout)")
                #expect(!result.stdout.contains("\u{1B}[31m") && !result.stdout.contains("\u{202E}"), "\(arguments)")
            }
            let piped = try CLI.run(["query", "SELECT file FROM workflows", "--format", "csv", "--db", "audit.db"], in: cwd)
            #expect(piped.stdout.contains("\u{1B}[31m"), "a pipe gets the data unchanged")
        }
    }

    // MARK: 17. SQLite functions that leak memory addresses

    @Test("fts3_tokenizer is refused in query, the shell and policies")
    func fts3Tokenizer() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let query = try CLI.run(["query", "SELECT hex(fts3_tokenizer('simple')) AS p", "--db", "audit.db"], in: cwd)
            #expect(query.status == 2)
            #expect(query.stderr.contains("fts3_tokenizer() is not available"), "\(query.stderr)")
            #expect(!query.stdout.contains("0000"))
        }
    }

    // MARK: 20. messages in the user's terms

    @Test("several statements are refused without naming GRDB's API")
    func multipleStatements() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let result = try CLI.run(["query", "SELECT 1; SELECT 2", "--db", "audit.db"], in: cwd)
            #expect(result.status == 2)
            #expect(result.stderr.contains("only one SQL statement is allowed"), "\(result.stderr)")
            #expect(!result.stderr.contains("Database.execute"))
        }
    }

    // MARK: 21. shell dot-commands

    @Test(".schema prints whole statements with their line breaks, names a missing table, and .scans follows .mode")
    func shellDotCommands() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            _ = try TestSupport.scan([TestSupport.packageRoot.appendingPathComponent("Examples/acme")], database: database)
            let session = try ShellSession(database: database, writable: false)
            let schema = session.handle(".schema trust_graph")
            #expect(schema.hasPrefix("CREATE VIEW trust_graph"), "\(schema.prefix(80))")
            #expect(schema.contains("\n") && !schema.contains("?\n"))
            let stored = try database.strings("SELECT sql FROM sqlite_master WHERE name = 'trust_graph'")
            #expect(schema == stored.joined() + ";\n")
            #expect(session.handle(".schema nosuch").hasPrefix("Error: no table, view or index named nosuch"))
            _ = session.handle(".mode json")
            let scans = session.handle(".scans")
            let parsed = try JSONSerialization.jsonObject(with: Data(scans.utf8)) as? [[String: Any]]
            #expect(parsed?.first?["id"] as? Int == 1, "\(scans)")
            _ = session.handle(".mode csv")
            #expect(session.handle(".scans").hasPrefix("id,status,started_at"))
        }
    }

    // MARK: 22. typos that used to succeed

    @Test("policy test --only with an unknown id fails; trust names the accounts it has; a mistyped command gets a suggestion")
    func typos() throws {
        try CLI.inTemporaryDirectory { cwd in
            let only = try CLI.run(["policy", "test", "--only", "oidc-action-unpined"], in: cwd)
            #expect(only.status == 2)
            #expect(only.stderr.contains("did you mean `oidc-action-unpinned`"), "\(only.stderr)")
            #expect(!only.stdout.contains("0 passed, 0 failed"))

            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let trust = try CLI.run(["trust", "--service-account", "gh-deploy-apii", "--db", "audit.db"], in: cwd)
            #expect(trust.status == 2)
            #expect(trust.stderr.contains("no service account `gh-deploy-apii`"), "\(trust.stderr)")
            #expect(trust.stderr.contains("gh-deploy-api"))
            #expect(!trust.stdout.contains("--octopus"))

            let command = try CLI.run(["scna", Self.demo], in: cwd)
            #expect(command.status == 2)
            #expect(command.stderr.contains("did you mean `scan`"), "\(command.stderr)")
        }
    }

    // MARK: 23. small correctness

    @Test("scans shows its coverage column; policy validate on a missing file exits 2")
    func scansCoverageAndValidate() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let scans = try CLI.run(["scans", "--db", "audit.db"], in: cwd)
            #expect(scans.stdout.contains("COVERAGE"))
            #expect(scans.stdout.contains(" full "), "\(scans.stdout)")
            let json = try CLI.run(["scans", "--db", "audit.db", "--format", "json"], in: cwd)
            #expect(json.stdout.contains("\"coverage_problems\":0"))

            let validate = try CLI.run(["policy", "validate", "no-such-policy.yml"], in: cwd)
            #expect(validate.status == 2, "\(validate.stdout)\(validate.stderr)")
        }
    }

    @Test("JUnit's failures attribute equals its <failure> elements")
    func junitCounts() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let junit = try CLI.run(["report", "--format", "junit", "--db", "audit.db"], in: cwd)
            #expect(junit.status == 0)
            let elements = junit.stdout.components(separatedBy: "<failure ").count - 1
            let attribute = junit.stdout.range(of: "failures=\"[0-9]+\"", options: .regularExpression).map { junit.stdout[$0].dropFirst(10).dropLast() }
            let checked11 = attribute.flatMap { Int($0) } == elements
            #expect(checked11, "\(String(describing: attribute)) vs \(elements)")
            #expect(elements > 0)
        }
    }

    @Test("--split-dir writes files only for repositories the scan read")
    func splitDirScannedOnly() throws {
        try CLI.inTemporaryDirectory { cwd in
            #expect(try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd).status == 0)
            let result = try CLI.run(["report", "--format", "sarif", "--split-dir", "sarif", "--db", "audit.db"], in: cwd)
            #expect(result.status == 0, "\(result.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: cwd.appendingPathComponent("sarif").path)
            #expect(files.count == 8, "\(files)")
            let checked12 = !files.contains { $0.contains("payments-v1") }
            #expect(checked12, "acme/payments-v1 is only named by an identity")
        }
    }

    @Test("the HTML drift tables show each finding's repository and render code spans")
    func htmlDrift() throws {
        try CLI.inTemporaryDirectory { cwd in
            let org = cwd.appendingPathComponent("org")
            try TestSupport.write(cleanWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            #expect(try CLI.run(["scan", org.path, "--db", "audit.db"], in: cwd).status == 0)
            try TestSupport.write(writeAllWorkflow, to: "org/app/.github/workflows/ci.yml", in: cwd)
            #expect(try CLI.run(["scan", org.path, "--db", "audit.db"], in: cwd).status == 0)
            let html = try CLI.run(["report", "--format", "html", "--db", "audit.db"], in: cwd)
            let required13 = html.stdout.range(of: "<section id=\"drift\">").map { html.stdout[$0.lowerBound...] }
            let drift = try #require(required13)
            let section = drift.prefix(while: { _ in true }).components(separatedBy: "</section>")[0]
            #expect(section.contains("org/app/.github/workflows/ci.yml"), "\(section)")
            #expect(!section.contains("`"), "backticks are rendered as code")
        }
    }
}

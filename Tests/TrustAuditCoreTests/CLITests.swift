import Foundation
import Testing

/// Runs the built `trustaudit` executable as a user would and checks the command-line contract:
/// exit codes, the JSON document's exact shape, `--output`, `TRUSTAUDIT_DB`, colour rules and
/// the `policy` subcommands. Skipped when the executable has not been built next to the tests.
@Suite("trustaudit command line", .enabled(if: CLI.executable != nil, "the trustaudit executable was not found in the build folder"))
struct CLITests {
    static let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme").path
    static let builtInIDs = ["id-token-unused", "id-token-workflow-level", "octopus-api-key-in-workflow",
                             "octopus-login-missing-id-token", "oidc-action-unpinned", "oidc-dangerous-trigger",
                             "permissions-undeclared", "permissions-write-all", "workflow-unparseable"]

    // MARK: Exit codes

    @Test("exit 0 without --fail-on, 1 with --fail-on high, 0 with --fail-on none or on a clean repository")
    func exitCodes() throws {
        try CLI.inTemporaryDirectory { cwd in
            let db = cwd.appendingPathComponent("audit.db").path
            let plain = try CLI.run(["scan", Self.demo, "--db", db], in: cwd)
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout.contains("oidc-dangerous-trigger"))

            let high = try CLI.run(["scan", Self.demo, "--db", db, "--fail-on", "high"], in: cwd)
            #expect(high.status == 1)
            let critical = try CLI.run(["scan", Self.demo, "--db", db, "--fail-on", "critical"], in: cwd)
            #expect(critical.status == 1)
            let none = try CLI.run(["scan", Self.demo, "--db", db, "--fail-on", "none"], in: cwd)
            #expect(none.status == 0)
            let clean = try CLI.run(["scan", Self.demo + "/api", "--db", db, "--fail-on", "info"], in: cwd)
            #expect(clean.status == 0, "\(clean.stdout)")
        }
    }

    @Test("exit 2 for a missing path, an unknown option, a bad --fail-on value and a --db that is not SQLite")
    func usageErrors() throws {
        try CLI.inTemporaryDirectory { cwd in
            let db = cwd.appendingPathComponent("audit.db").path
            let missing = try CLI.run(["scan", cwd.appendingPathComponent("no-such-folder").path, "--db", db], in: cwd)
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("no-such-folder"))

            let unknown = try CLI.run(["scan", Self.demo, "--db", db, "--no-such-option"], in: cwd)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("no-such-option"))

            let badThreshold = try CLI.run(["scan", Self.demo, "--db", db, "--fail-on", "severe"], in: cwd)
            #expect(badThreshold.status == 2)

            let noSubcommandArgument = try CLI.run(["policy", "show"], in: cwd)
            #expect(noSubcommandArgument.status == 2)

            let original = Data("just some notes, not a database\n".utf8)
            let notes = cwd.appendingPathComponent("notes.txt")
            try original.write(to: notes)
            let notSQLite = try CLI.run(["scan", Self.demo, "--db", notes.path], in: cwd)
            #expect(notSQLite.status == 2)
            #expect(notSQLite.stderr.contains("not a trustaudit database"))
            #expect(try Data(contentsOf: notes) == original)
        }
    }

    // MARK: Output

    @Test("--format json has exactly the keys of the README's JSON contract")
    func jsonContract() throws {
        try CLI.inTemporaryDirectory { cwd in
            let result = try CLI.run(["scan", Self.demo, "--db", "audit.db", "--format", "json", "--label", "ci-run"], in: cwd)
            #expect(result.status == 0, "\(result.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(Set(document.keys) == ["coverage", "tool", "scan", "summary", "findings"])
            #expect((document["coverage"] as? [Any])?.isEmpty == true, "the demo is read completely")

            let tool = try #require(document["tool"] as? [String: Any])
            #expect(Set(tool.keys) == ["name", "version"])
            #expect(tool["name"] as? String == "trustaudit")

            let scan = try #require(document["scan"] as? [String: Any])
            #expect(Set(scan.keys) == ["id", "started_at", "finished_at", "label"])
            #expect(scan["id"] as? Int == 1)
            #expect(scan["label"] as? String == "ci-run")

            let findings = try #require(document["findings"] as? [[String: Any]])
            #expect(findings.count == DemoOrgTests.expected.count + DemoOrgTests.expectedWaived.count)
            let summary = try #require(document["summary"] as? [String: Int])
            #expect(Set(summary.keys) == ["critical", "high", "medium", "low", "info"])
            for (severity, count) in summary {
                let unwaived = findings.filter { $0["severity"] as? String == severity && $0["waived"] as? Bool == false }
                #expect(unwaived.count == count, "summary.\(severity)")
            }
            #expect(summary["critical"] == 12, "the README's demo excerpt shows 12 critical findings")
            let keys: Set<String> = ["fingerprint", "policy", "severity", "category", "title", "message", "repository",
                                     "file", "line", "job", "service_account", "evidence", "waived"]
            for finding in findings {
                #expect(Set(finding.keys) == keys, "\(finding)")
                #expect(finding["waived"] is Bool)
                #expect(finding["evidence"] is [String: Any])
            }
            let waived = findings.filter { $0["waived"] as? Bool == true }
            #expect(waived.count == 1)
            #expect(waived.first?["policy"] as? String == "oidc-action-unpinned")
            // Nulls are present as null, not left out.
            let required1 = findings.first { $0["policy"] as? String == "workflow-unparseable" }
            let unparseable = try #require(required1)
            #expect(unparseable["job"] is NSNull)
        }
    }

    @Test("--output writes the report to a file and nothing to standard output")
    func outputFile() throws {
        try CLI.inTemporaryDirectory { cwd in
            let report = cwd.appendingPathComponent("reports/report.json")
            try FileManager.default.createDirectory(at: report.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("last night's report".utf8).write(to: report)
            let result = try CLI.run(["scan", Self.demo, "--db", "audit.db", "--format", "json", "--output", report.path], in: cwd)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
            #expect((document?["findings"] as? [Any])?.count == DemoOrgTests.expected.count + DemoOrgTests.expectedWaived.count)
            // Written beside its path and renamed into place: nothing else is left in the folder.
            #expect(try FileManager.default.contentsOfDirectory(atPath: report.deletingLastPathComponent().path) == ["report.json"])

            let missing = cwd.appendingPathComponent("no-such-folder/report.json")
            let failed = try CLI.run(["scan", Self.demo, "--db", "audit.db", "--format", "json", "--output", missing.path], in: cwd)
            #expect(failed.status == 2)
            #expect(failed.stderr.contains("cannot write \(missing.path)"), "\(failed.stderr)")

            let text = cwd.appendingPathComponent("report.txt")
            let textResult = try CLI.run(["scan", Self.demo, "--db", "audit.db", "-o", text.path], in: cwd)
            #expect(textResult.status == 0)
            #expect(textResult.stdout.isEmpty)
            #expect(try String(contentsOf: text, encoding: .utf8).contains("CRITICAL"))
        }
    }

    @Test("TRUSTAUDIT_DB chooses the database; without it and --db, trustaudit.db in the current folder")
    func databaseFromEnvironment() throws {
        try CLI.inTemporaryDirectory { cwd in
            let chosen = cwd.appendingPathComponent("chosen/elsewhere.db")
            try FileManager.default.createDirectory(at: chosen.deletingLastPathComponent(), withIntermediateDirectories: true)
            let result = try CLI.run(["scan", Self.demo + "/web"], in: cwd, environment: ["TRUSTAUDIT_DB": chosen.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(FileManager.default.fileExists(atPath: chosen.path))
            #expect(!FileManager.default.fileExists(atPath: cwd.appendingPathComponent("trustaudit.db").path))

            let defaulted = try CLI.run(["scan", Self.demo + "/web"], in: cwd)
            #expect(defaulted.status == 0, "\(defaulted.stderr)")
            #expect(FileManager.default.fileExists(atPath: cwd.appendingPathComponent("trustaudit.db").path))

            // --db wins over the environment.
            let explicit = cwd.appendingPathComponent("explicit.db")
            let both = try CLI.run(["scan", Self.demo + "/web", "--db", explicit.path], in: cwd, environment: ["TRUSTAUDIT_DB": chosen.path])
            #expect(both.status == 0)
            #expect(FileManager.default.fileExists(atPath: explicit.path))
        }
    }

    @Test("text output has no ANSI escapes when not on a terminal, with or without NO_COLOR")
    func noColor() throws {
        try CLI.inTemporaryDirectory { cwd in
            let piped = try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd)
            #expect(!piped.stdout.isEmpty)
            #expect(!piped.stdout.contains("\u{1B}["))
            let noColor = try CLI.run(["scan", Self.demo, "--db", "audit.db"], in: cwd, environment: ["NO_COLOR": "1"])
            #expect(!noColor.stdout.contains("\u{1B}["))
        }
    }

    @Test("on a real terminal: colour by default, none with NO_COLOR",
          .enabled(if: CLI.terminalRunner() != nil, "util-linux `script` is not installed, so no terminal can be provided"))
    func colourOnTerminal() throws {
        let script = try #require(CLI.terminalRunner())
        try CLI.inTemporaryDirectory { cwd in
            let command = ([CLI.executable!.path] + ["scan", Self.demo, "--db", "audit.db"]).map(CLI.shellQuoted).joined(separator: " ")
            let onTTY = try CLI.run(["-qec", command, "/dev/null"], in: cwd, executable: script)
            #expect(onTTY.stdout.contains("\u{1B}["), "expected colour on a terminal")
            let onTTYNoColor = try CLI.run(["-qec", command, "/dev/null"], in: cwd, environment: ["NO_COLOR": "1"], executable: script)
            #expect(onTTYNoColor.stdout.contains("CRITICAL"))
            #expect(!onTTYNoColor.stdout.contains("\u{1B}["))
        }
    }

    // MARK: policy subcommands

    @Test("policy list shows every built-in policy")
    func policyList() throws {
        try CLI.inTemporaryDirectory { cwd in
            let result = try CLI.run(["policy", "list"], in: cwd)
            #expect(result.status == 0, "\(result.stderr)")
            let ids = result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            for id in Self.builtInIDs { #expect(ids.contains(id), "\(id) missing from policy list") }
        }
    }

    @Test("policy show prints one policy in full; an unknown id is exit 2")
    func policyShow() throws {
        try CLI.inTemporaryDirectory { cwd in
            let result = try CLI.run(["policy", "show", "id-token-workflow-level"], in: cwd)
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("id-token-workflow-level: "))
            for part in ["severity: high", "Remediation:", "Query:", "declared_permissions", "Examples:"] {
                #expect(result.stdout.contains(part), "\(part) missing")
            }
            let unknown = try CLI.run(["policy", "show", "no-such-policy"], in: cwd)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("no-such-policy"))
        }
    }

    @Test("policy test runs every example and ends with `N passed, 0 failed`")
    func policyTest() throws {
        try CLI.inTemporaryDirectory { cwd in
            let result = try CLI.run(["policy", "test"], in: cwd)
            #expect(result.status == 0, "\(result.stdout)")
            let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.range(of: #"^[1-9][0-9]* passed, 0 failed$"#, options: .regularExpression) != nil, "last line: \(last)")
            #expect(!result.stdout.contains("FAIL"))

            let one = try CLI.run(["policy", "test", "--only", "permissions-write-all"], in: cwd)
            #expect(one.status == 0)
            #expect(one.stdout.split(separator: "\n").last == "4 passed, 0 failed")
        }
    }

    @Test("policy test with --policies DIR fails (exit 1) when a custom policy's example is wrong")
    func policyTestCustomFailing() throws {
        try CLI.inTemporaryDirectory { cwd in
            let wrong = CLI.customPolicy(id: "acme-no-push", query: "SELECT 'push' AS message, repository, file FROM triggers WHERE event = 'push'",
                                         firingExpect: 2)
            try TestSupport.write(wrong, to: "policies/acme-no-push.yml", in: cwd)
            let result = try CLI.run(["policy", "test", "--policies", "policies"], in: cwd)
            #expect(result.status == 1)
            #expect(result.stdout.contains("FAIL  acme-no-push"))
            #expect(result.stdout.split(separator: "\n").last?.hasSuffix("passed, 1 failed") == true)
        }
    }

    @Test("policy validate: a good file is valid (exit 0); a bad one is exit 1 and named")
    func policyValidate() throws {
        try CLI.inTemporaryDirectory { cwd in
            let builtIn = TestSupport.packageRoot.appendingPathComponent("Policies/permissions-write-all.yml").path
            let good = try CLI.run(["policy", "validate", builtIn], in: cwd)
            #expect(good.status == 0, "\(good.stdout)")
            #expect(good.stdout.contains("valid"))

            let custom = CLI.customPolicy(id: "acme-no-push", query: "SELECT 'push' AS message, repository, file FROM triggers WHERE event = 'push'")
            try TestSupport.write(custom, to: "acme-no-push.yml", in: cwd)
            let goodCustom = try CLI.run(["policy", "validate", "acme-no-push.yml"], in: cwd)
            #expect(goodCustom.status == 0, "\(goodCustom.stdout)")

            try TestSupport.write("id: broken-policy\ntitle: Missing almost everything\n", to: "broken-policy.yml", in: cwd)
            let bad = try CLI.run(["policy", "validate", "broken-policy.yml"], in: cwd)
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("broken-policy.yml"))
            #expect(bad.stdout.contains("invalid"))

            try TestSupport.write(CLI.customPolicy(id: "bad-sql", query: "SELECT nope FROM nowhere"), to: "bad-sql.yml", in: cwd)
            let badSQL = try CLI.run(["policy", "validate", "bad-sql.yml"], in: cwd)
            #expect(badSQL.status == 1)
            #expect(badSQL.stdout.contains("bad-sql.yml"))
        }
    }

    @Test("scan --policies DIR adds an organization's own policy to the built-in ones")
    func scanWithCustomPolicies() throws {
        try CLI.inTemporaryDirectory { cwd in
            try TestSupport.write(CLI.customPolicy(id: "acme-no-push", query: "SELECT 'push trigger' AS message, repository, file, line FROM triggers WHERE event = 'push'"),
                                  to: "policies/acme-no-push.yml", in: cwd)
            let result = try CLI.run(["scan", Self.demo + "/web", "--db", "audit.db", "--policies", "policies", "--format", "json"], in: cwd)
            #expect(result.status == 0, "\(result.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let policies = Set(((document?["findings"] as? [[String: Any]]) ?? []).compactMap { $0["policy"] as? String })
            #expect(policies == ["acme-no-push", "permissions-write-all", "oidc-action-unpinned", "oidc-artipacked", "oidc-cache-poisoning"])
        }
    }
}

/// Finding and running the executable.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `trustaudit` executable next to the test bundle, or in the package's `.build/debug`.
    static let executable: URL? = {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["TRUSTAUDIT_EXECUTABLE"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        if let first = CommandLine.arguments.first {
            let runner = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            candidates.append(runner.deletingLastPathComponent().appendingPathComponent("trustaudit"))
            // macOS: …/debug/X.xctest/Contents/MacOS/X
            candidates.append(runner.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("trustaudit"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("trustaudit"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("trustaudit"))
        candidates.append(TestSupport.packageRoot.appendingPathComponent(".build/debug/trustaudit"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// A fresh current folder for the command, removed afterwards.
    static func inTemporaryDirectory(_ body: (URL) throws -> Void) throws {
        try TestSupport.withTemporaryDirectory(body)
    }

    /// Runs the executable (or another one) with no standard input and the caller's environment
    /// minus the variables that change trustaudit's behaviour, plus `environment`.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:], executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? Self.executable!
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        for key in ["TRUSTAUDIT_DB", "NO_COLOR"] { env[key] = nil }
        env.merge(environment) { _, new in new }
        process.environment = env
        // Files, not pipes: a chatty process cannot block on a full pipe while we wait for it.
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("trustaudit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout")
        let errURL = capture.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// util-linux `script`, which runs a command on a pseudo-terminal, if it is installed and works here.
    static func terminalRunner() -> URL? {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        guard FileManager.default.isExecutableFile(atPath: script.path),
              let probe = try? run(["-qec", "test -t 1", "/dev/null"], in: FileManager.default.temporaryDirectory, executable: script),
              probe.status == 0 else { return nil }
        return script
    }

    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A small custom policy whose triggering example expects `firingExpect` findings (1 is right).
    static func customPolicy(id: String, query: String, firingExpect: Int = 1) -> String {
        """
        id: \(id)
        title: Workflows run on push
        severity: low
        category: hygiene
        description: Acme runs everything through merge queues.
        remediation: Use merge_group instead.
        query: |
          \(query)
        examples:
          - name: push workflow
            workflows:
              acme/app/.github/workflows/ci.yml: "on: push\\njobs: {}\\n"
            expect: \(firingExpect)
          - name: merge queue workflow
            workflows:
              acme/app/.github/workflows/ci.yml: "on: merge_group\\njobs: {}\\n"
            expect: 0

        """
    }
}

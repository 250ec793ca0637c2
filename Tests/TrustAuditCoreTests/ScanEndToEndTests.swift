import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// End to end through real files in temporary folders and a real SQLite file: discovery, reading
/// with its guards, content-addressed storage, fingerprints, suppressions, policy isolation and
/// database safety.
@Suite("Scan end to end")
struct ScanEndToEndTests {
    static let sha1 = "0123456789abcdef0123456789abcdef01234567"
    static let sha2 = "89abcdef0123456789abcdef0123456789abcdef"

    // MARK: Discovery

    @Test("repositories are found up to three levels deep and named from origin, --owner or the parent folder")
    func discovery() throws {
        try TestSupport.withTemporaryDirectory { root in
            let workflow = ".github/workflows/ci.yml"
            // Depth 0 children and nested folders.
            try TestSupport.write(cleanWorkflow, to: "https-repo/\(workflow)", in: root)
            try TestSupport.write("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://github.com/acme/from-https.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
                                  to: "https-repo/.git/config", in: root)
            try TestSupport.write(cleanWorkflow, to: "team/ssh-repo/\(workflow)", in: root)
            try TestSupport.write("[remote \"upstream\"]\n\turl = https://github.com/other/wrong.git\n[remote \"origin\"]\n\turl = ssh://git@github.com/acme/from-ssh.git\n",
                                  to: "team/ssh-repo/.git/config", in: root)
            try TestSupport.write(cleanWorkflow, to: "a/b/scp-repo/\(workflow)", in: root)
            try TestSupport.write("[remote \"origin\"]\n\turl = git@github.com:acme/from-scp.git\n", to: "a/b/scp-repo/.git/config", in: root)
            try TestSupport.write(cleanWorkflow, to: "a/b/plain/\(workflow)", in: root)
            // Four levels down: beyond the search depth.
            try TestSupport.write(cleanWorkflow, to: "p/q/r/too-deep/\(workflow)", in: root)
            // Skipped folders are never searched.
            try TestSupport.write(cleanWorkflow, to: "node_modules/pkg/\(workflow)", in: root)

            let withoutOwner = try RepositoryDiscovery.discover(paths: [root.path], owner: nil).map(\.fullName)
            #expect(withoutOwner == ["acme/from-https", "acme/from-scp", "acme/from-ssh", "b/plain"])

            let withOwner = try RepositoryDiscovery.discover(paths: [root.path], owner: "myorg").map(\.fullName)
            #expect(withOwner == ["acme/from-https", "acme/from-scp", "acme/from-ssh", "myorg/plain"])

            // A path that is itself a repository.
            let single = try RepositoryDiscovery.discover(paths: [root.appendingPathComponent("a/b/plain").path], owner: "myorg")
            #expect(single.map(\.fullName) == ["myorg/plain"])
        }
    }

    @Test("the folders of a level are searched side by side, and repositories come in the order of a walk by folder name")
    func discoveryOrder() throws {
        try TestSupport.withTemporaryDirectory { root in
            let workflow = ".github/workflows/ci.yml"
            // `a-x` sorts before `a/…` as a path but after `a` as a folder name.
            let repositories = ["b/z", "b/a", "a/m", "a-x/q", "a/deep/er"] + (0..<40).map { "many/r\($0)" }
            for repository in repositories {
                try TestSupport.write(cleanWorkflow, to: "\(repository)/\(workflow)", in: root)
            }
            try TestSupport.write(cleanWorkflow, to: "a/not-a-repository.yml", in: root)
            let roots = RepositoryDiscovery.repositoryRoots(under: root.path).map { String($0.dropFirst(root.path.count + 1)) }
            let many = (0..<40).map { "many/r\($0)" }.sorted()
            #expect(roots == ["a/deep/er", "a/m", "a-x/q", "b/a", "b/z"] + many)
        }
    }

    @Test("a map on more threads than cores keeps every item in its place")
    func wideMap() {
        let items = Array(0..<5_000)
        let tripled = ParallelMap.map(items, width: ParallelMap.fileSystemWidth) { $0 * 3 }
        let expected = items.map { 3 * $0 }
        #expect(tripled == expected)
        let single = ParallelMap.map([7], width: 8) { $0 + 1 }
        #expect(single == [8])
        let none = ParallelMap.map([Int](), width: 8) { $0 }
        #expect(none.isEmpty)
    }

    @Test("repositories are read a thread per core from the page cache, and wider after a batch that read from the disk")
    func readingWidth() {
        var width = FileSystemWidth(cores: 2)
        #expect(width.current == 2)
        width.update(blocksRead: 256 * 40, repositories: 256)
        #expect(width.current == ParallelMap.fileSystemWidth)
        width.update(blocksRead: 255, repositories: 256)
        #expect(width.current == 2)
        width.update(blocksRead: 0, repositories: 0)
        #expect(width.current == 2)
    }

    @Test("remote URL forms", arguments: [
        ("https://github.com/acme/x.git", "acme/x"),
        ("https://github.com/acme/x", "acme/x"),
        ("ssh://git@github.com/acme/x.git", "acme/x"),
        ("ssh://git@github.example.com:2222/acme/x.git", "acme/x"),
        ("git@github.com:acme/x.git", "acme/x"),
        ("git@github.com:acme/x", "acme/x"),
    ])
    func remoteForms(remote: String, name: String) {
        #expect(GitMetadata.repositoryName(fromRemote: remote) == name)
    }

    @Test("HEAD's commit is read from a loose ref, from packed-refs, and through a .git file")
    func headCommit() throws {
        try TestSupport.withTemporaryDirectory { root in
            let workflow = ".github/workflows/ci.yml"
            try TestSupport.write(cleanWorkflow, to: "loose/\(workflow)", in: root)
            try TestSupport.write("ref: refs/heads/main\n", to: "loose/.git/HEAD", in: root)
            try TestSupport.write("\(Self.sha1)\n", to: "loose/.git/refs/heads/main", in: root)

            try TestSupport.write(cleanWorkflow, to: "packed/\(workflow)", in: root)
            try TestSupport.write("ref: refs/heads/main\n", to: "packed/.git/HEAD", in: root)
            try TestSupport.write("# pack-refs with: peeled fully-peeled sorted\n\(Self.sha1) refs/heads/develop\n\(Self.sha2) refs/heads/main\n",
                                  to: "packed/.git/packed-refs", in: root)

            // A worktree or submodule: `.git` is a file naming the real git directory.
            try TestSupport.write(cleanWorkflow, to: "linked/\(workflow)", in: root)
            try TestSupport.write("gitdir: ../gitdirs/linked\n", to: "linked/.git", in: root)
            try TestSupport.write("\(Self.sha2)\n", to: "gitdirs/linked/HEAD", in: root)
            try TestSupport.write("[remote \"origin\"]\n\turl = git@github.com:acme/linked-repo.git\n", to: "gitdirs/linked/config", in: root)

            let found = try RepositoryDiscovery.discover(paths: [root.path], owner: "acme")
            let heads = Dictionary(uniqueKeysWithValues: found.map { ($0.fullName, $0.headCommit) })
            #expect(heads["acme/loose"] == Self.sha1)
            #expect(heads["acme/packed"] == Self.sha2)
            #expect(heads["acme/linked-repo"] == Self.sha2)

            // And the scan records it.
            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root], owner: "acme", database: database)
            let stored = try database.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT full_name, head_commit FROM scan_repositories WHERE scan_id = ? ORDER BY full_name",
                                 arguments: [outcome.scanID])
                    .map { "\($0["full_name"] as String):\(($0["head_commit"] as String?) ?? "nil")" }
            }
            #expect(stored == ["acme/linked-repo:\(Self.sha2)", "acme/loose:\(Self.sha1)", "acme/packed:\(Self.sha2)"])
        }
    }

    @Test("a path that does not exist, and a folder with no repository, are refused")
    func badPaths() throws {
        try TestSupport.withTemporaryDirectory { root in
            let missing = root.appendingPathComponent("nope").path
            #expect(throws: DiscoveryError.pathNotFound(missing)) {
                try RepositoryDiscovery.discover(paths: [missing], owner: nil)
            }
            #expect(throws: DiscoveryError.noRepositories(root.path)) {
                try RepositoryDiscovery.discover(paths: [root.path], owner: nil)
            }
        }
    }

    // MARK: Reading and parsing guards

    @Test("a symlinked workflow pointing outside the repository is not followed and is reported")
    func symlinkOutside() throws {
        try TestSupport.withTemporaryDirectory { root in
            let secretText = "on: push\n# SECRET-CONTENT-OUTSIDE-THE-REPO\njobs: {}\n"
            let outside = try TestSupport.write(secretText, to: "outside/secret.yml", in: root)
            try TestSupport.write(cleanWorkflow, to: "repos/app/.github/workflows/ci.yml", in: root)
            try FileManager.default.createSymbolicLink(
                at: root.appendingPathComponent("repos/app/.github/workflows/evil.yml"), withDestinationURL: outside)
            // A symlink inside the repository is fine.
            try TestSupport.write(writeAllWorkflow, to: "repos/app/ci/shared.yml", in: root)
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent("repos/app/.github/workflows/shared.yml").path,
                withDestinationPath: "../../ci/shared.yml")

            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repos")], owner: "acme", database: database)
            let unparseable = outcome.findings.filter { $0.policy == "workflow-unparseable" }
            #expect(unparseable.map(\.file) == [".github/workflows/evil.yml"])
            #expect(unparseable.first?.message.contains("symlink") == true)
            let checked1 = outcome.findings.contains { $0.policy == "permissions-write-all" && $0.file == ".github/workflows/shared.yml" }
            #expect(checked1)

            let leaked = try database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blobs WHERE instr(CAST(content AS TEXT), 'SECRET-CONTENT') > 0")
            }
            #expect(leaked == 0)
        }
    }

    @Test("a symlinked .github or .github/workflows folder is read only where it stays inside the repository")
    func symlinkedFolders() throws {
        try TestSupport.withTemporaryDirectory { root in
            let repos = root.appendingPathComponent("repos")
            // `.github` itself a symlink, to a folder inside the repository: read.
            try TestSupport.write(writeAllWorkflow, to: "inside/config/github/workflows/ci.yml", in: repos)
            try FileManager.default.createSymbolicLink(atPath: repos.appendingPathComponent("inside/.github").path,
                                                       withDestinationPath: "config/github")
            // `.github/workflows` a symlink out of the repository: every file refused, none stored.
            try TestSupport.write("on: push\n# SECRET-CONTENT-OUTSIDE-THE-REPO\njobs: {}\n", to: "outside/workflows/steal.yml", in: root)
            try FileManager.default.createDirectory(at: repos.appendingPathComponent("leaky/.github"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: repos.appendingPathComponent("leaky/.github/workflows").path,
                                                       withDestinationPath: root.appendingPathComponent("outside/workflows").path)

            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([repos], owner: "acme", database: database)
            let places = outcome.findings.map { "\($0.policy) \($0.repository ?? "") \($0.file ?? "")" }
            #expect(places.contains("permissions-write-all acme/inside .github/workflows/ci.yml"))
            let refused = places.filter { $0.hasPrefix("workflow-unparseable ") }
            #expect(refused == ["workflow-unparseable acme/leaky .github/workflows/steal.yml"])
            let refusal = outcome.findings.first { $0.policy == "workflow-unparseable" }?.message ?? ""
            #expect(refusal.contains("outside the repository"))
            #expect(try database.count("SELECT count(*) FROM blobs WHERE instr(CAST(content AS TEXT), 'SECRET-CONTENT') > 0") == 0)
        }
    }

    @Test("bad files are each reported as workflow-unparseable and the good ones are still audited")
    func badFiles() throws {
        try TestSupport.withTemporaryDirectory { root in
            let folder = "repo/.github/workflows"
            try TestSupport.write(writeAllWorkflow, to: "\(folder)/a-good.yml", in: root)
            try TestSupport.write("on: [push\njobs:\n  build: {\n", to: "\(folder)/broken.yml", in: root)
            var invalid = Array("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest # caf".utf8)
            invalid += [0xC3, 0x28, 0x0A]
            try TestSupport.write(invalid, to: "\(folder)/latin1.yml", in: root)
            let padding = String(repeating: "# padding padding padding padding padding padding padding\n", count: 20_000)
            try TestSupport.write(cleanWorkflow + padding, to: "\(folder)/huge.yaml", in: root)
            try TestSupport.write("", to: "\(folder)/empty.yml", in: root)
            try TestSupport.write("- on: push\n", to: "\(folder)/list.yml", in: root)
            try TestSupport.write(cleanWorkflow, to: "\(folder)/z-clean.yaml", in: root)
            try TestSupport.write("not a workflow", to: "\(folder)/README.md", in: root)

            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database)
            #expect(outcome.workflowFiles == 7)
            let reasons = Dictionary(uniqueKeysWithValues: outcome.findings
                .filter { $0.policy == "workflow-unparseable" }.map { ($0.file ?? "", $0.message) })
            #expect(reasons.keys.sorted() == [".github/workflows/broken.yml", ".github/workflows/empty.yml",
                                               ".github/workflows/huge.yaml", ".github/workflows/latin1.yml",
                                               ".github/workflows/list.yml"])
            #expect(reasons[".github/workflows/huge.yaml"]?.contains("limit") == true)
            #expect(reasons[".github/workflows/latin1.yml"]?.contains("UTF-8") == true)
            #expect(reasons[".github/workflows/broken.yml"]?.contains("YAML") == true)
            #expect(reasons[".github/workflows/empty.yml"]?.contains("empty") == true)
            #expect(reasons[".github/workflows/list.yml"]?.contains("mapping") == true)
            let checked2 = outcome.findings.contains { $0.policy == "permissions-write-all" && $0.file == ".github/workflows/a-good.yml" && $0.line == 2 }
            #expect(checked2)
            let latin1 = outcome.findings.first { $0.file == ".github/workflows/latin1.yml" }
            #expect(latin1?.line == 4)
            // The oversized file was not stored.
            let largest = try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(size) FROM blobs") }
            #expect((largest ?? 0) <= InputGuards.maxBytes)
        }
    }

    // MARK: Storage and history

    @Test("unchanged content is stored and parsed once across scans and repositories")
    func contentAddressed() throws {
        try TestSupport.withTemporaryDirectory { root in
            try TestSupport.write(cleanWorkflow, to: "org/one/.github/workflows/ci.yml", in: root)
            try TestSupport.write(writeAllWorkflow, to: "org/one/.github/workflows/release.yml", in: root)
            try TestSupport.write(cleanWorkflow, to: "org/two/.github/workflows/ci.yml", in: root)

            let database = try TestSupport.openDatabase(in: root)
            let first = try TestSupport.scan([root.appendingPathComponent("org")], database: database)
            #expect(first.workflowFiles == 3)
            #expect(first.parsedFiles == 2)
            let second = try TestSupport.scan([root.appendingPathComponent("org")], database: database)
            #expect(second.workflowFiles == 3)
            #expect(second.parsedFiles == 0)
            #expect(second.scanID != first.scanID)
            #expect(Set(second.findings.map(\.fingerprint)) == Set(first.findings.map(\.fingerprint)))

            #expect(try database.count("SELECT COUNT(*) FROM blobs") == 2)
            #expect(try database.count("SELECT COUNT(*) FROM (SELECT hash FROM blobs GROUP BY hash HAVING COUNT(*) > 1)") == 0)
            #expect(try database.count("SELECT COUNT(*) FROM wf_documents") == 2)
            // (An unchanged rescan may share the first scan's per-scan rows, so those are not counted here.)
            #expect(try database.count("SELECT COUNT(*) FROM scans WHERE status = 'complete'") == 2)
        }
    }

    @Test("a finding keeps its fingerprint when its line moves")
    func fingerprintStable() throws {
        try TestSupport.withTemporaryDirectory { root in
            let file = try TestSupport.write(writeAllWorkflow, to: "repo/.github/workflows/ci.yml", in: root)
            let database = try TestSupport.openDatabase(in: root)
            let required3 = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database)
                .findings.first { $0.policy == "permissions-write-all" }
            let before = try #require(required3)

            try ("# Build\n\n\n" + writeAllWorkflow).write(to: file, atomically: true, encoding: .utf8)
            let required4 = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database)
                .findings.first { $0.policy == "permissions-write-all" }
            let after = try #require(required4)

            #expect(before.line == 2)
            #expect(after.line == 5)
            #expect(before.fingerprint == after.fingerprint)
        }
    }

    @Test("an inline suppression waives the finding, which is kept and shown as waived: true")
    func inlineSuppression() throws {
        try TestSupport.withTemporaryDirectory { root in
            let text = """
                on: push
                # trustaudit: ignore[permissions-write-all] release job needs it, tracked in SEC-12
                permissions: write-all
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - run: make

                """
            try TestSupport.write(text, to: "repo/.github/workflows/ci.yml", in: root)
            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database)
            let required5 = outcome.findings.first { $0.policy == "permissions-write-all" }
            let finding = try #require(required5)
            #expect(finding.waived)
            #expect(finding.waiverReason?.contains("SEC-12") == true)

            let report = JSONReport.render(scan: ScanSummary(id: outcome.scanID, startedAt: outcome.startedAt,
                                                             finishedAt: outcome.finishedAt, label: nil),
                                           findings: outcome.findings)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
            let findings = try #require(document["findings"] as? [[String: Any]])
            let required6 = findings.first { $0["policy"] as? String == "permissions-write-all" }
            let json = try #require(required6)
            #expect(json["waived"] as? Bool == true)
            let summary = try #require(document["summary"] as? [String: Int])
            #expect(summary["high"] == 0)

            let stored = try database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT waived FROM findings WHERE scan_id = ? AND policy = 'permissions-write-all'",
                                 arguments: [outcome.scanID])
            }
            #expect(stored == 1)
        }
    }

    // MARK: Policies

    /// Test policies, one per id → query, in id order.
    static func policies(_ queries: [String: String]) throws -> [Policy] {
        try queries.sorted { $0.key < $1.key }.map { id, query in
            try PolicyLoader.parse(text: policyYAML(id: id, query: query), source: "\(id).yml")
        }
    }

    /// A custom policy file; `query` is the only interesting part.
    static func policyYAML(id: String, query: String) -> String {
        """
        id: \(id)
        title: Test policy \(id)
        severity: low
        category: hygiene
        description: A policy written by a test.
        remediation: None.
        query: |
        \(query.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        examples:
          - name: fires
            workflows:
              acme/app/.github/workflows/ci.yml: "on: push\\njobs: {}\\n"
            expect: 1
          - name: silent
            workflows: {}
            expect: 0

        """
    }

    @Test("a policy whose SQL fails is reported as an error with its file, and the others still produce findings")
    func failingPolicy() throws {
        try TestSupport.withTemporaryDirectory { root in
            let policies = root.appendingPathComponent("policies")
            try TestSupport.write(Self.policyYAML(id: "broken-sql", query: "SELECT message FROM no_such_view"),
                                  to: "broken-sql.yml", in: policies)
            try TestSupport.write(Self.policyYAML(id: "unknown-param", query: "SELECT 'x' AS message WHERE param('nope') = 1"),
                                  to: "unknown-param.yml", in: policies)
            try TestSupport.write(Self.policyYAML(id: "custom-ok", query: "SELECT 'workflow ' || file AS message, repository, file FROM workflows"),
                                  to: "custom-ok.yml", in: policies)
            let loaded = PolicyLoader.load(path: policies.path)
            #expect(loaded.errors.isEmpty)
            let combined = PolicyLoader.combine(TestSupport.builtInPolicies(), loaded.policies)
            #expect(combined.errors.isEmpty)

            try TestSupport.write(writeAllWorkflow, to: "repo/.github/workflows/ci.yml", in: root)
            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme",
                                               database: database, policies: combined.policies)
            let errors = Dictionary(uniqueKeysWithValues: outcome.policyErrors.map { ($0.policy, $0) })
            #expect(errors.keys.sorted() == ["broken-sql", "unknown-param"])
            #expect(errors["broken-sql"]?.source.hasSuffix("broken-sql.yml") == true)
            #expect(errors["broken-sql"]?.message.contains("no_such_view") == true)
            #expect(errors["unknown-param"]?.message.contains("nope") == true)
            let checked7 = outcome.findings.contains { $0.policy == "permissions-write-all" }
            #expect(checked7)
            let checked8 = outcome.findings.contains { $0.policy == "custom-ok" && $0.file == ".github/workflows/ci.yml" }
            #expect(checked8)

            let stored = try database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT policy FROM policy_errors WHERE scan_id = ? ORDER BY policy", arguments: [outcome.scanID])
            }
            #expect(stored == ["broken-sql", "unknown-param"])
        }
    }

    @Test("a policy whose columns hold the wrong types is an error naming the column, not a crash")
    func wronglyTypedColumns() throws {
        try TestSupport.withTemporaryDirectory { root in
            let queries = [
                "number-message": "SELECT 1 AS message, repository, file FROM workflows",
                "blob-file": "SELECT 'x' AS message, repository, x'00ff' AS file FROM workflows",
                "text-line": "SELECT 'x' AS message, repository, file, 'twelve' AS line FROM workflows",
                "number-evidence": "SELECT 'x' AS message, repository, file, 7 AS evidence FROM workflows",
            ]
            let policies = try Self.policies(queries) + Self.policies([
                "numbers-as-text": "SELECT CAST(1 AS TEXT) AS message, repository, file, 3 AS line FROM workflows",
            ])
            try TestSupport.write(writeAllWorkflow, to: "repo/.github/workflows/ci.yml", in: root)
            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database,
                                               policies: policies)
            let errors = Dictionary(uniqueKeysWithValues: outcome.policyErrors.map { ($0.policy, $0.message) })
            #expect(errors.keys.sorted() == queries.keys.sorted())
            #expect(errors["number-message"]?.contains("`message` column must hold text") == true)
            #expect(errors["blob-file"]?.contains("`file` column") == true)
            #expect(errors["text-line"]?.contains("`line` column must hold a whole number") == true)
            #expect(errors["text-line"]?.contains("CAST(… AS INTEGER)") == true)
            #expect(errors["number-message"]?.contains("CAST(… AS TEXT)") == true)
            #expect(errors["number-evidence"]?.contains("`evidence` column") == true)
            let converted = outcome.findings.filter { $0.policy == "numbers-as-text" }.map { "\($0.message):\($0.line ?? 0)" }
            #expect(converted == ["1:3"])
        }
    }

    @Test("a policy query that tries to write is refused and the database is unchanged")
    func writingPolicy() throws {
        try TestSupport.withTemporaryDirectory { root in
            let attempts = [
                "delete-blobs": "DELETE FROM blobs",
                "rename-repos": "UPDATE scan_repositories SET full_name = 'pwned/pwned'",
                "cte-delete": "WITH doomed AS (SELECT hash FROM blobs) DELETE FROM blobs WHERE hash IN (SELECT hash FROM doomed)",
                "two-statements": "SELECT 'x' AS message;\nDELETE FROM blobs",
                "insert-scan": "INSERT INTO scans (started_at, status, tool_version) VALUES ('x', 'complete', 'evil')",
            ]
            let writers = try Self.policies(attempts)
            try TestSupport.write(writeAllWorkflow, to: "repo/.github/workflows/ci.yml", in: root)
            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database,
                                               policies: TestSupport.builtInPolicies() + writers)

            #expect(Set(outcome.policyErrors.map(\.policy)) == Set(attempts.keys))
            let checked9 = outcome.findings.contains { $0.policy == "permissions-write-all" }
            #expect(checked9)
            #expect(try database.count("SELECT COUNT(*) FROM blobs") == 1)
            #expect(try database.strings("SELECT full_name FROM scan_repositories") == ["acme/repo"])
            #expect(try database.count("SELECT COUNT(*) FROM scans") == 1)

            // Also straight through the engine's statement check.
            for query in attempts.values {
                #expect(throws: (any Error).self) {
                    try database.pool.read { db in _ = try PolicyEngine.checkedStatement(query, db: db) }
                }
            }
        }
    }

    // MARK: Database safety

    @Test("a file that is not SQLite is refused and left byte-for-byte untouched")
    func notADatabase() throws {
        try TestSupport.withTemporaryDirectory { root in
            let original = Array("name,role\nalice,admin\nbob,dev\n".utf8)
            let file = try TestSupport.write(original, to: "people.csv", in: root)
            #expect(throws: AuditDatabaseError.notADatabase(path: file.path)) {
                _ = try AuditDatabase.open(path: file.path)
            }
            #expect(throws: AuditDatabaseError.notADatabase(path: file.path)) {
                _ = try AuditDatabase.open(path: file.path, readOnly: true)
            }
            #expect(Array(try Data(contentsOf: file)) == original)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path)
            #expect(leftovers == ["people.csv"])
        }
    }

    @Test("a database from a newer trustaudit (unknown migration) is refused with newerSchema")
    func newerSchema() throws {
        try TestSupport.withTemporaryDirectory { root in
            let path = root.appendingPathComponent("future.db").path
            do {
                let database = try AuditDatabase.open(path: path)
                try database.pool.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')")
                }
            }
            #expect(throws: AuditDatabaseError.newerSchema(path: path, unknownMigrations: ["9999_from_the_future"])) {
                _ = try AuditDatabase.open(path: path)
            }
            // The newer database is not modified by the refusal.
            let reopened = try DatabaseQueue(path: path)
            let ids = try reopened.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") }
            #expect(ids == SchemaMigrations.all.map(\.identifier) + ["9999_from_the_future"])
        }
    }

    /// A database file with the migrations whose identifiers sort before `before`, as an older
    /// build left it.
    static func olderDatabase(at path: String, before: String) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        for migration in SchemaMigrations.all where migration.identifier < before {
            migrator.registerMigration(migration.identifier) { db in try db.execute(sql: migration.sql) }
        }
        try migrator.migrate(queue)
        return queue
    }

    @Test("an older database is upgraded on open")
    func upgrade() throws {
        try TestSupport.withTemporaryDirectory { root in
            let path = root.appendingPathComponent("old.db").path
            // A database holding only the first migration, as an older build made it.
            _ = try Self.olderDatabase(at: path, before: "0002")
            let database = try AuditDatabase.open(path: path)
            let applied = try database.pool.read { db in try SchemaMigrations.migrator().appliedIdentifiers(db) }
            #expect(applied == Set(SchemaMigrations.all.map(\.identifier)))
        }
    }

    @Test("facts and a trust graph stored by an older build (hash keys, text edges) read the same through the views after the upgrade")
    func upgradeTrustEdges() throws {
        try TestSupport.withTemporaryDirectory { root in
            let path = root.appendingPathComponent("old.db").path
            do {
                let queue = try Self.olderDatabase(at: path, before: "0005")
                try queue.write { db in
                    try db.execute(sql: """
                        INSERT INTO scans (id, started_at, status, tool_version, data_scan_id, findings_scan_id)
                        VALUES (1, '2026-11-01T00:00:00Z', 'complete', '0.1.0', 1, 1);
                        INSERT INTO oct_service_accounts (scan_id, server, account_id, external_id, username)
                        VALUES (1, 'https://octo.example', 'Users-1', 'e1', 'gh-deploy');
                        INSERT INTO oct_identities (scan_id, server, account_id, identity_id, name, issuer, subject)
                        VALUES (1, 'https://octo.example', 'Users-1', 'Id-1', 'prod', 'https://token.actions.githubusercontent.com', 'repo:acme/*'),
                               (1, 'https://octo.example', 'Users-1', 'Id-2', 'api', 'https://token.actions.githubusercontent.com', 'repo:acme/api:environment:Production');
                        INSERT INTO derived_subjects (scan_id, repository, file, job, trigger, subject, is_pattern, environment, id_token, reason)
                        VALUES (1, 'acme/api', 'deploy.yml', 'deploy', 'push', 'repo:acme/api:environment:Production', 0, 'Production', 'write', 'push runs it'),
                               (1, 'acme/api', 'ci.yml', 'test', 'push', 'repo:acme/api:ref:refs/heads/main', 0, NULL, 'unknown', 'push runs it');
                        INSERT INTO trust_edges (scan_id, repository, file, job, trigger, subject, server, account_id, external_id, identity_id,
                                                 match_kind, status, environment, gate, called_file, called_job, reason)
                        VALUES (1, 'acme/api', 'deploy.yml', 'deploy', 'push', 'repo:acme/api:environment:Production', 'https://octo.example',
                                'Users-1', 'e1', 'Id-1', 'pattern', 'possible', 'Production', 'environment Production: 1 required reviewer', NULL, NULL, 'push runs it'),
                               (1, 'acme/api', 'deploy.yml', 'deploy', 'push', 'repo:acme/api:environment:Production', 'https://octo.example',
                                'Users-1', 'e1', 'Id-2', 'exact', 'in use', 'Production', 'environment Production: 1 required reviewer', NULL, NULL, 'push runs it'),
                               (1, 'acme/api', 'ci.yml', 'test', 'push', 'repo:acme/api:ref:refs/heads/main', 'https://octo.example',
                                'Users-1', 'e1', 'Id-1', 'pattern', 'possible', NULL, 'none (no environment)', 'shared/build.yml', 'mint',
                                'push runs it; permissions are an expression, so id-token: write is assumed possible');
                        INSERT INTO blobs (hash, kind, size, content) VALUES ('ffff', 'workflow', 3, x'616263'), ('0000', 'workflow', 3, x'646566'),
                                                                            ('aaaa', 'github-settings', 2, x'7b7d');
                        INSERT INTO scan_inputs (scan_id, kind, document, subject, blob_hash) VALUES (1, 'github-settings', 'acme.json', 'acme', 'aaaa');
                        INSERT INTO wf_documents (blob_hash, parser_version, name, permissions_kind) VALUES ('ffff', 1, 'Deploy', 'map'),
                                                                                                           ('0000', 1, 'CI', NULL);
                        INSERT INTO wf_jobs (blob_hash, job_key, ordinal, line, environment) VALUES ('ffff', 'deploy', 0, 5, 'Production'),
                                                                                                   ('0000', 'test', 0, 4, NULL);
                        INSERT INTO wf_permissions (blob_hash, job_key, scope, access, line) VALUES ('ffff', '', 'id-token', 'write', 3);
                        INSERT INTO wf_triggers (blob_hash, event, line) VALUES ('ffff', 'push', 2), ('0000', 'workflow_call', 2);
                        INSERT INTO wf_steps (blob_hash, job_key, step_index, line, uses, uses_owner, uses_repo, uses_ref, ref_kind)
                        VALUES ('ffff', 'deploy', 0, 8, 'OctopusDeploy/login@v1', 'OctopusDeploy', 'login', 'v1', 'tag');
                        INSERT INTO wf_suppressions (blob_hash, line, policy, reason) VALUES ('ffff', 8, 'oidc-action-unpinned', 'vendor action');
                        INSERT INTO scan_repositories (id, scan_id, full_name) VALUES (1, 1, 'acme/api');
                        INSERT INTO scan_workflow_files (scan_id, repository_id, path, blob_hash, read_error)
                        VALUES (1, 1, 'deploy.yml', 'ffff', NULL), (1, 1, 'ci.yml', '0000', NULL), (1, 1, 'broken.yml', NULL, 'unreadable');
                        """)
                }
            }
            let database = try AuditDatabase.open(path: path)
            let rows = try database.read(snapshot: 1) { db in
                try Row.fetchAll(db, sql: """
                    SELECT file, job, identity_id, match_kind, status, environment, gate, called_file, called_job, reason, service_account
                    FROM trust_graph ORDER BY file, identity_id
                    """)
            }
            #expect(rows.count == 3)
            let checked10 = rows.map { $0["identity_id"] as String } == ["Id-1", "Id-1", "Id-2"]
            #expect(checked10)
            let checked11 = rows.map { $0["match_kind"] as String } == ["pattern", "pattern", "exact"]
            #expect(checked11)
            let checked12 = rows.map { $0["status"] as String } == ["possible", "possible", "in use"]
            #expect(checked12)
            let checked13 = rows.map { $0["gate"] as String } == ["none (no environment)", "environment Production: 1 required reviewer",
                                                           "environment Production: 1 required reviewer"]
            #expect(checked13)
            #expect(rows[0]["called_job"] as String? == "mint")
            #expect(rows[0]["reason"] as String == "push runs it; permissions are an expression, so id-token: write is assumed possible")
            #expect(rows[1]["reason"] as String == "push runs it")
            let checked14 = rows.allSatisfy { ($0["service_account"] as String) == "gh-deploy" }
            #expect(checked14)
            let subjects = try database.read(snapshot: 1) { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job_subjects") }
            #expect(subjects == 2)

            // Workflow facts keyed by hash before 0006 are keyed by document number after it, and
            // read the same through the views.
            try database.read(snapshot: 1) { db in
                let tokens = try Row.fetchAll(db, sql: "SELECT file, job, id_token, source FROM job_tokens ORDER BY file")
                let checked15 = tokens.map { "\($0["file"] as String) \($0["job"] as String) \($0["id_token"] as String) \($0["source"] as String)" }
                        == ["ci.yml test inherited default", "deploy.yml deploy write workflow"]
                #expect(checked15)
                #expect(try String.fetchAll(db, sql: "SELECT action || '@' || uses_ref FROM steps") == ["OctopusDeploy/login@v1"])
                #expect(try String.fetchAll(db, sql: "SELECT file || ':' || COALESCE(parse_error, name) FROM workflows ORDER BY file")
                        == ["broken.yml:unreadable", "ci.yml:CI", "deploy.yml:Deploy"])
                #expect(try String.fetchAll(db, sql: "SELECT blob_hash FROM jobs ORDER BY file") == ["0000", "ffff"])
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM wf_suppressions s JOIN blobs b ON b.id = s.doc WHERE b.hash = 'ffff'") == 1)
                #expect(try String.fetchAll(db, sql: "SELECT b.kind FROM scan_inputs i JOIN blobs b ON b.hash = i.blob_hash") == ["github-settings"])
                #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
                // The rebuilt tables have planner statistics again (a reused snapshot runs no ANALYZE).
                #expect(try Set(String.fetchAll(db, sql: "SELECT tbl FROM sqlite_stat1"))
                            .isSuperset(of: ["trust_edges", "derived_subjects", "wf_steps", "wf_jobs", "oct_identities"]))
            }
        }
    }
}

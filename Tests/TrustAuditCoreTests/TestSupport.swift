import Foundation
import GRDB
@testable import TrustAuditCore

/// Shared helpers for the end-to-end, demo-org, CLI and schema-doc tests: the package root,
/// throwaway folders with real files in them, and a one-call scan through the real pipeline.
///
/// Inside a closure such as `withTemporaryDirectory`'s body, Swift 6.3.1 can give a closure
/// written in a `#expect` or `#require` argument the same name as the next closure of the same
/// type outside the macro, and then runs one body for both: a `filter` ran the `#expect`'s
/// predicate, and an expectation could pass whatever the scan did. So the tests compute such a
/// value first (`let checkedN = findings.contains { … }`, then `#expect(checkedN)`), or use a
/// named predicate; `#expect` and `#require` are given values, not closures.
enum TestSupport {
    /// The package root, found from this file's path (Tests/TrustAuditCoreTests/TestSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `body` with a fresh empty folder that is removed afterwards, whatever happens.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("trustaudit-tests-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url)
    }

    /// Writes text to `relative` under `base`, creating the folders on the way.
    @discardableResult
    static func write(_ text: String, to relative: String, in base: URL) throws -> URL {
        try write(Array(text.utf8), to: relative, in: base)
    }

    @discardableResult
    static func write(_ bytes: [UInt8], to relative: String, in base: URL) throws -> URL {
        let url = base.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url
    }

    /// Opens (creating and migrating) a database file in `directory`.
    static func openDatabase(in directory: URL, name: String = "audit.db") throws -> AuditDatabase {
        try AuditDatabase.open(path: directory.appendingPathComponent(name).path)
    }

    /// Discovers repositories under `paths` and scans them with the given policies (default: the
    /// built-in ones), exactly as `trustaudit scan` does.
    static func scan(
        _ paths: [URL], owner: String? = nil, database: AuditDatabase,
        policies: [Policy]? = nil, settings: PolicySettings = PolicySettings()
    ) throws -> ScanOutcome {
        try ScanPlan(paths: paths.map(\.path), owner: owner, policies: policies ?? builtInPolicies(), settings: settings)
            .run(database: database)
    }

    /// The built-in policies; a policy that does not load is a test failure elsewhere.
    static func builtInPolicies() -> [Policy] {
        PolicyLoader.builtIn().policies
    }

    /// `policy repository file:line`, a readable key for comparing sets of findings.
    static func key(_ finding: Finding) -> String {
        var key = "\(finding.policy) \(finding.repository ?? "-") \(finding.file ?? "-"):\(finding.line.map(String.init) ?? "-")"
        // Trust-graph and identity findings are told apart by the service account they concern.
        if let account = finding.serviceAccount {
            key += " @" + (account.components(separatedBy: " (").first ?? account)
        }
        return key
    }
}

/// A minimal valid workflow with one finding (`permissions-write-all` at line 2).
let writeAllWorkflow = """
    on: push
    permissions: write-all
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make

    """

/// A clean workflow: declared read-only permissions, no OIDC, no findings.
let cleanWorkflow = """
    on: push
    permissions:
      contents: read
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: make test

    """

extension AuditDatabase {
    /// The snapshot of the latest complete scan, which `trustaudit query` shows by default.
    func latestSnapshot() throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT data_scan_id FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1")
        }
    }

    /// The first column of the first row of a query, as an integer (for counts in tests); the
    /// documented views show `snapshot`, by default the latest complete scan's.
    func count(_ sql: String, _ arguments: StatementArguments = StatementArguments(), snapshot: Int64? = nil) throws -> Int? {
        try read(snapshot: try snapshot ?? latestSnapshot()) { db in try Int.fetchOne(db, sql: sql, arguments: arguments) }
    }

    /// Every value of a query's first column, as text; the views show `snapshot` as in `count`.
    func strings(_ sql: String, _ arguments: StatementArguments = StatementArguments(), snapshot: Int64? = nil) throws -> [String] {
        try read(snapshot: try snapshot ?? latestSnapshot()) { db in try String.fetchAll(db, sql: sql, arguments: arguments) }
    }
}

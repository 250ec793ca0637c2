import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// A scan that fails, is killed, or races another one leaves earlier snapshots intact and the
/// database usable; a file that is not a trustaudit database is refused and left untouched.
@Suite("Scan robustness")
struct ScanRobustnessTests {
    private struct ThrowingStage: ScanStage {
        let name = "throws"
        let signature = "throws-v1"
        func run(_ db: Database, scanID: Int64) throws {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "stage exploded on purpose"])
        }
    }

    /// Signals when it starts, then holds the scan (and its lock) for a while.
    private struct SlowStage: ScanStage {
        let name = "slow"
        let signature = "slow-v1"
        let started: DispatchSemaphore
        func run(_ db: Database, scanID: Int64) throws {
            started.signal()
            Thread.sleep(forTimeInterval: 1.5)
        }
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes: [ScanOutcome] = []
        private var errors: [String] = []
        private var messages: [String] = []
        func add(_ outcome: ScanOutcome) { lock.withLock { outcomes.append(outcome) } }
        func add(error: any Error) { lock.withLock { errors.append("\(error)") } }
        func add(message: String) { lock.withLock { messages.append(message) } }
        var snapshot: (outcomes: [ScanOutcome], errors: [String], messages: [String]) { lock.withLock { (outcomes, errors, messages) } }
    }

    @Test("a scan whose stage throws leaves only a failed row; earlier snapshots stay and the next scan works")
    func throwingStage() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            let rowsBefore = try fixture.perScanRowCounts()
            let blobsBefore = try fixture.database.count("SELECT COUNT(*) FROM blobs")

            try fixture.write(writeAllWorkflow + "# new content\n", "api", "ci.yml")
            #expect(throws: CocoaError.self) {
                try fixture.scan(extraStages: [ThrowingStage()])
            }
            let failedID = first.scanID + 1
            let failed = try #require(try fixture.scanRow(failedID))
            #expect(failed["status"] as String == "failed")
            #expect((failed["error"] as String?)?.isEmpty == false)
            #expect(failed["finished_at"] as String? != nil)
            #expect(try fixture.rowsOwned(by: failedID).isEmpty)
            #expect(try fixture.perScanRowCounts() == rowsBefore)
            #expect(try fixture.database.count("SELECT COUNT(*) FROM blobs") == blobsBefore, "the failed scan's new content was rolled back")

            // The earlier snapshot is still the latest complete one, unchanged.
            let latest = try fixture.database.pool.read { db in try ScanCatalog.resolve(nil, db: db) }
            #expect(latest.id == first.scanID)
            #expect(try FindingStoreReader.fingerprints(fixture.database, first.scanID) == first.findings.map(\.fingerprint).sorted())
            #expect(throws: ScanCatalog.LookupError.self) {
                try fixture.database.pool.read { db in _ = try ScanCatalog.resolve(failedID, db: db) }
            }

            // The next scan works, parses the new content, and drift skips the failed scan.
            let next = try fixture.scan()
            #expect(next.parsedFiles == 1)
            #expect(!next.reusedSnapshot)
            let drift = try fixture.drift(from: first.scanID, to: next.scanID)
            let checked1 = drift.introduced.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/api" }
            #expect(checked1)
            let previous = try fixture.database.pool.read { db in try ScanCatalog.previous(before: next.scanID, db: db) }
            #expect(previous.id == first.scanID)
            #expect(try fixture.integrityCheck() == ["ok"])
        }
    }

    @Test("a new snapshot is copied into the database file itself once the scan is done, and the writer checkpoints automatically again")
    func snapshotCheckpointed() throws {
        try TestSupport.withTemporaryDirectory { root in
            try TestSupport.write(writeAllWorkflow, to: "repo/.github/workflows/ci.yml", in: root)
            let database = try TestSupport.openDatabase(in: root)
            let outcome = try TestSupport.scan([root.appendingPathComponent("repo")], owner: "acme", database: database)
            // The checkpoint runs on the writer's queue: a write queued after it waits for it.
            let pages = try database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
            #expect(pages == 1000)
            // The database file alone, without its write-ahead log, holds the snapshot's rows
            // (a small scan stays far below the automatic checkpoint's 1,000 pages).
            let copy = root.appendingPathComponent("copy.db")
            try FileManager.default.copyItem(atPath: database.path, toPath: copy.path)
            let rows = try DatabaseQueue(path: copy.path).read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM scan_repositories WHERE scan_id = ?", arguments: [outcome.scanID])
            }
            #expect(rows == 1)
        }
    }

    @Test("a 'running' scan left by a dead process is marked failed by the next scan and its rows removed")
    func interruptedScan() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let first = try fixture.scan()
            // What a process killed mid-scan leaves: a running row, and rows it had committed.
            let staleID = try fixture.database.pool.write { db -> Int64 in
                try db.execute(sql: "INSERT INTO scans (started_at, status, tool_version) VALUES (?, 'running', '0.1.0')",
                               arguments: [Timestamp.now()])
                let id = db.lastInsertedRowID
                try db.execute(sql: "INSERT INTO scan_repositories (scan_id, full_name, source) VALUES (?, 'acme/ghost', 'x')", arguments: [id])
                try db.execute(sql: """
                    INSERT INTO findings (scan_id, fingerprint, policy, severity, category, title, message)
                    VALUES (?, 'f', 'p', 'high', 'hygiene', 't', 'half-written')
                    """, arguments: [id])
                return id
            }
            #expect(try fixture.rowsOwned(by: staleID).count == 2)

            let next = try fixture.scan()
            #expect(next.scanID > staleID)
            #expect(next.reusedSnapshot)
            let stale = try #require(try fixture.scanRow(staleID))
            #expect(stale["status"] as String == "failed")
            #expect((stale["error"] as String?)?.contains("interrupted") == true)
            #expect(try fixture.rowsOwned(by: staleID).isEmpty)
            #expect(try FindingStoreReader.fingerprints(fixture.database, first.scanID) == first.findings.map(\.fingerprint).sorted())
            #expect(try fixture.integrityCheck() == ["ok"])
            let list = try fixture.database.pool.read { db in try ScanList.load(db: db) }
            #expect(list.entries.map(\.status) == ["complete", "failed", "complete"])
        }
    }

    @Test("two scans started at once on one database both complete; the second waits with a message")
    func concurrentScans() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            let path = fixture.database.path
            let started = DispatchSemaphore(value: 0)
            let slowRequest = try fixture.request(extraStages: [SlowStage(started: started)])
            try fixture.write(writeAllWorkflow + "# other\n", "web", "ci.yml")
            let otherRequest = try fixture.request()

            let collected = Collected()
            let group = DispatchGroup()
            // Two connections of their own, as two processes would have.
            let firstDatabase = try AuditDatabase.open(path: path)
            let secondDatabase = try AuditDatabase.open(path: path)
            DispatchQueue.global().async(group: group) {
                do { collected.add(try ScanPipeline(database: firstDatabase).run(slowRequest)) } catch { collected.add(error: error) }
            }
            #expect(started.wait(timeout: .now() + 60) == .success)
            DispatchQueue.global().async(group: group) {
                let pipeline = ScanPipeline(database: secondDatabase) { collected.add(message: $0) }
                do { collected.add(try pipeline.run(otherRequest)) } catch { collected.add(error: error) }
            }
            #expect(group.wait(timeout: .now() + 120) == .success)

            let result = collected.snapshot
            #expect(result.errors.isEmpty, "\(result.errors)")
            #expect(result.outcomes.count == 2)
            #expect(result.messages.count == 1)
            #expect(result.messages.first?.contains("waiting") == true)
            #expect(try fixture.database.strings("SELECT status FROM scans ORDER BY id") == ["complete", "complete"])
            #expect(Set(result.outcomes.map(\.reusedSnapshot)) == [false])
            #expect(try fixture.integrityCheck() == ["ok"])
        }
    }

    /// A real trustaudit database, closed, with its bytes.
    private static func realDatabase(in root: URL) throws -> URL {
        let source = root.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var fixture = try HistoryFixture(root: source)
        try fixture.writeStandardOrg()
        try fixture.scan()
        _ = try fixture.checkpointedSize()
        return URL(fileURLWithPath: fixture.database.path)
    }

    @Test("garbage, a forged header and a truncated database are refused as notADatabase and left untouched",
          arguments: ["random bytes", "SQLite header then garbage", "truncated database", "empty pages"])
    func notADatabase(kind: String) throws {
        try TestSupport.withTemporaryDirectory { root in
            var generator = SystemRandomNumberGenerator()
            let bytes: [UInt8]
            switch kind {
            case "random bytes":
                bytes = (0..<8192).map { _ in UInt8.random(in: 1...255, using: &generator) }
            case "SQLite header then garbage":
                bytes = Array("SQLite format 3\0".utf8) + (0..<8176).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case "truncated database":
                let real = try Array(Data(contentsOf: Self.realDatabase(in: root)))
                #expect(real.count > 3 * 4096)
                bytes = Array(real.prefix(real.count / 3))
            default:
                bytes = Array("SQLite format 3\0".utf8) + [UInt8](repeating: 0, count: 4080)
            }
            let file = try TestSupport.write(bytes, to: "target/audit.db", in: root)
            #expect(throws: AuditDatabaseError.notADatabase(path: file.path)) {
                let database = try AuditDatabase.open(path: file.path)
                _ = try ScanPipeline(database: database).run(ScanRequest(repositories: [], policies: []))
            }
            #expect(Array(try Data(contentsOf: file)) == bytes, "the file must be left byte for byte as it was")
        }
    }

    /// Every table's SQL and rows, as text: what a database says, whatever its page layout.
    private static func logicalDump(_ path: String) throws -> [String] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            var lines: [String] = []
            for row in try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master ORDER BY type, name") {
                lines.append("\(row["type"] as String) \(row["name"] as String): \((row["sql"] as String?) ?? "")")
                if row["type"] as String == "table" {
                    let name: String = row["name"]
                    for data in try Row.fetchAll(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier)") {
                        lines.append("  \(data.description)")
                    }
                }
            }
            return lines
        }
    }

    @Test("a database with an unknown future migration is refused, read-write and read-only, and its contents are not modified")
    func futureMigration() throws {
        try TestSupport.withTemporaryDirectory { root in
            let path: String
            do {
                let fixture = try HistoryFixture(root: root)
                path = fixture.database.path
                try fixture.database.pool.write { db in
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9000_history_v2')")
                }
                _ = try fixture.checkpointedSize()
            }
            let before = try Self.logicalDump(path)
            #expect(throws: AuditDatabaseError.newerSchema(path: path, unknownMigrations: ["9000_history_v2"])) {
                _ = try AuditDatabase.open(path: path)
            }
            #expect(throws: AuditDatabaseError.newerSchema(path: path, unknownMigrations: ["9000_history_v2"])) {
                _ = try AuditDatabase.open(path: path, readOnly: true)
            }
            // Nothing the newer version wrote is changed: same schema, same rows, no migration applied.
            #expect(try Self.logicalDump(path) == before)
            let description = AuditDatabaseError.newerSchema(path: path, unknownMigrations: ["9000_history_v2"]).description
            #expect(description.contains("9000_history_v2"))
            #expect(description.contains("newer trustaudit"))
        }
    }
}

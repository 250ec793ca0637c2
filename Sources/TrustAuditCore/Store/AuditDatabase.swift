import Foundation
import GRDB
import SQLiteSettings

/// A trustaudit database: one SQLite file, opened through GRDB in WAL mode.
///
/// Writers (a scan) and readers (policies, reports, the shell) use the same pool; readers get
/// SQLite read-only connections, which is what makes a policy unable to change anything.
/// Every connection defines `current_scan()`, the scan the documented views show. It is NULL
/// (the views are empty) unless the access says which snapshot it reads: `read(snapshot:)`,
/// `write(snapshot:)`, `checkedRead(snapshot:)`, or `showing(_:snapshot:)` inside one. Nothing
/// sets it for the whole process, so two readers of different snapshots never see each other's.
public final class AuditDatabase: Sendable {
    public let path: String
    public let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// A file that is not SQLite is refused before SQLite writes anything to it; a database from a
    /// newer trustaudit is refused rather than half-understood.
    ///
    /// Read-only, the file must exist and hold trustaudit's schema: nothing is created beside it
    /// (no lock file), so a mistyped `--db` is an error rather than a new empty database. An older
    /// schema is upgraded first through a writable connection, when the file allows it.
    public static func open(path: String, readOnly: Bool = false) throws -> AuditDatabase {
        _ = processSettings
        guard readOnly else { return try openWritable(path: path) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw AuditDatabaseError.missing(path: path)
        }
        try refuseNonSQLite(path: path)
        try inspectExisting(path: path)
        do {
            return try openPool(path: path, readOnly: true)
        } catch AuditDatabaseError.needsUpgrade {
            _ = try openWritable(path: path)
            return try openPool(path: path, readOnly: true)
        }
    }

    /// SQLite's process-wide settings, made once, before this process first opens a database
    /// (see `trustaudit_sqlite_disable_memory_statistics`; in a process that used SQLite before,
    /// they stay as they were).
    private static let processSettings: Void = {
        _ = trustaudit_sqlite_disable_memory_statistics()
    }()

    private static func openWritable(path: String) throws -> AuditDatabase {
        // Two trustaudit processes may open a new database at once: while one creates and migrates
        // it, the other would see a half-made schema and call it foreign. Inspecting and migrating
        // under a short lock of their own (not the scan lock, which a long scan holds) keeps that
        // atomic; where no lock file can be made (a read-only folder) there is nobody to race.
        try refuseNonSQLite(path: path)
        let openLockPath = path + ".open.lock"
        let openLock = try? ScanLock.acquire(lockFile: openLockPath, waitMessage: "") { _ in }
        defer { openLock?.release() }
        do {
            try inspectExisting(path: path)
        } catch AuditDatabaseError.foreignDatabase(let path) {
            // Leave nothing beside another application's file.
            try? FileManager.default.removeItem(atPath: openLockPath)
            throw AuditDatabaseError.foreignDatabase(path: path)
        } catch AuditDatabaseError.notADatabase(let path) {
            try? FileManager.default.removeItem(atPath: openLockPath)
            throw AuditDatabaseError.notADatabase(path: path)
        }
        return try openPool(path: path, readOnly: false)
    }

    /// What SQLite should open for reading `path`. A WAL database needs its `-shm` file, which a
    /// reader creates beside the database; in a folder it cannot write (a read-only mount, an
    /// auditor's copy) the file is opened immutable instead, which needs none.
    static func readOnlyLocation(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        if access(folder.isEmpty ? "." : folder, W_OK) == 0 || FileManager.default.fileExists(atPath: path + "-shm") {
            return path
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute
        return "file:\(encoded)?immutable=1"
    }

    private static func openPool(path: String, readOnly: Bool) throws -> AuditDatabase {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(30)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            db.add(function: currentScanFunction(nil))
            // SQLite's fts3_tokenizer(name) returns a tokenizer's address in memory: a query
            // (or a policy) could read the process's heap layout with it. Nothing here needs it.
            for count in [1, 2] {
                db.add(function: DatabaseFunction("fts3_tokenizer", argumentCount: count, pure: false) { _ in
                    throw DeniedFunctionError(name: "fts3_tokenizer")
                })
            }
            // An organization's database runs to hundreds of megabytes; a page cache larger than
            // SQLite's 2 MiB default spares the index lookups of a scan most of their read() calls.
            // Each connection has its own (the writer and one reader per core during evaluation):
            // at 10,000 repositories 32 MiB for the writer is as fast as 1 GiB, and 64 MiB cost
            // 100 MB of peak memory for nothing. Readers evaluated the policies as fast with 16 MiB
            // (6.8 s against 6.9–7.0 s) and the scan's peak memory fell by 35 MB.
            try db.execute(sql: "PRAGMA cache_size = -\(db.configuration.readonly ? Self.readerCacheKiB : Self.writerCacheKiB)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: readOnly ? readOnlyLocation(path) : path, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw AuditDatabaseError.notADatabase(path: path)
        } catch {
            throw AuditDatabaseError.cannotOpen(path: path, reason: "\(error)")
        }
        let database = AuditDatabase(path: path, pool: pool)
        try database.migrate(readOnly: readOnly)
        return database
    }

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Refreshes the planner's statistics from a sample of each index (`analysis_limit`), in a few
    /// milliseconds. Policies and derivation join the documented views on repository, file and
    /// job; without statistics SQLite's planner picks nested scans there, quadratic in the number
    /// of jobs, and a fresh database has none.
    static func analyze(_ db: Database) throws {
        try db.execute(sql: "PRAGMA analysis_limit = 1000")
        try db.execute(sql: "ANALYZE")
        let perScan = try correctPerScanEstimates(db)
        let perIdentity = try correctEdgesPerIdentity(db)
        // A connection reads the statistics when it loads the schema: this one reloads them now,
        // the readers only once they are replaced (`dropStaleReaders`).
        if perScan || perIdentity { try db.execute(sql: "ANALYZE sqlite_master") }
    }

    /// A sample of a thousand rows seldom reaches past one scan's rows, so after a sampled ANALYZE
    /// the planner believes a `scan_id` holds about a thousand rows of every table. For the trust
    /// graph that is wrong by tens of times (a scan of a large organization holds tens of
    /// thousands of subjects), and the planner then walks a whole snapshot's graph to find a few
    /// repositories' (a rescan's policies took seconds so). For the indexes of `derived_subjects`
    /// that start with `scan_id`, the rows per scan are estimated instead as the table's rows
    /// shared among the scans that own rows (trust edges are keyed by subject, not by scan). The
    /// other tables keep the sample's figure: with true figures there, SQLite dropped the Bloom
    /// filters of policies joining on `lower(repository)` and scanned whole tables per row
    /// (measured on the 10,000-repository benchmark: policy queries 10.3 s with the sample's
    /// figures everywhere, 12.0 s with true ones everywhere, 7.6 s with true ones for the trust
    /// graph only).
    private static func correctPerScanEstimates(_ db: Database) throws -> Bool {
        let owners = max(1, try Int.fetchOne(db, sql: """
            SELECT count(*) FROM scans WHERE status IN ('running', 'complete') AND (data_scan_id IS NULL OR data_scan_id = id)
            """) ?? 1)
        var changed = false
        for row in try Row.fetchAll(db, sql: """
            SELECT idx, stat FROM sqlite_stat1 WHERE idx IS NOT NULL AND tbl = 'derived_subjects'
            """) {
            let index: String = row["idx"], stat: String = row["stat"]
            let figures = stat.split(separator: " ")
            guard figures.count >= 2, let rows = Int(figures[0]), let perScan = Int(figures[1]), rows / owners > perScan,
                  try String.fetchOne(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno LIMIT 1", arguments: [index]) == "scan_id"
            else { continue }
            try setEstimate(db, index: index, stat: stat, rows: rows, perKey: rows / owners)
            changed = true
        }
        return changed
    }

    /// Rewrites an index's `sqlite_stat1` row with `rows` in all and `perKey` rows per value of its
    /// first column, keeping the figures for its other columns.
    private static func setEstimate(_ db: Database, index: String, stat: String, rows: Int, perKey: Int) throws {
        var figures = stat.split(separator: " ").map(String.init)
        guard figures.count >= 2 else { return }
        figures[0] = String(rows)
        figures[1] = String(perKey)
        try db.execute(sql: "UPDATE sqlite_stat1 SET stat = ? WHERE idx = ?", arguments: [figures.joined(separator: " "), index])
    }

    /// An organization-wide identity accepts every subject, so the edges of one identity run from
    /// one to hundreds of thousands, and a sample of a thousand rows tells the planner an identity
    /// has about twenty. It then walks from a snapshot's identities through every scan's edges
    /// instead of from the few subjects a query names (`identity-subject-pull-request` took 1.3 s
    /// instead of 0.1 s in a rescan of the 10,000-repository benchmark). The figure per identity
    /// becomes the edges shared among the identities that have any.
    private static func correctEdgesPerIdentity(_ db: Database) throws -> Bool {
        guard let stat = try String.fetchOne(db, sql: "SELECT stat FROM sqlite_stat1 WHERE idx = 'trust_edges_identity'") else {
            return false
        }
        let figures = stat.split(separator: " ")
        let counts = try Row.fetchOne(db, sql: "SELECT count(*) AS edges, count(DISTINCT identity_key) AS identities FROM trust_edges")
        guard figures.count >= 2, let counts, let edges: Int = counts["edges"], let identities: Int = counts["identities"], identities > 0,
              Int(figures[1]) != max(1, edges / identities)
        else { return false }
        try setEstimate(db, index: "trust_edges_identity", stat: stat, rows: edges, perKey: max(1, edges / identities))
        return true
    }

    /// `current_scan()` answering `snapshot` (NULL: no snapshot, every view empty).
    private static func currentScanFunction(_ snapshot: Int64?) -> DatabaseFunction {
        DatabaseFunction("current_scan", argumentCount: 0, pure: true) { _ in snapshot }
    }

    /// Runs `body` on `db` with the documented views showing scan `snapshot`, and NULL again after.
    public static func showing<T>(_ db: Database, snapshot: Int64?, _ body: () throws -> T) rethrows -> T {
        db.add(function: currentScanFunction(snapshot))
        defer { db.add(function: currentScanFunction(nil)) }
        return try body()
    }

    /// Page cache sizes in KiB (see `prepareDatabase` above for how they were chosen).
    static let writerCacheKiB = 32768
    static let readerCacheKiB = 16384
    /// The writer's cache while early policies run beside the stages (`EarlyPolicyEvaluation`):
    /// the derivation's working set and the policies' are held at once, and a cold scan of 10,000
    /// repositories peaked at 330 MB with the usual caches, 282–284 MB with these, as fast.
    static let sharedWriterCacheKiB = 8192
    static let leanReaderCacheKiB = 2048

    /// Runs `body` with the writer's page cache at `kib`, then restores the usual size.
    static func withWriterCache<T>(_ kib: Int, _ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA cache_size = -\(kib)")
        defer { try? db.execute(sql: "PRAGMA cache_size = -\(writerCacheKiB)") }
        return try body()
    }

    /// Makes a reader small: a small page cache and temporary tables in files rather than the
    /// heap, for queries that run while the scan's writer holds its own working set. The reader
    /// keeps this until the pool drops it (`dropStaleReaders`, `releaseMemory`).
    static func makeLean(_ db: Database) throws {
        try db.execute(sql: "PRAGMA cache_size = -\(leanReaderCacheKiB)")
        try db.execute(sql: "PRAGMA temp_store = FILE")
    }

    /// A read (on a read-only connection) whose documented views show scan `snapshot`.
    public func read<T>(snapshot: Int64?, _ body: (Database) throws -> T) throws -> T {
        try pool.read { db in try Self.showing(db, snapshot: snapshot) { try body(db) } }
    }

    /// A write transaction whose documented views show scan `snapshot`.
    public func write<T>(snapshot: Int64?, _ body: (Database) throws -> T) throws -> T {
        try pool.write { db in try Self.showing(db, snapshot: snapshot) { try body(db) } }
    }

    /// Replaces the read-only connections after a write that ran `analyze`. A connection loads the
    /// planner's statistics with the schema and keeps them until the schema changes, which an
    /// ANALYZE of a database that has statistics already does not do; a reader opened before the
    /// scan's write (opening the database checks the migrations on one) planned policies with the
    /// previous snapshot's statistics (measured: `identity-subject-pull-request` 1.2–1.3 s instead
    /// of 0.1 s in most rescans of the 10,000-repository benchmark, depending on which reader ran it).
    func dropStaleReaders() {
        pool.invalidateReadOnlyConnections()
    }

    /// Empties every connection's page cache (closing the readers, so the next ones also load
    /// fresh planner statistics, as `dropStaleReaders` does) and hands the freed heap back to the
    /// system. A scan calls it between phases whose working sets differ: what parsing, storing
    /// and deriving held is not what evaluation reads, and evaluation's readers are not what
    /// writing the findings needs. At 10,000 repositories this kept the scan's peak memory under
    /// 300 MB (from 357 MB), for 0.04–0.09 s.
    func releaseMemory() {
        pool.releaseMemory()
        FreeHeapPages.release()
    }

    /// `releaseMemory` without waiting for the reads in flight (policies evaluated beside the
    /// stages): their connections close when those reads end, and every other reader now.
    func releaseMemoryBesideReads() {
        try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA shrink_memory") }
        pool.invalidateReadOnlyConnections()
        FreeHeapPages.release()
    }

    /// Runs `body` with the writer's automatic checkpoint off, so that committing a snapshot's
    /// hundreds of megabytes does not also copy them into the database file before the commit
    /// returns; `checkpointInBackground` copies them while the policies run. At 10,000
    /// repositories this took 0.8–1.1 s off a cold scan's commit and 0.5 s off a 1% rescan's,
    /// of which evaluation gave back 0.2–0.5 s sharing the two cores with the copy.
    func withoutAutomaticCheckpoint<T>(_ body: () throws -> T) throws -> T {
        let previous = try pool.writeWithoutTransaction { db -> Int in
            let pages = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1000
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            return pages
        }
        defer { try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = \(previous)") } }
        return try body()
    }

    /// Copies the write-ahead log into the database file on the writer's queue, without waiting
    /// for it: readers go on reading (a passive checkpoint blocks nobody), and the next write
    /// waits its turn. A checkpoint that fails is left to the next automatic one.
    func checkpointInBackground() {
        pool.asyncWriteWithoutTransaction { db in _ = try? db.checkpoint(.passive) }
    }

    private func migrate(readOnly: Bool) throws {
        let migrator = SchemaMigrations.migrator()
        do {
            let known = Set(migrator.migrations)
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(known).sorted()
            if !unknown.isEmpty {
                throw AuditDatabaseError.newerSchema(path: path, unknownMigrations: unknown)
            }
            if readOnly {
                if applied.isEmpty { throw AuditDatabaseError.empty(path: path) }
                if applied != known { throw AuditDatabaseError.needsUpgrade(path: path) }
                return
            }
            try migrator.migrate(pool)
            if !applied.isEmpty && applied != known {
                // An upgrade may rebuild tables, and SQLite keeps its statistics per table: without
                // fresh ones a scan that reuses an upgraded snapshot (and so runs no ANALYZE of its
                // own) gets nested scans over the views, quadratic in the organization's size.
                try pool.write { db in try Self.analyze(db) }
                dropStaleReaders()
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Looks at an existing file through a read-only connection before anything may write to it:
    /// a database of another application, or one from a newer trustaudit, is refused untouched.
    private static func inspectExisting(path: String) throws {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else { return }
        var config = Configuration()
        config.readonly = true
        // Another trustaudit may be creating or migrating this file right now: wait for it.
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: readOnlyLocation(path), configuration: config)
            defer { try? queue.close() }
            try queue.read { db in
                let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                if tables.isEmpty { return }
                guard tables.contains("grdb_migrations") else { throw AuditDatabaseError.foreignDatabase(path: path) }
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                let known = Set(SchemaMigrations.all.map(\.identifier))
                guard let first = SchemaMigrations.all.first?.identifier, applied.contains(first) else {
                    throw AuditDatabaseError.foreignDatabase(path: path)
                }
                let unknown = applied.subtracting(known).sorted()
                if !unknown.isEmpty { throw AuditDatabaseError.newerSchema(path: path, unknownMigrations: unknown) }
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// The user-facing error for anything SQLite or GRDB threw while opening `path`.
    private static func describe(_ error: Error, path: String) -> AuditDatabaseError {
        if let error = error as? AuditDatabaseError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            return .notADatabase(path: path)
        }
        return .cannotOpen(path: path, reason: "\(error)")
    }

    private static func refuseNonSQLite(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        if header != Data("SQLite format 3\0".utf8) {
            throw AuditDatabaseError.notADatabase(path: path)
        }
    }
}

/// A built-in SQLite function trustaudit does not offer to queries.
struct DeniedFunctionError: Error, CustomStringConvertible {
    var name: String

    var description: String { "\(name)() is not available in trustaudit queries" }
}

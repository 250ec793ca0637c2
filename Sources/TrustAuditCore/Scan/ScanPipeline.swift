import Foundation
import GRDB

/// Runs one scan end to end: read → parse → store → derive → evaluate → record findings.
///
/// A scan's facts are written in one transaction, then evaluated on read-only connections, then
/// its findings and its `complete` status are written in a second transaction. If anything
/// fails, the scan's rows are removed and only its `failed` row remains; earlier snapshots are
/// never touched.
public struct ScanPipeline: Sendable {
    public static let toolVersion = "0.1.0"
    /// Repositories read and parsed per batch: bounds memory on large organizations.
    static let batchSize = 256

    public let database: AuditDatabase

    public init(database: AuditDatabase) {
        self.database = database
    }

    public func run(_ request: ScanRequest) throws -> ScanOutcome {
        let startedAt = Timestamp.now()
        let policyDigest = SHA256.hex(request.policies.map { "\($0.id)\u{1F}\($0.query)" }.sorted().joined(separator: "\u{1E}"))
        let scanID = try database.pool.write { db -> Int64 in
            try db.execute(
                sql: "INSERT INTO scans (started_at, status, label, tool_version, policy_digest) VALUES (?, 'running', ?, ?, ?)",
                arguments: [startedAt, request.label, Self.toolVersion, policyDigest])
            return db.lastInsertedRowID
        }
        do {
            return try execute(request, scanID: scanID, startedAt: startedAt)
        } catch {
            try? database.pool.write { db in
                try db.execute(sql: "DELETE FROM findings WHERE scan_id = ?", arguments: [scanID])
                try db.execute(sql: "DELETE FROM policy_errors WHERE scan_id = ?", arguments: [scanID])
                try db.execute(sql: "DELETE FROM scan_repositories WHERE scan_id = ?", arguments: [scanID])
                try db.execute(sql: "UPDATE scans SET status = 'failed', finished_at = ?, error = ? WHERE id = ?",
                               arguments: [Timestamp.now(), "\(error)", scanID])
            }
            throw error
        }
    }

    private func execute(_ request: ScanRequest, scanID: Int64, startedAt: String) throws -> ScanOutcome {
        // Stages read the documented views too, on the writer's connection, inside the transaction.
        database.currentScan = scanID
        var clock = PhaseClock()
        var fileCount = 0
        var parsedCount = 0
        try database.pool.write { db in
            var known = try WorkflowFactStore.parsedHashes(db)
            var start = 0
            while start < request.repositories.count {
                let batch = Array(request.repositories[start..<min(start + Self.batchSize, request.repositories.count)])
                start += batch.count
                let snapshots = clock.measure("read") { ParallelMap.map(batch) { $0.snapshot } }
                let prepared = clock.measure("parse") { prepare(snapshots, known: known) }
                try clock.measure("store") {
                    for (snapshot, files) in zip(snapshots, prepared) {
                        try db.execute(
                            sql: "INSERT INTO scan_repositories (scan_id, full_name, source, head_commit) VALUES (?, ?, ?, ?) ON CONFLICT (scan_id, full_name) DO NOTHING",
                            arguments: [scanID, snapshot.fullName, snapshot.source, snapshot.headCommit])
                        let repositoryID = try Int64.fetchOne(db, sql: "SELECT id FROM scan_repositories WHERE scan_id = ? AND full_name = ?",
                                                              arguments: [scanID, snapshot.fullName])!
                        for file in files {
                            fileCount += 1
                            if let hash = file.hash, let bytes = file.bytes, let result = file.result, !known.contains(hash) {
                                try WorkflowFactStore.storeBlob(db, hash: hash, bytes: bytes)
                                try WorkflowFactStore.store(db, hash: hash, result: result)
                                known.insert(hash)
                                parsedCount += 1
                            }
                            try db.execute(
                                sql: "INSERT OR IGNORE INTO scan_workflow_files (scan_id, repository_id, path, blob_hash, read_error) VALUES (?, ?, ?, ?, ?)",
                                arguments: [scanID, repositoryID, file.path, file.hash, file.readError])
                        }
                    }
                }
            }
            for stage in request.stages {
                try clock.measure("derive") { try stage.run(db, scanID: scanID) }
            }
        }
        let evaluation = clock.measure("evaluate") {
            PolicyEngine.evaluate(database: database, scanID: scanID, policies: request.policies, settings: request.settings)
        }
        var findings = evaluation.findings
        try clock.measure("store") {
            findings = try database.pool.read { db in
                try FindingWaivers.apply(to: findings, db: db, scanID: scanID, settings: request.settings, today: request.today)
            }
            findings.sort(by: Finding.reportOrder)
            try database.pool.write { db in
                try FindingStore.insert(findings, errors: evaluation.errors, scanID: scanID, db: db)
            }
        }
        let coverage = try database.pool.read { db in try CoverageNote.load(scanID: scanID, db: db) }
        let finishedAt = Timestamp.now()
        try database.pool.write { db in
            try db.execute(sql: "UPDATE scans SET status = 'complete', finished_at = ? WHERE id = ?", arguments: [finishedAt, scanID])
        }
        return ScanOutcome(
            scanID: scanID, startedAt: startedAt, finishedAt: finishedAt, label: request.label,
            findings: findings, policyErrors: evaluation.errors, coverage: coverage, repositories: request.repositories.count,
            workflowFiles: fileCount, parsedFiles: parsedCount, timings: clock.phases)
    }

    /// A workflow file ready to store: hashed, and parsed if its content is new.
    struct PreparedFile: Sendable {
        var path: String
        var hash: String?
        var bytes: [UInt8]?
        var result: WorkflowParseResult?
        var readError: String?
    }

    /// Hashes every file and parses the new ones, on large-stack threads (see `LargeStackRunner`).
    private func prepare(_ snapshots: [RepositorySnapshot], known: Set<String>) -> [[PreparedFile]] {
        LargeStackRunner.map(snapshots, threads: ProcessInfo.processInfo.activeProcessorCount) { snapshot in
            snapshot.files.map { file -> PreparedFile in
                switch file.content {
                case .failure(let failure):
                    return PreparedFile(path: file.path, readError: failure.description)
                case .success(let bytes):
                    let hash = SHA256.hex(bytes)
                    if known.contains(hash) { return PreparedFile(path: file.path, hash: hash) }
                    return PreparedFile(path: file.path, hash: hash, bytes: bytes, result: WorkflowParser.parse(bytes: bytes))
                }
            }
        }
    }
}

/// Wall-clock seconds per named phase, accumulated across batches.
struct PhaseClock {
    private(set) var phases: [(phase: String, seconds: Double)] = []

    mutating func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let index = phases.firstIndex(where: { $0.phase == phase }) {
                phases[index].seconds += seconds
            } else {
                phases.append((phase, seconds))
            }
        }
        return try body()
    }
}

/// ISO 8601 UTC timestamps, as stored in `scans`.
public enum Timestamp {
    public static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

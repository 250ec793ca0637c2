import Foundation

/// What a full derivation reads of the committed snapshot alone, read on readers beside the
/// stages instead of on the writer in turn.
///
/// The stages write on one connection; for long stretches one core does that while the other
/// waits. Two reads of a full derivation need nothing the stages write: every workflow with its
/// jobs' tokens, triggers and logins (`TrustGraphReader.readWorkflows`, 0.6 s at 10,000
/// repositories), read while ingestion writes the settings; and the jobs holding credentials
/// (`CredentialJobsDerivation.rows`, 0.3 s), read while the derivation writes the graph
/// (`startCredentialJobs`, called through `ScanContext.writerAlone`). Only for a derivation that
/// must be full (see `ScanRecords.derivedBefore`); an incremental one reads a few repositories.
final class DerivationPrefetch: @unchecked Sendable {
    let scanID: Int64
    private let database: AuditDatabase
    private let lock = NSLock()
    private var workflows: BackgroundTask<TrustGraphReader.Workflows>?
    private var credentialJobs: BackgroundTask<[CredentialJobsDerivation.Job]>?
    /// Set by `finish`: nothing more is read.
    private var finished = false

    /// Starts reading the workflows of snapshot `scanID`, which must be committed.
    init(scanID: Int64, database: AuditDatabase) {
        self.scanID = scanID
        self.database = database
        workflows = BackgroundTask {
            try database.read(snapshot: scanID) { db in try TrustGraphReader.readWorkflows(db, scanID: scanID) }
        }
    }

    /// Starts reading the credential jobs on `queue`; a second call, or one after `finish`, does nothing.
    func startCredentialJobs(on queue: DispatchQueue) {
        lock.withLock {
            guard credentialJobs == nil, !finished else { return }
            let (database, scanID) = (database, scanID)
            credentialJobs = BackgroundTask(on: queue) {
                try database.read(snapshot: scanID) { db in
                    try AuditDatabase.makeLean(db)
                    return try CredentialJobsDerivation.rows(db)
                }
            }
        }
    }

    /// The workflows, once; nil when taken already or their read failed (the derivation then
    /// reads them itself).
    func takeWorkflows() -> TrustGraphReader.Workflows? {
        take(\.workflows)
    }

    /// The credential jobs, once; nil when not started, taken already or their read failed.
    func takeCredentialJobs() -> [CredentialJobsDerivation.Job]? {
        take(\.credentialJobs)
    }

    /// Waits for the reads still running, lets go of what they read and starts no other: a scan
    /// that failed is not left reading rows about to be removed, and a derivation that turned
    /// out incremental reads for itself.
    func finish() {
        lock.withLock { finished = true }
        _ = takeWorkflows()
        _ = takeCredentialJobs()
    }

    /// The value of the task at `task`, which is let go of; nil when there is none or it failed.
    private func take<T>(_ task: ReferenceWritableKeyPath<DerivationPrefetch, BackgroundTask<T>?>) -> T? {
        try? lock.withLock { () -> BackgroundTask<T>? in
            defer { self[keyPath: task] = nil }
            return self[keyPath: task]
        }?.take()
    }
}

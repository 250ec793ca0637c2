import Foundation

/// What a derivation reads of the committed snapshot alone, read on readers beside the stages
/// instead of on the writer in turn.
///
/// The stages write on one connection; for long stretches one core does that while the other
/// waits. Two reads of a derivation need nothing the stages write: the workflows with their
/// jobs' tokens, triggers and logins (`TrustGraphReader.readWorkflows`), and the jobs holding
/// credentials (`CredentialJobsDerivation.rows`). A derivation that must be full (see
/// `ScanRecords.derivedBefore`) has every workflow read while ingestion writes the settings
/// (0.6 s at 10,000 repositories) and the credential jobs while it writes the graph (0.3 s,
/// `startCredentialJobs`, called through `ScanContext.writerAlone`). An incremental one starts
/// reading its few repositories' workflows once it knows them and copies the unchanged
/// repositories' rows meanwhile (at 10,000 repositories and 1% changed, a 0.15 s read hidden
/// behind a 0.33 s copy).
final class DerivationPrefetch: @unchecked Sendable {
    let scanID: Int64
    private let database: AuditDatabase
    private let lock = NSLock()
    private var workflows: BackgroundTask<TrustGraphReader.Workflows>?
    /// The repositories (as stored) whose workflows are being read; nil: every one.
    private var workflowRepositories: [String]?
    private var credentialJobs: BackgroundTask<[CredentialJobsDerivation.Job]>?
    /// Set by `finish`: nothing more is read.
    private var finished = false

    /// Reads nothing yet; snapshot `scanID` must be committed.
    init(scanID: Int64, database: AuditDatabase) {
        self.scanID = scanID
        self.database = database
    }

    /// Starts reading the workflows of `repositories` (as stored; nil: of every repository); a
    /// second call, or one after `finish`, does nothing.
    func startWorkflows(of repositories: [String]?) {
        lock.withLock {
            guard workflows == nil, !finished else { return }
            let (database, scanID) = (database, scanID)
            workflowRepositories = repositories
            workflows = BackgroundTask {
                try database.read(snapshot: scanID) { db in try TrustGraphReader.readWorkflows(db, scanID: scanID, of: repositories) }
            }
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

    /// The workflows of `repositories` (nil: of every repository), once; nil when they were not
    /// the ones read, were taken already or their read failed (the derivation then reads them
    /// itself).
    func takeWorkflows(of repositories: [String]?) -> TrustGraphReader.Workflows? {
        guard lock.withLock({ workflowRepositories == repositories }) else { return nil }
        return take(\.workflows)
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
        _ = take(\.workflows)
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

import Foundation
import GRDB

/// Policies that read only a snapshot's workflow facts, evaluated while the scan's stages write
/// the trust graph.
///
/// Writing the graph's rows takes the one connection on one core for a sixth of a cold scan.
/// Policies that read nothing the stages write (pinned actions, unused tokens, `write-all`, …;
/// found from what SQLite says each query reads, not from a list) run meanwhile, one at a time,
/// on a lean reader of the committed snapshot (`AuditDatabase.makeLean`; the writer's cache is
/// smaller meanwhile too, so the scan's peak memory stays where it was). They start when the
/// derivation begins writing (`ScanContext.writerAlone`), not before the stages: ingestion and the
/// derivation's matching keep both cores busy, and policies run beside them only slowed them.
/// Only for a scan whose evaluation cannot be incremental: one that may be evaluates only the
/// changed repositories, after the stages.
final class EarlyPolicyEvaluation: @unchecked Sendable {
    /// The ids of the policies evaluated early.
    let policyIDs: Set<String>
    private let policies: [Policy]
    private let settings: PolicySettings
    private let database: AuditDatabase
    private let scanID: Int64
    private let lock = NSLock()
    private var task: BackgroundTask<(findings: [Finding], errors: [PolicyRunError])>?

    private init(policies: [Policy], settings: PolicySettings, database: AuditDatabase, scanID: Int64) {
        policyIDs = Set(policies.map(\.id))
        self.policies = policies
        self.settings = settings
        self.database = database
        self.scanID = scanID
    }

    /// The policies that can be evaluated early, not started yet; nil when there are none. Which
    /// tables a query reads does not depend on a reader's planner statistics, so the caller drops
    /// the readers opened before the snapshot's ANALYZE afterwards, once for everything that reads
    /// beside the stages.
    static func prepare(_ request: ScanRequest, policyDigest: String, database: AuditDatabase, scanID: Int64) -> EarlyPolicyEvaluation? {
        guard let evaluatedBefore = try? database.pool.read({ db in try ScanRecords.evaluatedBefore(db, policyDigest: policyDigest) }),
              !evaluatedBefore else { return nil }
        let enabled = request.policies.filter(request.settings.isEnabled)
        let early = PolicyEngine.readingOnly(SnapshotStore.tablesCompleteBeforeStages, except: SnapshotStore.columnsFilledByStages,
                                             policies: enabled, settings: request.settings,
                                             database: database, snapshot: scanID)
        guard !early.isEmpty else { return nil }
        if Profiling.enabled {
            StandardStreams.writeError("trustaudit: profile: early policies: \(early.map(\.id).sorted().joined(separator: ", "))\n")
        }
        return EarlyPolicyEvaluation(policies: early, settings: request.settings, database: database, scanID: scanID)
    }

    /// Starts evaluating on `queue`, on a reader of the snapshot as committed before the stages
    /// (their transaction is not committed while they run); a second call does nothing.
    func begin(on queue: DispatchQueue) {
        lock.withLock {
            guard task == nil else { return }
            // The policies allocate on another thread (another glibc arena), so the pages
            // ingestion and matching freed would stay counted beside theirs: 292 MB at the peak
            // of a cold 10,000-repository scan without this, 269 MB with it, for 8 ms.
            FreeHeapPages.release()
            let (database, scanID, policies, settings) = (database, scanID, policies, settings)
            task = BackgroundTask(on: queue) {
                try database.read(snapshot: scanID) { db in
                    try AuditDatabase.makeLean(db)
                    return PolicyEngine.evaluate(database: database, scanID: scanID, policies: policies, settings: settings, connection: db)
                }
            }
        }
    }

    /// The early policies' findings and errors, once they are done, or nil when they were not
    /// begun or their read could not be made (the policies are then evaluated with the others).
    /// Their lean reader is closed when they end: `releaseMemoryBesideReads`, after every new
    /// snapshot's stages, drops every reader without waiting for theirs.
    func results() -> (findings: [Finding], errors: [PolicyRunError])? {
        try? lock.withLock { task }?.take()
    }
}

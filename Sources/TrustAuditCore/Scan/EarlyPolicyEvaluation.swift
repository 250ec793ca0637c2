import Foundation
import GRDB

/// Policies that read only a snapshot's workflow facts, evaluated while the scan's stages ingest
/// the settings and exports and derive the trust graph.
///
/// Those stages write on the one connection, mostly on one core, for a third of a cold scan.
/// Policies that read nothing they write (pinned actions, unused tokens, `write-all`, …; found
/// from what SQLite says each query reads, not from a list) run meanwhile, one at a time,
/// on a lean reader of the committed snapshot (`AuditDatabase.makeLean`; the writer's cache is
/// smaller meanwhile too, so the scan's peak memory stays where it was). Only for a scan whose
/// evaluation cannot be incremental: one that may be evaluates only the changed repositories,
/// after the stages.
struct EarlyPolicyEvaluation {
    /// The ids of the policies evaluated early.
    let policyIDs: Set<String>
    private let task: BackgroundTask<(findings: [Finding], errors: [PolicyRunError])>

    /// Starts evaluating, or nil when nothing can start before the stages.
    static func start(_ request: ScanRequest, policyDigest: String, database: AuditDatabase, scanID: Int64) -> EarlyPolicyEvaluation? {
        guard let evaluatedBefore = try? database.pool.read({ db in try ScanRecords.evaluatedBefore(db, policyDigest: policyDigest) }),
              !evaluatedBefore else { return nil }
        let enabled = request.policies.filter(request.settings.isEnabled)
        // Readers opened before the snapshot's ANALYZE would plan with no statistics.
        database.dropStaleReaders()
        let early = PolicyEngine.readingOnly(SnapshotStore.tablesCompleteBeforeStages, except: SnapshotStore.columnsFilledByStages,
                                             policies: enabled, settings: request.settings,
                                             database: database, snapshot: scanID)
        guard !early.isEmpty else { return nil }
        if Profiling.enabled {
            StandardStreams.writeError("trustaudit: profile: early policies: \(early.map(\.id).sorted().joined(separator: ", "))\n")
        }
        let settings = request.settings
        // One read, begun before this returns: every early policy sees the snapshot as committed
        // before the stages, whatever they have written by the time it runs.
        let begun = DispatchSemaphore(value: 0)
        let task = BackgroundTask { () throws -> (findings: [Finding], errors: [PolicyRunError]) in
            do {
                return try database.read(snapshot: scanID) { db in
                    try AuditDatabase.makeLean(db)
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM scan_repositories WHERE scan_id = ?", arguments: [scanID])
                    begun.signal()
                    return PolicyEngine.evaluate(database: database, scanID: scanID, policies: early, settings: settings, connection: db)
                }
            } catch {
                begun.signal()
                throw error
            }
        }
        begun.wait()
        return EarlyPolicyEvaluation(policyIDs: Set(early.map(\.id)), task: task)
    }

    /// The early policies' findings and errors, once they are done, or nil when their read could
    /// not be made (the policies are then evaluated with the others). Their lean reader is closed
    /// and its heap handed back by the `releaseMemory` that follows every new snapshot's stages.
    func results() -> (findings: [Finding], errors: [PolicyRunError])? {
        try? task.take()
    }
}

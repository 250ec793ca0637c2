import GRDB

/// Derives the scan's trust graph: which job can present which subject (`derived_subjects`) and
/// which Octopus identity accepts it (`trust_edges`), with the environment gate in between, and
/// the jobs holding deployment credentials (`derived_credential_jobs`).
///
/// Three steps: `TrustGraphReader` reads the facts, `ReusableWorkflowExpansion` and
/// `TrustGraphBuilder` derive the graph without touching the database, `TrustGraphWriter`
/// stores it. When an earlier complete scan derived its snapshot from the same organization
/// settings and Octopus exports (`scans.derive_base`), only repositories that changed since then,
/// with their reusable-workflow callers and callees, are derived; the rest of that scan's rows are
/// copied (`TrustGraphCarryOver`). Either way the rows are the same.
public struct TrustGraphStage: ScanStage {
    public let name = "derive"
    /// Bump when derivation rules change, so stored snapshots are not reused across the change.
    public let signature = "trust-graph-v4"

    static let changedTable = "temp.trustaudit_derive_changed"
    static let readTable = "temp.trustaudit_derive_read"
    static let derivedTable = "temp.trustaudit_derive_names"

    public init() {}

    public func run(_ db: Database, scanID: Int64) throws {
        try run(db, scanID: scanID, context: ScanContext())
    }

    public func run(_ db: Database, scanID: Int64, context: ScanContext) throws {
        var clock = PhaseClock()
        defer {
            if Profiling.enabled {
                for (phase, seconds) in clock.phases { Profiling.report("derive \(phase)", seconds: seconds) }
            }
        }
        let base = try derivationBase(db, scanID: scanID)
        let scope = try clock.measure("compare") { () throws -> (previous: Int64, scope: IncrementalScope)? in
            guard let previous = try ScanRecords.derivation(db, deriveBase: base),
                let scope = try context.incrementalScope(db, previous: previous, current: scanID) else { return nil }
            return (previous, scope)
        }
        try ScanRecords.recordDerivation(db, scanID: scanID, deriveBase: base, rederived: scope?.scope.dirty.count)
        defer { try? Self.dropTables(db) }
        let prefetch = context.derivationPrefetch.flatMap { $0.scanID == scanID ? $0 : nil }
        if let (previous, scope) = scope {
            try Self.fillTables(db, scope: scope, previous: previous)
            // The few repositories derived again are read on a reader while the others are copied.
            prefetch?.startWorkflows(of: scope.visibleNames)
            try clock.measure("copy") {
                try TrustGraphCarryOver.copy(db, from: previous, to: scanID, excludedTable: Self.changedTable)
            }
        }
        let facts = try clock.measure("load") {
            try TrustGraphReader.read(db, scanID: scanID, workflowTable: scope == nil ? nil : Self.readTable,
                                      workflows: prefetch?.takeWorkflows(of: scope?.scope.visibleNames))
        }
        var expanded = clock.measure("expand") { ReusableWorkflowExpansion.expand(facts) }
        if let dirty = scope?.scope.dirty {
            // Callers and callees were read to resolve calls; only changed repositories' rows are new.
            expanded.jobs.removeAll { !dirty.contains($0.repository.lowercased()) }
            expanded.environments.removeAll { !dirty.contains($0.repository.lowercased()) }
        }
        let result = clock.measure("match") { TrustGraphBuilder.build(jobs: expanded.jobs, identities: facts.identities) }
        context.writerAlone()
        try clock.measure("write") {
            var writer = TrustGraphWriter(db: db, scanID: scanID, facts: facts)
            try writer.write(environments: expanded.environments)
            try writer.write(result, jobs: expanded.jobs)
            try writer.writeAccountReach()
        }
        try clock.measure("credentials") {
            if scope == nil, let jobs = prefetch?.takeCredentialJobs() {
                try CredentialJobsDerivation.store(jobs, db: db, scanID: scanID)
            } else {
                try CredentialJobsDerivation.derive(db, scanID: scanID, repositoryTable: scope == nil ? nil : Self.derivedTable)
            }
        }
    }

    /// What besides the repositories decides derived rows: the shared inputs (organization
    /// settings, unreadable documents, Octopus exports) and the versions of the parser and of this
    /// derivation.
    private func derivationBase(_ db: Database, scanID: Int64) throws -> String {
        var digest = StateDigest("derive-base-v2")
        digest.add(ToolVersion.current, "parser-\(WorkflowParser.version)", signature, try IncrementalScope.sharedInputs(db, scanID: scanID))
        return digest.hex
    }

    /// The changed repositories as the earlier snapshot spells them (to leave out of the copy), the
    /// repositories whose workflows are read (changed ones with callers and callees, as stored) and
    /// the changed ones as stored (whose credential jobs are derived).
    ///
    /// The copy matches spellings exactly: `dirty` holds names lower-cased by Swift, and SQLite's
    /// lower() folds ASCII only, so a changed repository named with a capital beyond ASCII would
    /// have been copied and derived again.
    private static func fillTables(_ db: Database, scope: IncrementalScope, previous: Int64) throws {
        let earlierSpellings = try IncrementalScope.spellings(db, scanID: previous).filter { scope.dirty.contains($0.lowercased()) }
        try TemporaryNameTable.fill(db, changedTable, with: earlierSpellings.sorted())
        try TemporaryNameTable.fill(db, readTable, with: scope.visibleNames)
        try TemporaryNameTable.fill(db, derivedTable, with: scope.visibleNames.filter { scope.dirty.contains($0.lowercased()) })
    }

    private static func dropTables(_ db: Database) throws {
        for table in [changedTable, readTable, derivedTable] { try TemporaryNameTable.drop(db, table) }
    }
}

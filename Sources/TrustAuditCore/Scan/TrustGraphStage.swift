import GRDB

/// Derives the scan's trust graph: which job can present which subject (`derived_subjects`) and
/// which Octopus identity accepts it (`trust_edges`), with the environment gate in between.
///
/// Three steps: `TrustGraphReader` reads the facts, `ReusableWorkflowExpansion` and
/// `TrustGraphBuilder` derive the graph without touching the database, `TrustGraphWriter`
/// stores it.
public struct TrustGraphStage: ScanStage {
    public let name = "derive"
    /// Bump when derivation rules change, so stored snapshots are not reused across the change.
    public let signature = "trust-graph-v3"

    public init() {}

    public func run(_ db: Database, scanID: Int64) throws {
        var clock = PhaseClock()
        defer {
            if Profiling.enabled {
                for (phase, seconds) in clock.phases { Profiling.report("derive \(phase)", seconds: seconds) }
            }
        }
        let facts = try clock.measure("load") { try TrustGraphReader.read(db, scanID: scanID) }
        let expanded = clock.measure("expand") { ReusableWorkflowExpansion.expand(facts) }
        let result = clock.measure("match") { TrustGraphBuilder.build(jobs: expanded.jobs, identities: facts.identities) }
        try clock.measure("write") {
            var writer = TrustGraphWriter(db: db, scanID: scanID, facts: facts)
            try writer.write(environments: expanded.environments)
            try writer.write(result, jobs: expanded.jobs)
        }
    }
}

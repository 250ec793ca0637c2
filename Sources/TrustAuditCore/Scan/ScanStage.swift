import GRDB

/// A step that adds facts to a scan inside its write transaction, after the workflows are stored:
/// ingesting GitHub settings or Octopus exports, deriving subjects and trust edges.
///
/// Stages run in order; one that throws fails the whole scan (leaving only a failed row), so a
/// stage must record bad *input* as coverage data rather than throw for it.
public protocol ScanStage: Sendable {
    /// Shown in timings and errors.
    var name: String { get }
    /// Identifies what the stage would write: its inputs' content and its own version. Two scans
    /// whose workflows and stage signatures are equal share one stored snapshot.
    var signature: String { get }
    func run(_ db: Database, scanID: Int64) throws
    /// Runs with what the scan's other steps share (`ScanContext`); stages that need nothing of
    /// it run as `run(_:scanID:)`.
    func run(_ db: Database, scanID: Int64, context: ScanContext) throws
}

extension ScanStage {
    public func run(_ db: Database, scanID: Int64, context: ScanContext) throws {
        try run(db, scanID: scanID)
    }
}

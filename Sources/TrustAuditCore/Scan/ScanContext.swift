import Foundation
import GRDB

/// What one scan's stages and its pipeline share while the scan runs, handed to each explicitly
/// (nothing about a scan is process-wide).
///
/// A rescan compares its snapshot with an earlier one for derivation and again for evaluation;
/// both usually pick the same earlier scan, so the comparison (every repository's inputs in
/// both snapshots) is made once and kept here. It reads the repositories, their workflow files and
/// their settings documents, which are written before the stages run and which no stage changes
/// (live coverage adds rows with an error, which the comparison leaves out), so the scope the
/// derivation computed is the one evaluation would compute.
public final class ScanContext: @unchecked Sendable {
    private typealias ComparisonRead = BackgroundTask<(previous: IncrementalScope.Side, current: IncrementalScope.SnapshotPart)>
    private struct Pair: Hashable {
        var previous: Int64
        var current: Int64
    }

    private let lock = NSLock()
    private var scopes: [Pair: IncrementalScope?] = [:]
    private var comparisonRead: (pair: Pair, task: ComparisonRead)?
    private var prefetch: DerivationPrefetch?
    private var whenWriterAlone: [@Sendable (DispatchQueue) -> Void] = []
    /// Where the work started by `writerAlone` runs, one task after another: the writer has one
    /// core, the work the other.
    private let besideWriter = DispatchQueue(label: "trustaudit.beside-writer")
    /// Where the earlier snapshot of a comparison is read, beside the writer reading the current
    /// one; nil: on the caller's connection.
    private let reader: (any DatabaseReader)?

    /// - parameter reader: a connection pool on which the earlier snapshot of a comparison is read
    ///   while the caller's connection reads the scan's own, which only it can see yet.
    public init(reader: (any DatabaseReader)? = nil) {
        self.reader = reader
    }

    /// Reads of the committed snapshot that a full derivation takes instead of making them
    /// itself; set by the pipeline before the stages run.
    var derivationPrefetch: DerivationPrefetch? {
        get { lock.withLock { prefetch } }
        set { lock.withLock { prefetch = newValue } }
    }

    /// Has `work` run when a stage says it writes alone (`writerAlone`); nothing runs it
    /// otherwise. `work` starts its tasks on the queue it is given, a serial one: work handed over
    /// first runs first, and none of it shares the idle core with the rest.
    func whenWriterAlone(_ work: @escaping @Sendable (DispatchQueue) -> Void) {
        lock.withLock { whenWriterAlone.append(work) }
    }

    /// Called by a stage that is about to keep the writer busy on one core while the others have
    /// nothing to do (the derivation writing its rows): starts the work handed to
    /// `whenWriterAlone`, once.
    func writerAlone() {
        let work = lock.withLock { () -> [@Sendable (DispatchQueue) -> Void] in
            defer { whenWriterAlone = [] }
            return whenWriterAlone
        }
        for item in work { item(besideWriter) }
    }

    /// Starts reading, on the reader, what comparing committed snapshot `current` with the complete
    /// snapshot `previous` takes of the two besides the current one's settings: both sides of the
    /// comparison the stages will most likely ask for, read while ingestion writes those settings
    /// on the writer. A comparison of another pair reads for itself; a second call does nothing.
    func readComparison(previous: Int64, current: Int64) {
        guard let reader, previous != current else { return }
        lock.withLock {
            guard comparisonRead == nil else { return }
            comparisonRead = (Pair(previous: previous, current: current), BackgroundTask {
                try reader.read { db in
                    (try IncrementalScope.Side.read(db, scanID: previous), try IncrementalScope.SnapshotPart.read(db, scanID: current))
                }
            })
        }
    }

    /// Waits for a comparison read still running and lets go of it: a scan that failed is not
    /// left reading rows about to be removed.
    func finishReads() {
        derivationPrefetch?.finish()
        _ = try? takeComparisonRead(for: nil)?.take()
    }

    /// The comparison read, let go of; with a `pair`, only when it is that pair's.
    private func takeComparisonRead(for pair: Pair?) -> ComparisonRead? {
        lock.withLock {
            guard let read = comparisonRead, pair == nil || read.pair == pair else { return nil }
            comparisonRead = nil
            return read.task
        }
    }

    /// The repositories to re-evaluate when data scan `current` follows `previous`
    /// (`IncrementalScope.compute`), computed once per pair of snapshots; nil when the two are the
    /// same snapshot.
    func incrementalScope(_ db: Database, previous: Int64, current: Int64) throws -> IncrementalScope? {
        let pair = Pair(previous: previous, current: current)
        if let known = lock.withLock({ scopes[pair] }) { return known }
        var scope: IncrementalScope?
        if let read = takeComparisonRead(for: pair), let sides = try? read.take() {
            scope = try IncrementalScope.compute(db, previous: { sides.previous }, current: current, currentPart: sides.current)
        } else if previous != current {
            let earlier: () throws -> IncrementalScope.Side
            if let reader {
                let task = BackgroundTask { try reader.read { db in try IncrementalScope.Side.read(db, scanID: previous) } }
                earlier = { try task.take() }
            } else {
                earlier = { try IncrementalScope.Side.read(db, scanID: previous) }
            }
            scope = try IncrementalScope.compute(db, previous: earlier, current: current)
        }
        lock.withLock { scopes[pair] = scope }
        return scope
    }
}

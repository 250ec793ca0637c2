import Foundation

/// Reads, hashes and parses batches of repositories on a thread of its own, one batch ahead of
/// the writer that stores them.
///
/// Parsing runs on every core and storing on one connection; done in turn, each waits for the
/// other. With the feed, the writer stores batch N while batch N+1 is parsed, and at most
/// `capacity` prepared batches wait in memory, so memory stays bounded however large the org.
///
/// Content the feed already parsed in an earlier batch is not parsed again: by the time the
/// writer reaches a later batch, it has stored that content.
final class PreparedBatchFeed: @unchecked Sendable {
    /// One batch, ready to store, with the time its preparation took.
    struct Batch: Sendable {
        var snapshots: [RepositorySnapshot]
        var files: [[ScanPipeline.PreparedFile]]
        var readSeconds: Double
        var parseSeconds: Double
    }

    static let capacity = 2

    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var finished = false
    private var cancelled = false

    /// Starts preparing `repositories` in batches of `batchSize`; `known` are hashes whose facts
    /// are stored already, and files the `cache` knows unchanged are not read.
    init(repositories: [RepositorySource], batchSize: Int, known: Set<String>, cache: FileStampCache? = nil,
         maxExpandedBytes: Int = ScanLimits.defaultMaxExpandedBytes) {
        let thread = Thread { [self] in
            produce(repositories: repositories, batchSize: batchSize, known: known, cache: cache, maxExpandedBytes: maxExpandedBytes)
        }
        thread.name = "trustaudit-prepare"
        thread.start()
    }

    /// The next batch in order, waiting for it if needed; nil after the last one or once cancelled.
    func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished && !cancelled {
            condition.wait()
        }
        guard !ready.isEmpty else { return nil }
        let batch = ready.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Stops preparing further batches (the writer failed); the feed's thread then ends.
    func cancel() {
        condition.lock()
        cancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func produce(repositories: [RepositorySource], batchSize: Int, known: Set<String>, cache: FileStampCache?, maxExpandedBytes: Int) {
        var seen = known
        var width = FileSystemWidth()
        var start = 0
        while start < repositories.count {
            let batch = Array(repositories[start..<min(start + batchSize, repositories.count)])
            start += batch.count
            let readStart = DispatchTime.now().uptimeNanoseconds
            let blocksBefore = FileSystemWidth.blocksRead()
            let snapshots = ParallelMap.map(batch, width: width.current) { $0.snapshot(cache: cache) }
            width.update(blocksRead: FileSystemWidth.blocksRead() - blocksBefore, repositories: batch.count)
            let parseStart = DispatchTime.now().uptimeNanoseconds
            let files = ScanPipeline.prepare(snapshots, known: seen, maxExpandedBytes: maxExpandedBytes)
            let parseEnd = DispatchTime.now().uptimeNanoseconds
            for file in files.joined() where file.result != nil {
                if let hash = file.hash { seen.insert(hash) }
            }
            let prepared = Batch(snapshots: snapshots, files: files, readSeconds: Double(parseStart - readStart) / 1e9,
                                 parseSeconds: Double(parseEnd - parseStart) / 1e9)
            condition.lock()
            while ready.count >= Self.capacity && !cancelled {
                condition.wait()
            }
            if cancelled {
                condition.unlock()
                return
            }
            ready.append(prepared)
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}

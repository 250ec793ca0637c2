import Foundation

/// How many threads read the repositories' folders beside the writer, batch after batch: one per
/// core while the files are in the page cache, `ParallelMap.fileSystemWidth` while reading them
/// waits on the disk.
///
/// From a warm cache, reading an unchanged repository is a few quick system calls, and threads
/// beyond the cores only took CPU from the reads beside them (the earlier findings an unchanged
/// rescan reports); from a cold cache the same calls wait for the disk. The kernel counts the
/// blocks the process had to read from the disk, so a batch says which of the two it was (reads
/// of the database's pages beside it count too: a database that had to come from the disk
/// suggests files that do as well).
struct FileSystemWidth {
    let cores: Int
    private(set) var current: Int

    init(cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.cores = max(1, cores)
        current = self.cores
    }

    /// The width for the next batch: wide when the process read at least a block (512 bytes)
    /// from the disk per repository of the last one, on average.
    mutating func update(blocksRead: Int, repositories: Int) {
        current = repositories > 0 && blocksRead >= repositories ? max(cores, ParallelMap.fileSystemWidth) : cores
    }

    /// Blocks the process has read from the disk so far.
    static func blocksRead() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        return Int(usage.ru_inblock)
    }
}

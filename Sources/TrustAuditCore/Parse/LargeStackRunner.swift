import Foundation

/// Runs work on a fixed pool of threads that each have a large stack.
///
/// libyaml's parser is iterative, but `YAMLComposer` builds the node tree recursively (one frame per
/// nesting level, up to libyaml's limit of 1,000 levels), and so do Swift's deinitialisers for
/// the nested tree. A Swift-concurrency or Dispatch worker thread can have a far smaller stack
/// than the main thread, so parsing hostile input there can overflow it. The scan pipeline parses
/// files through this runner so that every parse has the same, generous, stack.
public enum LargeStackRunner {
    /// Stack size of each worker thread. Workers are short-lived and the pages are only touched
    /// when used, so this costs address space, not memory.
    public static let stackSize = 64 << 20

    /// Applies `body` to every item on `threads` worker threads (at least one, at most one per
    /// item) with `stackSize`-byte stacks, and returns the results in the order of `items`.
    /// Blocks the calling thread until all items are done.
    public static func map<T: Sendable, R: Sendable>(
        _ items: [T], threads: Int, body: @escaping @Sendable (T) -> R
    ) -> [R] {
        ParallelMap.onOwnThreads(items, threads: threads, name: "trustaudit-parse", stackSize: stackSize, body)
    }
}

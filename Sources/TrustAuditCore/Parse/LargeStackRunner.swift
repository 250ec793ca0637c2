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
        if items.isEmpty { return [] }
        let workers = max(1, min(threads, items.count))
        let state = MapState<T, R>(items: items)
        let done = DispatchSemaphore(value: 0)
        for index in 0..<workers {
            let thread = Thread {
                while let (position, item) = state.next() {
                    state.store(body(item), at: position)
                }
                done.signal()
            }
            thread.name = "trustaudit-parse-\(index)"
            thread.stackSize = stackSize
            thread.start()
        }
        for _ in 0..<workers { done.wait() }
        return state.results()
    }
}

/// Shared between the workers of one `map` call: the next item to take and the results so far.
private final class MapState<T: Sendable, R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let items: [T]
    private var nextIndex = 0
    private var slots: [R?]

    init(items: [T]) {
        self.items = items
        self.slots = Array(repeating: nil, count: items.count)
    }

    func next() -> (Int, T)? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < items.count else { return nil }
        let index = nextIndex
        nextIndex += 1
        return (index, items[index])
    }

    func store(_ result: R, at index: Int) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    /// Called after every worker signalled completion, so every slot is filled.
    func results() -> [R] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}

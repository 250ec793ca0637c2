import Foundation

/// Maps over an array on every core, keeping the input order.
enum ParallelMap {
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (T) -> R) -> [R] {
        let box = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { index in
            box.set(index, body(items[index]))
        }
        return box.values.map { $0! }
    }

    /// Threads for work that mostly waits on the file system (finding the repositories, reading
    /// the exports and, from a cold cache, the repositories' folders). From a cold cache each
    /// call waits for the disk, and a thread per core leaves the disk idle between calls: after
    /// the page cache was dropped, finding the 10,000 repositories of the benchmark took 1.6–1.7 s
    /// on two threads and about 0.55 s on eight, reading its 10,001 settings exports 0.48–0.58 s
    /// and 0.25–0.31 s (a 2-vCPU VM).
    static let fileSystemWidth = 8

    /// Maps over an array on `width` threads (at most one per item), keeping the input order:
    /// for work that waits more than it computes, where a thread per core would leave the waits
    /// one after another. No wider than the cores, it is `map(_:_:)`.
    static func map<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) -> R) -> [R] {
        let workers = min(max(1, width), items.count)
        guard workers > ProcessInfo.processInfo.activeProcessorCount else { return map(items, body) }
        return onOwnThreads(items, threads: workers, name: "trustaudit-files", body)
    }

    /// Applies `body` to every item on `threads` threads started for this call (at least one, at
    /// most one per item), named `name-0`, `name-1`, …, each with a stack of `stackSize` bytes
    /// when given, and returns the results in the order of `items`. Blocks until all are done.
    static func onOwnThreads<T: Sendable, R: Sendable>(_ items: [T], threads: Int, name: String, stackSize: Int? = nil,
                                                      _ body: @escaping @Sendable (T) -> R) -> [R] {
        if items.isEmpty { return [] }
        let workers = max(1, min(threads, items.count))
        let box = Slots<R>(count: items.count)
        let queue = WorkQueue(count: items.count)
        let done = DispatchGroup()
        for number in 0..<workers {
            done.enter()
            let thread = Thread {
                while let index = queue.next() { box.set(index, body(items[index])) }
                done.leave()
            }
            thread.name = "\(name)-\(number)"
            if let stackSize { thread.stackSize = stackSize }
            thread.start()
        }
        done.wait()
        return box.values.map { $0! }
    }
}

private final class Slots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [R?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: R) { lock.withLock { values[index] = value } }
}

/// The indexes of a map's items, handed out one at a time to whichever worker asks first.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var taken = 0

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.withLock {
            guard taken < count else { return nil }
            taken += 1
            return taken - 1
        }
    }
}

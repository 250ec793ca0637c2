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
}

private final class Slots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [R?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: R) { lock.withLock { values[index] = value } }
}

import Foundation

/// A value worked out on another thread while the caller goes on with something else; `value()`
/// waits for it. For two reads that do not depend on each other, such as one on a reader
/// connection beside one on the writer.
final class BackgroundTask<T: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    /// Starts `body` on `queue`: a serial queue runs the tasks given it one after another.
    init(on queue: DispatchQueue = .global(), _ body: @escaping @Sendable () throws -> T) {
        queue.async {
            self.result = Result { try body() }
            self.finished.signal()
        }
    }

    /// The value, or the error the work threw; waits until the work is done. Ask once: the task
    /// lets go of the value, so that a large one (a scan's findings) is not kept beside the
    /// caller's copy once the caller changes it; a second call throws.
    func take() throws -> T {
        finished.wait()
        guard let result else { throw CancellationError() }
        self.result = nil
        return try result.get()
    }
}

import Foundation

/// A value worked out on another thread while the caller goes on with something else; `value()`
/// waits for it. For two reads that do not depend on each other, such as one on a reader
/// connection beside one on the writer.
final class BackgroundTask<T: Sendable>: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        DispatchQueue.global().async {
            self.result = Result { try body() }
            self.finished.signal()
        }
    }

    /// The value, or the error the work threw; waits until the work is done. May be asked again.
    func value() throws -> T {
        finished.wait()
        defer { finished.signal() }
        guard let result else { throw CancellationError() }
        return try result.get()
    }
}

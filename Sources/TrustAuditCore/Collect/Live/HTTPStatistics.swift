import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Counts of what the client did, for tests and the summary line.
public struct HTTPStatistics: Sendable, Equatable {
    /// Requests sent over the network, retries included.
    public var requests = 0
    /// 304 answers: the cached body was used.
    public var notModified = 0
    /// Immutable content served from the cache without a request.
    public var cacheHits = 0
    public var retries = 0
    public var rateLimitWaits = 0
}

final class Counters: @unchecked Sendable {
    private let lock = NSLock()
    private var value = HTTPStatistics()

    func add(_ change: (inout HTTPStatistics) -> Void) {
        lock.withLock { change(&value) }
    }

    var snapshot: HTTPStatistics { lock.withLock { value } }
}

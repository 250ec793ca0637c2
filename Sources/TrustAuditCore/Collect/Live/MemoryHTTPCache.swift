import Foundation

/// A cache that lasts as long as the process (tests, or `collect` without a database).
public final class MemoryHTTPCache: HTTPCache, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: HTTPCacheEntry] = [:]

    public init() {}

    public func lookup(_ url: String) -> HTTPCacheEntry? {
        lock.withLock { entries[url] }
    }

    public func store(_ url: String, entry: HTTPCacheEntry) {
        lock.withLock { entries[url] = entry }
    }

    public func touch(_ url: String) {}

    public func remove(_ url: String) {
        lock.withLock { entries[url] = nil }
    }
}

import Foundation
import GRDB

/// One cached response body: what `If-None-Match` is sent with, and what a 304 stands for.
public struct HTTPCacheEntry: Sendable, Equatable {
    /// Nil for immutable content (git trees and blobs by SHA), which is never asked for again.
    public var etag: String?
    public var body: Data
    /// The answer's `Link` header: a 304 stands for the whole answer, pagination included.
    public var link: String?

    public init(etag: String?, body: Data, link: String? = nil) {
        self.etag = etag
        self.body = body
        self.link = link
    }
}

/// Where conditional-request state lives between runs. Keyed by URL only: request headers,
/// and so credentials, are never part of it.
public protocol HTTPCache: Sendable {
    func lookup(_ url: String) -> HTTPCacheEntry?
    func store(_ url: String, entry: HTTPCacheEntry)
    /// The cached body was confirmed unchanged (a 304).
    func touch(_ url: String)
    /// The cached body turned out to be wrong (it did not hash to the SHA it is cached under).
    func remove(_ url: String)
}

/// The cache in the audit database (`http_cache`, Migrations/0004_http_cache.sql), so a nightly
/// scan's conditional requests use the ETags of the previous night. A failure to read or write
/// the cache only costs rate-limit points; it never fails a collection.
public struct DatabaseHTTPCache: HTTPCache {
    public let database: AuditDatabase

    public init(database: AuditDatabase) {
        self.database = database
    }

    public func lookup(_ url: String) -> HTTPCacheEntry? {
        try? database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT etag, body, link FROM http_cache WHERE url = ?", arguments: [url]).map {
                HTTPCacheEntry(etag: $0["etag"], body: $0["body"], link: $0["link"])
            }
        }
    }

    public func store(_ url: String, entry: HTTPCacheEntry) {
        try? database.pool.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO http_cache (url, etag, body, link, fetched_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, body = excluded.body, link = excluded.link, fetched_at = excluded.fetched_at
                """).execute(arguments: [url, entry.etag, entry.body, entry.link, Timestamp.now()])
        }
    }

    public func touch(_ url: String) {
        try? database.pool.write { db in
            try db.execute(sql: "UPDATE http_cache SET fetched_at = ? WHERE url = ?", arguments: [Timestamp.now(), url])
        }
    }

    public func remove(_ url: String) {
        try? database.pool.write { db in
            try db.execute(sql: "DELETE FROM http_cache WHERE url = ?", arguments: [url])
        }
    }
}

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

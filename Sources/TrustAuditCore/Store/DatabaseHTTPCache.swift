import GRDB

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

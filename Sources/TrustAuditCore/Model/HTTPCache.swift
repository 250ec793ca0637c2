import Foundation

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

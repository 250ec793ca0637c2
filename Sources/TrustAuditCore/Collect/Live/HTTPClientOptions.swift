import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How the live collectors talk to an API.
public struct HTTPClientOptions: Sendable {
    /// Seconds a request may go without an answer before it counts as a connection error (at least 1).
    public var timeout: TimeInterval = 30
    /// Seconds one attempt may take in all, headers and body, however steadily bytes arrive
    /// (`--request-deadline`). Breaching it is not retried: the same server would be as slow again.
    public var deadline: TimeInterval = 300
    /// The largest response body read, in bytes (`--max-response-mib`); a larger one is refused
    /// while it arrives, never held whole, and not retried.
    public var maxResponseBytes = 32 << 20
    /// Attempts per request on 5xx answers and connection errors (the first one included).
    public var maxAttempts = 5
    /// The first retry waits about this long; each later one twice as long, with jitter.
    public var backoffBase: TimeInterval = 1
    public var backoffCap: TimeInterval = 60
    /// Requests in flight at once.
    public var concurrency = 8
    /// Lets a credential go over plain `http://` (e.g. a test server on loopback).
    public var allowInsecure = false
    /// The longest rate-limit wait accepted; a longer one fails the request instead.
    public var maxRateLimitWait: TimeInterval = 3600
    /// Rate-limit waits per request before giving up (secondary limits can repeat).
    public var maxRateLimitWaits = 6
    public var userAgent = "trustaudit/\(ToolVersion.current)"

    public init() {}
}

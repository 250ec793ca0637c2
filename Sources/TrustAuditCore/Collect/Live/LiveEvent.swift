import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Something worth telling the person running the collection.
public enum LiveEvent: Sendable {
    /// Repositories (or service accounts) done out of the known total, with the rate budget.
    case progress(CollectionProgress)
    /// A rate-limit pause or a retry: shown even without --verbose, since the run is waiting.
    case wait(String)
    /// One line per request and other detail, for --verbose.
    case verbose(String)
    /// A part that could not be collected.
    case warning(String)
}

public struct CollectionProgress: Sendable, Equatable {
    public var service: String
    public var done: Int
    public var total: Int
    public var rateRemaining: Int?
    public var rateLimit: Int?

    public init(service: String, done: Int, total: Int, rateRemaining: Int?, rateLimit: Int?) {
        self.service = service
        self.done = done
        self.total = total
        self.rateRemaining = rateRemaining
        self.rateLimit = rateLimit
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A request that did not produce a usable answer, with a reason fit for the coverage table.
public struct HTTPFailure: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var status: Int?
    public var reason: String

    public init(url: String, status: Int?, reason: String) {
        self.url = url
        self.status = status
        self.reason = reason
    }

    public var description: String {
        status.map { "HTTP \($0) from \(url): \(reason)" } ?? "\(url): \(reason)"
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A credential sent as one request header.
public struct HTTPCredential: Sendable {
    public var header: String
    public var value: String

    public init(header: String, value: String) {
        self.header = header
        self.value = value
    }

    public static func githubToken(_ token: String) -> HTTPCredential {
        HTTPCredential(header: "Authorization", value: "Bearer \(token)")
    }

    public static func octopusAPIKey(_ key: String) -> HTTPCredential {
        HTTPCredential(header: "X-Octopus-ApiKey", value: key)
    }
}

/// A credential whose value changes during a run (a GitHub App's installation token, renewed
/// before it expires). Every value it hands out must already be in the client's redaction.
public protocol CredentialProvider: Sendable {
    var header: String { get }
    func currentValue() async throws -> String
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Errors that stop a live collection as a whole (trustaudit exits 2 before scanning).
public enum LiveCollectionError: Error, Sendable, CustomStringConvertible {
    /// 401: the token or API key is wrong, expired or revoked.
    case unauthorized(service: String, url: String, detail: String)
    /// A credential would have gone over plain HTTP.
    case insecureURL(String)
    case invalidURL(String)
    case missingCredential(service: String, variables: [String])
    /// The URL carries a user name or password (`https://user:secret@host`): credentials go in
    /// the environment, never in a URL that is stored and printed.
    case credentialsInURL(String)
    /// `--github-app-key`/`--github-app-id` cannot be used.
    case invalidAppKey(String)
    /// The GitHub App has no installation on the organization or repository.
    case appNotInstalled(appID: String, owner: String)
    /// The URL answers, but not as the API expected (e.g. not an Octopus server).
    case notTheExpectedServer(service: String, url: String, detail: String)
    /// Nothing answered at all.
    case unreachable(service: String, url: String, detail: String)

    public var description: String {
        switch self {
        case .unauthorized(let service, let url, let detail):
            let hint = service == "GitHub"
                ? "check GITHUB_TOKEN / GH_TOKEN (expired, revoked or mistyped?)"
                : service == "GitHub App"
                ? "check --github-app-id and --github-app-key (the key must be one of the app's private keys, the id the app's)"
                : "check OCTOPUS_API_KEY (expired, revoked or mistyped?)"
            return "\(service) rejected the credential (HTTP 401 from \(url): \(detail)); \(hint). Nothing was scanned."
        case .insecureURL(let url):
            return "refusing to send a credential over plain HTTP to \(url); use https:// (or --allow-insecure for a trusted local server)"
        case .invalidURL(let url):
            return "\(url) is not an http(s) URL"
        case .invalidAppKey(let detail):
            return "cannot authenticate as a GitHub App: \(detail)"
        case .appNotInstalled(let appID, let owner):
            return "GitHub App \(appID) is not installed on \(owner) (HTTP 404); install it there, or give --github-app-installation"
        case .credentialsInURL(let url):
            return "\(url) has a user name or password in it; refusing it (URLs are stored and printed): "
                + "remove the `user:password@` part and give the credential through the environment"
        case .missingCredential(let service, let variables):
            return "\(service) needs a credential: set \(variables.joined(separator: " or "))"
        case .notTheExpectedServer(let service, let url, let detail):
            return "\(url) is not \(service): \(detail)"
        case .unreachable(let service, let url, let detail):
            return "cannot reach \(service) at \(url): \(detail)"
        }
    }
}

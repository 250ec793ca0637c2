import _CryptoExtras
import Foundation

/// A GitHub App's identity: its id, its private key (PEM), and optionally the installation to act
/// as (else looked up from the organization or repository being collected).
public struct GitHubAppIdentity: Sendable {
    public var appID: String
    public var privateKeyPEM: String
    public var installationID: Int?

    public init(appID: String, privateKeyPEM: String, installationID: Int? = nil) {
        self.appID = appID
        self.privateKeyPEM = privateKeyPEM
        self.installationID = installationID
    }
}

/// Authenticates as a GitHub App installation: signs a short-lived app JWT (RS256, with
/// swift-crypto's RSA), finds the installation if not given (`GET /orgs/{org}/installation` or
/// `GET /repos/{owner}/{repo}/installation`), exchanges the JWT for an installation token
/// (`POST /app/installations/{id}/access_tokens`), and issues a new token a few minutes before
/// the current one expires, so a collection longer than a token's hour never fails midway.
///
/// The key, the JWTs and the tokens live in memory only: each is added to the shared redaction
/// the moment it exists, so no log line, error, cache entry or report can carry it.
public actor GitHubAppAuthenticator: CredentialProvider {
    public nonisolated let header = "Authorization"
    let identity: GitHubAppIdentity
    let key: _RSA.Signing.PrivateKey
    let api: String
    /// Where to look the installation up: an organization, or `owner/name`.
    let installationOwner: String?
    let client: HTTPClient
    let redaction: SecretRedaction
    /// A token is renewed when it has less than this left.
    let renewalMargin: TimeInterval
    let onEvent: @Sendable (LiveEvent) -> Void
    private var token: (value: String, expires: Date)?
    private var renewal: Task<(value: String, expires: Date), Error>?
    private(set) var issued = 0

    /// - Parameters:
    ///   - client: an HTTP client for `api` without a credential of its own (the JWT is sent
    ///     per request), sharing `redaction`.
    public init(identity: GitHubAppIdentity, apiURL: URL, installationOwner: String?, client: HTTPClient,
                redaction: SecretRedaction, renewalMargin: TimeInterval = 300, onEvent: @escaping @Sendable (LiveEvent) -> Void = { _ in }) throws {
        redaction.add(identity.privateKeyPEM)
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: identity.privateKeyPEM)
        } catch {
            throw LiveCollectionError.invalidAppKey("not an RSA private key in PEM form of 2048 bits or more (\(type(of: error)))")
        }
        guard !identity.appID.isEmpty, identity.appID.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }) else {
            throw LiveCollectionError.invalidAppKey("the app id \(identity.appID.debugDescription) is not a GitHub App id or client id")
        }
        self.identity = identity
        var api = apiURL.absoluteString
        while api.hasSuffix("/") { api.removeLast() }
        self.api = api
        self.installationOwner = installationOwner
        self.client = client
        self.redaction = redaction
        self.renewalMargin = renewalMargin
        self.onEvent = onEvent
    }

    /// How many installation tokens were issued (the first, then one per renewal).
    public var tokensIssued: Int { issued }

    public func currentValue() async throws -> String {
        if let token, token.expires.timeIntervalSinceNow > renewalMargin {
            return "Bearer \(token.value)"
        }
        if let renewal {
            return "Bearer \(try await renewal.value.value)"
        }
        let task = Task { try await self.issueToken() }
        renewal = task
        defer { renewal = nil }
        let fresh = try await task.value
        token = fresh
        issued += 1
        return "Bearer \(fresh.value)"
    }

    /// The app JWT: `iat` a minute in the past (GitHub allows for clock drift), `exp` nine
    /// minutes ahead (GitHub accepts at most ten), `iss` the app id.
    func jwt(now: Date = Date()) throws -> String {
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        let issuedAt = Int(now.timeIntervalSince1970) - 60
        let payload = #"{"iat":\#(issuedAt),"exp":\#(issuedAt + 600 - 60),"iss":"\#(identity.appID)"}"#
        let input = Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(Data(payload.utf8))
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        let token = input + "." + Self.base64URL(signature.rawRepresentation)
        redaction.add(token)
        return token
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private func issueToken() async throws -> (value: String, expires: Date) {
        let bearer = "Bearer \(try jwt())"
        let installation = try await installationID(bearer)
        let url = LiveJSON.url(base: api, path: ["app", "installations", String(installation), "access_tokens"])
        let response: HTTPResponse
        do {
            response = try await client.post(url, json: Data("{}".utf8), authorization: bearer)
        } catch let failure as HTTPFailure {
            throw LiveCollectionError.unreachable(service: "GitHub", url: api, detail: "installation token not issued: \(failure.reason)")
        } catch LiveCollectionError.unauthorized(_, let url, let detail) {
            throw LiveCollectionError.unauthorized(service: "GitHub App", url: url, detail: detail)
        }
        guard response.status == 201 || response.status == 200 else {
            throw rejected(response, what: "installation \(installation) token")
        }
        guard let object = (try? JSONDocument.parse(response.body)) as? [String: Any],
              let value = object["token"] as? String, !value.isEmpty else {
            throw LiveCollectionError.notTheExpectedServer(service: "GitHub", url: api, detail: "the access token answer has no `token`")
        }
        redaction.add(value)
        let expires = (object["expires_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date().addingTimeInterval(3600)
        onEvent(.verbose("github: GitHub App \(identity.appID) installation \(installation): token issued, valid until \(HTTPClient.clock(expires))"))
        return (value, expires)
    }

    private var foundInstallation: Int?

    private func installationID(_ bearer: String) async throws -> Int {
        if let id = identity.installationID ?? foundInstallation { return id }
        guard let owner = installationOwner else {
            throw LiveCollectionError.invalidAppKey("give --github-app-installation: there is no organization or repository to look the installation up from")
        }
        let parts = owner.split(separator: "/").map { LiveJSON.segment(String($0)) }
        let path = parts.count == 2 ? ["repos", parts[0], parts[1], "installation"] : ["orgs", parts[0], "installation"]
        let url = LiveJSON.url(base: api, path: path)
        let response: HTTPResponse
        do {
            response = try await client.get(url, authorization: bearer)
        } catch let failure as HTTPFailure {
            throw LiveCollectionError.unreachable(service: "GitHub", url: api, detail: "installation not looked up: \(failure.reason)")
        } catch LiveCollectionError.unauthorized(_, let url, let detail) {
            throw LiveCollectionError.unauthorized(service: "GitHub App", url: url, detail: detail)
        }
        if response.status == 404 {
            throw LiveCollectionError.appNotInstalled(appID: identity.appID, owner: owner)
        }
        guard response.isSuccess else { throw rejected(response, what: "installation lookup") }
        guard let object = (try? JSONDocument.parse(response.body)) as? [String: Any], let id = LiveJSON.int(object["id"]) else {
            throw LiveCollectionError.notTheExpectedServer(service: "GitHub", url: api, detail: "the installation answer has no `id`")
        }
        foundInstallation = id
        return id
    }

    private func rejected(_ response: HTTPResponse, what: String) -> LiveCollectionError {
        let detail = redaction.redact(response.errorMessage)
        if response.status == 401 {
            return .unauthorized(service: "GitHub App", url: redaction.redact(response.url.absoluteString), detail: detail)
        }
        return .unreachable(service: "GitHub", url: api, detail: "\(what): HTTP \(response.status): \(detail)")
    }
}

import _CryptoExtras
import Foundation
import Testing
@testable import TrustAuditCore

/// GitHub App authentication against the loopback fake, with a key generated per test: the app
/// JWT must verify with the app's public key, the installation is looked up from the
/// organization, installation tokens are renewed before they expire, and neither the key, the
/// JWT nor a token ever reaches a log line, the cache or the database.
@Suite("GitHub App authentication", .serialized)
struct GitHubAppAuthTests {
    static let appID = "424242"
    static let installation = 9001

    /// The App side of GitHub: installation lookup and token exchange, both requiring a JWT signed
    /// by `key`; tokens live `lifetime` seconds.
    final class AppServer: @unchecked Sendable {
        let key: _RSA.Signing.PrivateKey
        var lifetime: TimeInterval {
            get { lock.withLock { tokenLifetime } }
            set { lock.withLock { tokenLifetime = newValue } }
        }
        private var tokenLifetime: TimeInterval
        private let lock = NSLock()
        private(set) var issued: [String] = []
        private(set) var jwts: [String] = []

        init(lifetime: TimeInterval) throws {
            key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            tokenLifetime = lifetime
        }

        func install(on fakes: FakeAPIs) {
            fakes.appHandler = { [self] request in
                let isLookup = request.path.hasPrefix("/orgs/") && request.path.hasSuffix("/installation")
                let isExchange = request.path == "/app/installations/\(GitHubAppAuthTests.installation)/access_tokens"
                guard isLookup || isExchange else { return nil }
                guard let jwt = request.headers["authorization"].map({ String($0.dropFirst("Bearer ".count)) }), verify(jwt) else {
                    return .json(#"{"message":"A JSON web token could not be decoded"}"#, status: 401)
                }
                lock.withLock { jwts.append(jwt) }
                if isLookup, request.path != "/orgs/acme/installation" {
                    return .json(#"{"message":"Not Found"}"#, status: 404)
                }
                if isLookup {
                    return .json(object: ["id": GitHubAppAuthTests.installation, "app_id": Int(GitHubAppAuthTests.appID)!, "target_type": "Organization"])
                }
                guard request.method == "POST" else { return .json(#"{"message":"Not Found"}"#, status: 404) }
                let token = "ghs_INSTALLATIONTOKEN\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
                lock.withLock { issued.append(token) }
                fakes.accept(token: token)
                let formatter = ISO8601DateFormatter()
                return .json(object: ["token": token, "expires_at": formatter.string(from: Date().addingTimeInterval(lifetime)),
                                      "permissions": ["actions": "read", "administration": "read", "contents": "read"],
                                      "repository_selection": "all"], status: 201)
            }
        }

        /// RS256 with this app's public key, `iss` the app id, at most ten minutes of validity.
        func verify(_ jwt: String) -> Bool {
            let parts = jwt.split(separator: ".").map(String.init)
            guard parts.count == 3, let signature = Self.decode(parts[2]), let payloadData = Self.decode(parts[1]),
                  let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
                  let header = Self.decode(parts[0]).flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }) else { return false }
            let valid = key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                                       for: Data("\(parts[0]).\(parts[1])".utf8), padding: .insecurePKCS1v1_5)
            let iat = payload["iat"] as? Int ?? 0, exp = payload["exp"] as? Int ?? 0
            let now = Int(Date().timeIntervalSince1970)
            return valid && header["alg"] as? String == "RS256" && payload["iss"] as? String == GitHubAppAuthTests.appID
                && iat <= now && exp > now && exp - iat <= 600
        }

        static func decode(_ text: String) -> Data? {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            return Data(base64Encoded: base64)
        }

        var tokens: [String] { lock.withLock { issued } }
        var signed: [String] { lock.withLock { jwts } }
    }

    @Test("the App JWT verifies, the installation is looked up, tokens renew before expiry, and nothing secret is stored or logged")
    func collectAsApp() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        let app = try AppServer(lifetime: 3600)
        app.install(on: fakes)
        let events = LiveCollectorTests.Events()
        let redaction = SecretRedaction()
        let identity = GitHubAppIdentity(appID: Self.appID, privateKeyPEM: app.key.pemRepresentation)
        let exchange = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: nil, options: LiveCollectorTests.options(),
                                      cache: nil, redaction: redaction, onEvent: events.add)
        let authenticator = try GitHubAppAuthenticator(identity: identity, apiURL: fakes.github.baseURL, installationOwner: "acme",
                                                       client: exchange, redaction: redaction, renewalMargin: 300, onEvent: events.add)
        try await TestSupport.withTemporaryDirectoryAsync { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let client = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: nil, credentialProvider: authenticator,
                                        options: LiveCollectorTests.options(), cache: DatabaseHTTPCache(database: database),
                                        redaction: redaction, onEvent: events.add)
            var options = GitHubCollectorOptions()
            options.organizations = ["acme"]
            options.apiURL = fakes.github.baseURL
            options.useGraphQL = true
            let first = try await GitHubCollector(client: client, options: options, onEvent: events.add).collect()
            #expect(first.coverage.isComplete, "\(first.coverage.failures.map(\.line))")
            #expect(first.repositories.count == fakes.repositories.count)
            #expect(app.tokens.count == 1, "one token serves the whole collection")
            let checked1 = fakes.github.count { $0.path == "/orgs/acme/installation" } == 1
            #expect(checked1)

            // Tokens that live 300 s, renewed when under 295 s are left: good for 5 s, then renewed.
            app.lifetime = 300
            let renewing = try GitHubAppAuthenticator(identity: identity, apiURL: fakes.github.baseURL, installationOwner: "acme",
                                                      client: exchange, redaction: redaction, renewalMargin: 295, onEvent: events.add)
            let token = try await renewing.currentValue()
            #expect(try await renewing.currentValue() == token, "still fresh")
            try await Task.sleep(nanoseconds: 5_500_000_000)
            let renewed = try await renewing.currentValue()
            #expect(renewed != token, "renewed before it expired")
            #expect(await renewing.tokensIssued == 2)
            #expect(renewed == "Bearer \(app.tokens.last ?? "")")

            let secrets = app.tokens + app.signed + [identity.privateKeyPEM]
            let stored = try LiveCollectorTests.databaseBytes(directory)
            for secret in secrets {
                #expect(stored.range(of: Data(secret.utf8)) == nil)
                let checked2 = !events.lines.contains { $0.contains(secret) }
                #expect(checked2)
            }
        }
    }

    @Test("a key that is not the App's is a clear credential error; a malformed key is refused before any request")
    func badKeys() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        let app = try AppServer(lifetime: 3600)
        app.install(on: fakes)
        let stranger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let exchange = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: nil, options: LiveCollectorTests.options(), cache: nil)
        let wrong = try GitHubAppAuthenticator(identity: GitHubAppIdentity(appID: Self.appID, privateKeyPEM: stranger.pemRepresentation),
                                               apiURL: fakes.github.baseURL, installationOwner: "acme", client: exchange, redaction: SecretRedaction())
        do {
            _ = try await wrong.currentValue()
            Issue.record("a JWT signed by another key must be rejected")
        } catch let error as LiveCollectionError {
            guard case .unauthorized = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("--github-app-key"), "\(error)")
        }
        #expect(throws: LiveCollectionError.self) {
            _ = try GitHubAppAuthenticator(identity: GitHubAppIdentity(appID: Self.appID, privateKeyPEM: "-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n"),
                                           apiURL: fakes.github.baseURL, installationOwner: "acme", client: exchange, redaction: SecretRedaction())
        }
        // Not installed on the organization.
        let elsewhere = try GitHubAppAuthenticator(identity: GitHubAppIdentity(appID: Self.appID, privateKeyPEM: app.key.pemRepresentation),
                                                   apiURL: fakes.github.baseURL, installationOwner: "other-org", client: exchange, redaction: SecretRedaction())
        do {
            _ = try await elsewhere.currentValue()
            Issue.record("must fail")
        } catch let error as LiveCollectionError {
            #expect(error.description.contains("not installed on other-org"), "\(error)")
        }
    }

    @Test("the CLI collects as an App from --github-app-id/--github-app-key; no secret in output or database",
          .enabled(if: CLI.executable != nil), .timeLimit(.minutes(2)))
    func commandLine() throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        let app = try AppServer(lifetime: 3600)
        app.install(on: fakes)
        try CLI.inTemporaryDirectory { directory in
            let pem = app.key.pemRepresentation
            try pem.write(to: directory.appendingPathComponent("app.pem"), atomically: true, encoding: .utf8)
            let result = try CLI.run(["scan", "--github-org", "acme", "--github-api-url", fakes.github.baseURL.absoluteString, "--allow-insecure",
                                      "--github-app-id", Self.appID, "--github-app-key", "app.pem", "--db", "audit.db", "--verbose"],
                                     in: directory, environment: ["GITHUB_TOKEN": "", "GH_TOKEN": ""])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("GraphQL quer"), "verbose prints the request counts and rate-limit cost")
            #expect(result.stdout.contains("permissions-write-all"))
            let secrets = app.tokens + app.signed + [pem]
            let stored = try LiveCollectorTests.databaseBytes(directory)
            #expect(!app.tokens.isEmpty)
            for secret in secrets {
                #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
                #expect(stored.range(of: Data(secret.utf8)) == nil)
            }
        }
    }
}

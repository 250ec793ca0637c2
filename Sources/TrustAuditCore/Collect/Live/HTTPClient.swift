import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one HTTP client of the live collectors, over Foundation's `URLSession`.
///
/// - Bounded concurrency: at most `options.concurrency` requests in flight.
/// - Retries 5xx answers and connection errors (timeouts included) with exponential backoff and
///   jitter, up to `options.maxAttempts`.
/// - Rate limits: records GitHub's `X-RateLimit-Remaining`/`Reset`; when the budget is spent,
///   every request waits for the reset. A 403/429 with `Retry-After` (GitHub's secondary limit),
///   or a 403 with no budget left, pauses all requests and retries. Waits are announced through
///   `onEvent` rather than failing.
/// - Conditional requests: a cached ETag goes out as `If-None-Match`; a 304 returns the cached
///   body. Immutable URLs (git objects by SHA) come from the cache without a request.
/// - Credentials: sent only over https unless `allowInsecure`; only to the origin they were
///   created for (redirects elsewhere are not followed); redacted from everything returned.
public final class HTTPClient: Sendable {
    public let options: HTTPClientOptions
    let credential: HTTPCredential?
    let credentialProvider: (any CredentialProvider)?
    /// The only scheme, host and port the credential is sent to.
    let origin: String?
    public let redaction: SecretRedaction
    let cache: (any HTTPCache)?
    let session: URLSession
    let transfer = BoundedTransfer()
    let limiter: AsyncLimiter
    let gate = RateLimitGate()
    let counters = Counters()
    let onEvent: @Sendable (LiveEvent) -> Void
    let service: String

    public init(
        service: String, baseURL: URL, credential: HTTPCredential?, credentialProvider: (any CredentialProvider)? = nil,
        options: HTTPClientOptions = HTTPClientOptions(), cache: (any HTTPCache)?, redaction: SecretRedaction = SecretRedaction(),
        onEvent: @escaping @Sendable (LiveEvent) -> Void = { _ in }
    ) throws {
        guard let scheme = baseURL.scheme?.lowercased(), scheme == "https" || scheme == "http", baseURL.host != nil else {
            throw LiveCollectionError.invalidURL(Self.withoutUserInfo(baseURL.absoluteString))
        }
        if baseURL.user != nil || baseURL.password != nil {
            throw LiveCollectionError.credentialsInURL(Self.withoutUserInfo(baseURL.absoluteString))
        }
        if credential != nil || credentialProvider != nil, scheme == "http", !options.allowInsecure {
            throw LiveCollectionError.insecureURL(baseURL.absoluteString)
        }
        self.service = service
        var options = options
        // Foundation on Linux hands whole seconds to libcurl: a timeout under 1 s expires at once.
        options.timeout = max(1, options.timeout)
        options.deadline = max(options.timeout, options.deadline)
        options.maxResponseBytes = max(1, options.maxResponseBytes)
        self.options = options
        self.credential = credential
        self.credentialProvider = credentialProvider
        self.origin = Self.origin(of: baseURL)
        if let credential {
            redaction.add(credential.value)
            if credential.value.hasPrefix("Bearer ") { redaction.add(String(credential.value.dropFirst(7))) }
        }
        self.redaction = redaction
        self.cache = cache
        self.onEvent = onEvent
        self.limiter = AsyncLimiter(limit: max(1, options.concurrency))
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpMaximumConnectionsPerHost = max(1, options.concurrency)
        configuration.timeoutIntervalForRequest = options.timeout
        configuration.timeoutIntervalForResource = options.deadline + 1
        self.session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// A client for another endpoint of the same service (GitHub's GraphQL API beside REST): the
    /// same credential, options and redaction, but its own rate-limit state (GraphQL has its own
    /// budget), its own counts, and no cache.
    public func sibling(baseURL: URL) throws -> HTTPClient {
        try HTTPClient(service: service, baseURL: baseURL, credential: credential, credentialProvider: credentialProvider,
                       options: options, cache: nil, redaction: redaction, onEvent: onEvent)
    }

    public var statistics: HTTPStatistics { counters.snapshot }

    /// The rate budget last reported by the server (`X-RateLimit-Remaining` / `-Limit`).
    public func rateBudget() async -> (remaining: Int?, limit: Int?) {
        await gate.budget
    }

    /// `text` with any `user:password@` of its authority removed, for messages about a URL that
    /// must not repeat a credential typed into it.
    public static func withoutUserInfo(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
    }

    static func origin(of url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }

    /// GETs `url`. Returns the final answer for any status but 401 (thrown as
    /// ``LiveCollectionError/unauthorized(service:url:detail:)``); throws ``HTTPFailure`` when no
    /// answer came after the retries.
    ///
    /// - Parameters:
    ///   - conditional: send the cached ETag, if any.
    ///   - immutable: the URL names content that never changes (a git object by SHA): a cached
    ///     body is returned without a request, and a fresh one is cached without an ETag.
    ///   - authenticated: send the credential (false for public documents such as Octopus's `/api`).
    ///   - verify: for immutable content, checks that a body is what its URL names (a git object
    ///     hashing to its SHA); returns why not. A body that fails is neither used nor cached, and
    ///     a cached one that fails is dropped and fetched again.
    public func get(_ url: URL, conditional: Bool = true, immutable: Bool = false, authenticated: Bool = true,
                    verify: (@Sendable (Data) -> String?)? = nil) async throws -> HTTPResponse {
        try await send(url, method: "GET", body: nil, conditional: conditional, immutable: immutable, authenticated: authenticated,
                       authorization: nil, verify: verify)
    }

    /// POSTs a JSON body (a GraphQL query, a token exchange): never cached or conditional,
    /// retried like a GET (both are read-only). `authorization` replaces the client's credential
    /// for this request (a GitHub App's JWT); it is sent under the same rules and redacted.
    public func post(_ url: URL, json body: Data, authorization: String? = nil) async throws -> HTTPResponse {
        if let authorization {
            redaction.add(authorization)
            if authorization.hasPrefix("Bearer ") { redaction.add(String(authorization.dropFirst(7))) }
        }
        return try await send(url, method: "POST", body: body, conditional: false, immutable: false, authenticated: true,
                              authorization: authorization, verify: nil)
    }

    /// GETs with a one-off `Authorization` value instead of the client's credential.
    public func get(_ url: URL, authorization: String) async throws -> HTTPResponse {
        redaction.add(authorization)
        if authorization.hasPrefix("Bearer ") { redaction.add(String(authorization.dropFirst(7))) }
        return try await send(url, method: "GET", body: nil, conditional: false, immutable: false, authenticated: true,
                              authorization: authorization, verify: nil)
    }

    private func send(_ url: URL, method: String, body requestBody: Data?, conditional: Bool, immutable: Bool, authenticated: Bool,
                      authorization: String?, verify: (@Sendable (Data) -> String?)?) async throws -> HTTPResponse {
        let key = url.absoluteString
        let sendCredential = authenticated && (credential != nil || credentialProvider != nil || authorization != nil)
        if sendCredential {
            guard Self.origin(of: url) == origin else {
                throw HTTPFailure(url: redaction.redact(key), status: nil, reason: "refusing to send the credential to another host")
            }
            if url.scheme?.lowercased() == "http", !options.allowInsecure {
                throw LiveCollectionError.insecureURL(redaction.redact(key))
            }
        }
        if immutable, let cached = cache?.lookup(key) {
            if let verify, let problem = verify(cached.body) {
                onEvent(.verbose("\(method) \(redaction.redact(key)) → cached copy rejected (\(problem)); fetching again"))
                cache?.remove(key)
            } else {
                counters.add { $0.cacheHits += 1 }
                onEvent(.verbose("\(method) \(redaction.redact(key)) → cached (immutable)"))
                return HTTPResponse(url: url, status: 200, headers: [:], body: cached.body, fromCache: true)
            }
        }
        let cached = conditional && !immutable ? cache?.lookup(key) : nil

        var attempt = 1
        var rateLimitWaits = 0
        while true {
            try await waitForRateLimit()
            var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: options.timeout)
            request.httpMethod = method
            if let requestBody {
                request.httpBody = requestBody
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            request.setValue(options.userAgent, forHTTPHeaderField: "User-Agent")
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            if service == "GitHub" {
                request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
                request.setValue("2022-11-28", forHTTPHeaderField: "X-GitHub-Api-Version")
            }
            if sendCredential {
                if let authorization {
                    request.setValue(authorization, forHTTPHeaderField: "Authorization")
                } else if let credentialProvider {
                    do {
                        request.setValue(try await credentialProvider.currentValue(), forHTTPHeaderField: credentialProvider.header)
                    } catch let failure as HTTPFailure {
                        throw LiveCollectionError.unreachable(service: service, url: redaction.redact(key), detail: "no credential: \(failure.description)")
                    }
                } else if let credential {
                    request.setValue(credential.value, forHTTPHeaderField: credential.header)
                }
            }
            if let etag = cached?.etag {
                request.setValue(etag, forHTTPHeaderField: "If-None-Match")
            }
            let started = Date()
            let outcome: Result<(Data, HTTPURLResponse), Error>
            await limiter.acquire()
            do {
                counters.add { $0.requests += 1 }
                outcome = .success(try await transfer.run(request, on: session, cap: options.maxResponseBytes, deadline: options.deadline))
            } catch {
                outcome = .failure(error)
            }
            await limiter.release()
            let elapsed = String(format: "%.2fs", Date().timeIntervalSince(started))

            let data: Data
            let http: HTTPURLResponse
            switch outcome {
            case .failure(let error):
                let reason = Self.describe(error, redaction: redaction)
                onEvent(.verbose("\(method) \(redaction.redact(key)) → \(reason) (\(elapsed), attempt \(attempt))"))
                if error is TransferLimit {
                    throw HTTPFailure(url: redaction.redact(key), status: nil, reason: reason)
                }
                if Self.isRetryable(error), attempt < options.maxAttempts {
                    try await backoff(attempt: attempt, why: reason, url: key)
                    attempt += 1
                    continue
                }
                throw HTTPFailure(url: redaction.redact(key), status: nil,
                                  reason: attempt > 1 ? "\(reason) (after \(attempt) attempts)" : reason)
            case .success(let pair):
                (data, http) = pair
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String {
                    headers[name.lowercased()] = redaction.redact(value)
                }
            }
            let body = redaction.redact(data)
            await gate.update(headers: headers)
            let budget = await gate.budget
            let budgetText = budget.remaining.map { " [rate \($0)/\(budget.limit.map(String.init) ?? "?")]" } ?? ""
            onEvent(.verbose("\(method) \(redaction.redact(key)) → \(http.statusCode)\(cached?.etag != nil ? " (conditional)" : "") \(elapsed)\(budgetText)"))
            let response = HTTPResponse(url: url, status: http.statusCode, headers: headers, body: body, fromCache: false)

            switch http.statusCode {
            case 304:
                if let cached {
                    counters.add { $0.notModified += 1 }
                    cache?.touch(key)
                    // A 304 need not repeat the headers of the answer it confirms (GitHub's carry
                    // no `Link`): the cached answer is used whole, its pagination included.
                    var merged = headers
                    merged["link"] = cached.link
                    return HTTPResponse(url: url, status: 200, headers: merged, body: cached.body, fromCache: true)
                }
                throw HTTPFailure(url: redaction.redact(key), status: 304, reason: "304 Not Modified for a request that was not conditional")
            case 401 where sendCredential:
                throw LiveCollectionError.unauthorized(service: service, url: redaction.redact(key), detail: redaction.redact(response.errorMessage))
            case 403, 429:
                if let pause = Self.rateLimitPause(response), rateLimitWaits < options.maxRateLimitWaits {
                    rateLimitWaits += 1
                    counters.add { $0.rateLimitWaits += 1 }
                    if pause.seconds > options.maxRateLimitWait {
                        throw HTTPFailure(url: redaction.redact(key), status: http.statusCode,
                                          reason: "\(pause.kind) rate limit: reset in \(Int(pause.seconds)) s, longer than the \(Int(options.maxRateLimitWait)) s allowed")
                    }
                    await gate.pause(until: Date().addingTimeInterval(pause.seconds))
                    continue
                }
                return response
            case 500, 502, 503, 504:
                if attempt < options.maxAttempts {
                    try await backoff(attempt: attempt, why: "HTTP \(http.statusCode)", url: key)
                    attempt += 1
                    continue
                }
                return response
            case 200..<300:
                if let verify, let problem = verify(body) {
                    throw HTTPFailure(url: redaction.redact(key), status: http.statusCode, reason: problem)
                }
                if let cache {
                    if immutable {
                        cache.store(key, entry: HTTPCacheEntry(etag: nil, body: body))
                    } else if let etag = headers["etag"], !etag.isEmpty {
                        cache.store(key, entry: HTTPCacheEntry(etag: etag, body: body, link: headers["link"]))
                    }
                }
                return response
            default:
                return response
            }
        }
    }

    /// GETs `url` and requires a 2xx answer.
    public func getOK(_ url: URL, conditional: Bool = true, immutable: Bool = false, authenticated: Bool = true,
                      verify: (@Sendable (Data) -> String?)? = nil) async throws -> HTTPResponse {
        let response = try await get(url, conditional: conditional, immutable: immutable, authenticated: authenticated, verify: verify)
        guard response.isSuccess else {
            throw HTTPFailure(url: redaction.redact(url.absoluteString), status: response.status, reason: Self.explain(response, redaction: redaction))
        }
        return response
    }

    /// An error status in words, naming the missing permission when the API says which.
    static func explain(_ response: HTTPResponse, redaction: SecretRedaction) -> String {
        var text = redaction.redact(response.errorMessage)
        if let accepted = response.headers["x-accepted-github-permissions"], !accepted.isEmpty {
            text += " (the token needs: \(accepted))"
        } else if let scopes = response.headers["x-accepted-oauth-scopes"], !scopes.isEmpty, response.status == 403 || response.status == 404 {
            text += " (accepted OAuth scopes: \(scopes); the token has: \(response.headers["x-oauth-scopes"] ?? "none"))"
        }
        return text
    }

    /// What a 403/429 says about rate limits: GitHub's secondary limit (`Retry-After`, or the
    /// message), or the primary budget spent (`X-RateLimit-Remaining: 0`).
    static func rateLimitPause(_ response: HTTPResponse) -> (kind: String, seconds: TimeInterval)? {
        if let retryAfter = response.headers["retry-after"] {
            if let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)) {
                return ("secondary", max(0, seconds))
            }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "EEE',' dd MMM yyyy HH':'mm':'ss zzz"
            if let date = formatter.date(from: retryAfter) {
                return ("secondary", max(0, date.timeIntervalSinceNow))
            }
        }
        if response.headers["x-ratelimit-remaining"] == "0" {
            let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init).map { $0 - Date().timeIntervalSince1970 } ?? 60
            return ("primary", max(1, reset + 1))
        }
        if response.errorMessage.lowercased().contains("secondary rate limit") {
            // GitHub: without Retry-After, wait at least a minute.
            return ("secondary", 60)
        }
        return nil
    }

    private func waitForRateLimit() async throws {
        // Bounded: every pass either returns or sleeps until a deadline that then lies in the past.
        for _ in 0..<100 {
            guard let (until, reason, announce) = await gate.nextAllowed() else { return }
            let seconds = until.timeIntervalSinceNow
            if seconds <= 0 { continue }
            if seconds > options.maxRateLimitWait {
                throw HTTPFailure(url: service, status: nil,
                                  reason: "\(reason): the wait of \(Int(seconds)) s is longer than the \(Int(options.maxRateLimitWait)) s allowed")
            }
            if announce {
                onEvent(.wait("\(service) \(reason): waiting \(Self.duration(seconds)) (until \(Self.clock(until)))"))
            }
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        }
    }

    private func backoff(attempt: Int, why: String, url: String) async throws {
        counters.add { $0.retries += 1 }
        let ceiling = min(options.backoffCap, options.backoffBase * pow(2, Double(attempt - 1)))
        // "Equal jitter": half the delay fixed, half random, so retries of many requests spread out.
        let delay = ceiling / 2 + Double.random(in: 0...(ceiling / 2))
        onEvent(.wait("\(service): \(why) for \(redaction.redact(url)); retry \(attempt) of \(options.maxAttempts - 1) in \(Self.duration(delay))"))
        try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
    }

    static func isRetryable(_ error: Error) -> Bool {
        guard let error = error as? URLError else { return true }
        switch error.code {
        case .cancelled, .badURL, .unsupportedURL, .userAuthenticationRequired, .serverCertificateUntrusted,
             .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
             .clientCertificateRejected, .secureConnectionFailed:
            return false
        default:
            return true
        }
    }

    static func describe(_ error: Error, redaction: SecretRedaction) -> String {
        if let limit = error as? TransferLimit {
            switch limit {
            case .bodyTooLarge(let cap):
                return "the response is larger than the \(byteCount(cap)) allowed (--max-response-mib); not read"
            case .deadline(let seconds):
                return "no complete response within \(Int(seconds.rounded())) s (--request-deadline); abandoned"
            }
        }
        if let error = error as? URLError {
            switch error.code {
            case .timedOut: return "timed out"
            case .cannotConnectToHost: return "connection refused"
            case .cannotFindHost: return "host not found"
            case .networkConnectionLost: return "connection lost"
            case .secureConnectionFailed: return "TLS handshake failed"
            default: return redaction.redact("connection error (\(error.code.rawValue)): \(error.localizedDescription)")
            }
        }
        return redaction.redact("\(error)")
    }

    static func byteCount(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return seconds < 10 ? String(format: "%.1f s", seconds) : "\(whole) s" }
        return "\(whole / 60) min \(whole % 60) s"
    }

    static func clock(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// The rate-limit state all requests of a client share.
actor RateLimitGate {
    private var remaining: Int?
    private var limit: Int?
    private var reset: Date?
    private var pausedUntil: Date?
    private var announced: Date?

    var budget: (remaining: Int?, limit: Int?) { (remaining, limit) }

    func update(headers: [String: String]) {
        if let value = headers["x-ratelimit-remaining"].flatMap(Int.init) { remaining = value }
        if let value = headers["x-ratelimit-limit"].flatMap(Int.init) { limit = value }
        if let value = headers["x-ratelimit-reset"].flatMap(Double.init) { reset = Date(timeIntervalSince1970: value) }
    }

    func pause(until date: Date) {
        if pausedUntil.map({ $0 < date }) ?? true { pausedUntil = date }
    }

    /// When the next request may go, why, and whether this caller should announce the wait
    /// (once per deadline, not once per waiting request). Nil: now.
    func nextAllowed() -> (Date, String, Bool)? {
        let now = Date()
        var until: Date?
        var reason = ""
        if let pausedUntil, pausedUntil > now {
            until = pausedUntil
            reason = "rate limit (Retry-After)"
        }
        if remaining == 0, let reset, reset > now, until.map({ reset > $0 }) ?? true {
            until = reset.addingTimeInterval(1)
            reason = "primary rate limit: 0 of \(limit.map(String.init) ?? "?") requests left"
        }
        if remaining == 0, reset.map({ $0 <= now }) ?? true {
            // The window has reset: let requests find out the new budget.
            remaining = nil
        }
        guard let until else { return nil }
        let announce = announced != until
        announced = until
        return (until, reason, announce)
    }
}

/// A counting semaphore for async code: at most `limit` holders at once, first come first served.
actor AsyncLimiter {
    private let limit: Int
    private var holders = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = limit
    }

    func acquire() async {
        if holders < limit {
            holders += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            holders -= 1
        } else {
            // The permit passes straight to the next waiter.
            waiters.removeFirst().resume()
        }
    }
}

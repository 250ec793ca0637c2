import Foundation

/// Removes credentials from anything a live collection may write or print: log lines, error
/// messages, response bodies (stored in the cache and as scan evidence) and request headers.
///
/// The collectors know their secrets (the GitHub token, the Octopus API key, a GitHub App's
/// installation tokens as they are issued); every string that leaves the HTTP layer goes through
/// ``redact(_:)-(String)``, and the credential headers are never printed at all, whatever their
/// value. Copies share their secrets, so a token issued mid-run is redacted everywhere at once.
public struct SecretRedaction: Sendable {
    public static let placeholder = "[REDACTED]"
    /// Header names whose values are credentials, lowercased.
    public static let credentialHeaders: Set<String> = ["authorization", "x-octopus-apikey", "proxy-authorization", "cookie", "set-cookie"]

    /// Secrets shorter than this are not searched for: they would redact ordinary words.
    static let minimumLength = 8

    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var secrets: [String] = []
    }

    private let store = Store()

    public var secrets: [String] { store.lock.withLock { store.secrets } }

    public init(secrets: [String] = []) {
        for secret in secrets { add(secret) }
    }

    public func add(_ secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= Self.minimumLength else { return }
        store.lock.withLock {
            guard !store.secrets.contains(trimmed) else { return }
            store.secrets.append(trimmed)
            // Longest first, so a secret containing another is replaced whole.
            store.secrets.sort { $0.count > $1.count }
        }
    }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in self.secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return result
    }

    /// The bytes with every secret replaced (the common case, no secret present, copies nothing).
    public func redact(_ data: Data) -> Data {
        let secrets = self.secrets
        guard !secrets.isEmpty, !data.isEmpty else { return data }
        var result = data
        for secret in secrets {
            let needle = Data(secret.utf8)
            var searchStart = result.startIndex
            while let range = result.range(of: needle, in: searchStart..<result.endIndex) {
                result.replaceSubrange(range, with: Data(Self.placeholder.utf8))
                searchStart = range.lowerBound + Self.placeholder.utf8.count
            }
        }
        return result
    }

    /// Headers fit to print: credential headers masked, every other value redacted.
    public func redact(headers: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers {
            result[name] = Self.credentialHeaders.contains(name.lowercased()) ? Self.placeholder : redact(value)
        }
        return result
    }
}

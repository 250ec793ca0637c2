import Foundation

/// Helpers shared by the collectors: a response body as JSON, with failures that name the
/// (redacted) URL, and the URLs and numbers of the APIs' JSON.
enum LiveJSON {
    /// The body parsed by `JSONDocument`; a response that is not JSON fails with the start of
    /// its body rather than a position, which says more about a proxy's error page.
    static func parse(_ response: HTTPResponse, redaction: SecretRedaction) throws -> Any {
        do {
            return try JSONDocument.parse(response.body)
        } catch {
            let start = String(decoding: response.body.prefix(60), as: UTF8.self)
            throw HTTPFailure(url: redaction.redact(response.url.absoluteString), status: response.status,
                              reason: redaction.redact("malformed JSON in the response (starts with \(start.debugDescription))"))
        }
    }

    static func object(_ response: HTTPResponse, redaction: SecretRedaction) throws -> [String: Any] {
        let value = try parse(response, redaction: redaction)
        guard let object = value as? [String: Any] else {
            throw HTTPFailure(url: redaction.redact(response.url.absoluteString), status: response.status,
                              reason: "expected a JSON object, found \(JSONTreeReader.typeName(value))")
        }
        return object
    }

    /// A path segment with everything but unreserved characters percent-encoded (so `/`, `?`,
    /// `#` and spaces in environment or branch names stay inside their segment).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func url(base: String, path: [String], query: String? = nil) -> URL {
        var text = base + "/" + path.joined(separator: "/")
        if let query { text += "?" + query }
        return URL(string: text)!
    }

    /// A whole JSON number as an integer (`JSONTreeReader.integer`): not a boolean, which Linux's
    /// Foundation would read as 1, nor a fraction or a number beyond `Int`, which would be
    /// truncated into another value.
    static func int(_ value: Any?) -> Int? {
        value.flatMap(JSONTreeReader.integer)
    }
}

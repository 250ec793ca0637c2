import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A final answer: 2xx (possibly from the cache), or an error status the caller judges.
public struct HTTPResponse: Sendable {
    public var url: URL
    public var status: Int
    /// Lowercased names.
    public var headers: [String: String]
    public var body: Data
    /// Served from the cache: after a 304, or without a request for immutable content.
    public var fromCache: Bool

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The `next` URL of a `Link` header (RFC 8288), as GitHub paginates.
    public var nextLink: URL? {
        guard let link = headers["link"] else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            if pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next" }) {
                return URL(string: String(target.dropFirst().dropLast()))
            }
        }
        return nil
    }

    /// The API's own words for an error status: GitHub's and Octopus's `message` /
    /// `ErrorMessage`, else the start of the body.
    public var errorMessage: String {
        if let object = try? JSONDocument.parse(body) as? [String: Any] {
            if let message = (object["message"] as? String) ?? (object["ErrorMessage"] as? String) {
                return message
            }
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? HTTPURLResponse.localizedString(forStatusCode: status) : text
    }
}

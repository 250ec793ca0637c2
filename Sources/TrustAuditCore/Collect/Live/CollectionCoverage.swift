import Foundation

/// Something a live collection could not fetch, and why.
///
/// `part` nil means the whole subject is missing (an organization not found, a repository or an
/// Octopus instance that could not be listed); otherwise the subject was collected without that
/// part (`environments`, `workflows`, `oidc_subject_claim`, `oidc_identities.Users-42`, …), and
/// the export leaves the part's key out: "not collected", never "empty".
public struct CollectionFailure: Sendable, Equatable, Codable {
    /// `github` or `octopus`.
    public var service: String
    /// `owner/name`, an organization, or an Octopus server URL.
    public var subject: String
    public var part: String?
    /// The input document the part belongs to (its name in the scan's coverage).
    public var document: String
    public var reason: String
    /// True when the subject is a repository whose workflows are missing or incomplete: the
    /// scan marks the repository itself (`repositories.collection_error`).
    public var repositoryIncomplete: Bool

    public init(service: String, subject: String, part: String?, document: String, reason: String, repositoryIncomplete: Bool = false) {
        self.service = service
        self.subject = subject
        self.part = part
        self.document = document
        self.reason = reason
        self.repositoryIncomplete = repositoryIncomplete
    }

    /// The scan_inputs / scan_input_problems `kind` of the document.
    var kind: String { service == "octopus" ? "octopus" : "github-settings" }

    /// One line for a log or the command's summary.
    public var line: String {
        "\(service) \(subject)\(part.map { " \($0)" } ?? ""): not collected: \(reason)"
    }
}

/// Everything a live collection could not fetch.
public struct CollectionCoverage: Sendable, Equatable, Codable {
    public var failures: [CollectionFailure]

    public init(failures: [CollectionFailure] = []) {
        self.failures = failures
    }

    public var isComplete: Bool { failures.isEmpty }

    public mutating func append(_ other: CollectionCoverage) {
        failures += other.failures
    }

    /// Stable order (collection runs concurrently), so equal outcomes hash equally.
    public var sorted: [CollectionFailure] {
        failures.sorted { ($0.service, $0.subject, $0.part ?? "", $0.reason) < ($1.service, $1.subject, $1.part ?? "", $1.reason) }
    }
}

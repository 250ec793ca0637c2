import Foundation

/// One job whose token may carry an OIDC subject, with everything derivation needs.
struct MintingJob: Sendable {
    var repository: String
    var file: String
    var job: JobFact
    var idToken: IDTokenAccess
    var triggers: [TriggerFact]
    var context: SubjectDerivationContext
    /// `ExternalId`s (lowercased) the job's login steps or reusable-workflow inputs name.
    var namedAccounts: Set<String>
    /// Why this job is in the graph beyond its own id-token: write, for evidence.
    var note: String?
    /// For a reusable-workflow call resolved in the scan: the called file and job.
    var calledFile: String? = nil
    var calledJob: String? = nil
    /// The environments the job can run in, evaluated with the caller's inputs and the matrix.
    var environments: [SubjectDerivation.EnvironmentChoice]? = nil
    /// Callers on the way to this job, outermost first; empty for a job of the entry workflow.
    var via: [CallHop] = []
    /// The job whose steps run: this job, or the called workflow's; nil when the call could not
    /// be followed.
    var presenting: WorkflowJobKey? = nil
}

/// One Octopus identity, flattened with its account for matching.
struct IdentityTarget: Sendable {
    /// `oct_identities.key_id`: the identity in every snapshot, which trust edges refer to.
    var key: Int64
    var server: String
    var accountID: String
    var externalID: String?
    var identityID: String
    var issuer: String
    var subject: String
    var pattern: SubjectPattern
}

/// One identity accepting one subject: the identity by its position in the builder's input, so
/// that an edge costs a few bytes however long the names it connects.
struct IdentityMatch: Sendable, Equatable {
    var identity: Int
    var match: OctopusOidcIdentity.SubjectMatch
    /// The job's login (or the caller's input) names the identity's account.
    var inUse: Bool
}

/// A subject a job can present and the identities that accept it.
struct SubjectTrust: Sendable {
    var subject: DerivedSubject
    var matches: [IdentityMatch]
}

/// Matches derived subjects against Octopus identities, fast enough for 10,000 repositories
/// against thousands of identities.
///
/// Identities are bucketed by the literal `repo:…:` segment that starts almost every subject, so
/// a job is only compared with identities for its own repository plus the few whose repository
/// part holds a wildcard. That shortcut is exact: an identity whose literal segment differs from
/// the subject's cannot match it.
struct IdentityIndex {
    private let identities: [IdentityTarget]
    private var byRepository: [String: [Int]] = [:]
    private var wildcards: [Int] = []
    private var all: [Int] = []

    /// Issuers of GitHub Actions tokens on github.com: the default one and the per-enterprise form.
    static func isGitHubIssuer(_ issuer: String) -> Bool {
        let base = OctopusOidcIdentity.gitHubActionsIssuer
        return issuer == base || issuer.hasPrefix(base + "/")
    }

    init(_ identities: [IdentityTarget]) {
        self.identities = identities
        for (position, identity) in identities.enumerated() where Self.isGitHubIssuer(identity.issuer) {
            all.append(position)
            if let key = Self.repositoryKey(identity.subject) {
                byRepository[key, default: []].append(position)
            } else {
                wildcards.append(position)
            }
        }
    }

    /// The `repo:OWNER/NAME` segment (up to the second `:`) with immutable ids removed
    /// (`repo:acme@12/api@34` and `repo:acme@*/api@*` both give `repo:acme/api`), or nil when a
    /// wildcard stands in the names themselves or there is no second `:`.
    ///
    /// Dropping the ids only ever puts more identities in a bucket, never fewer: the exact match
    /// that follows still compares the full subjects.
    static func repositoryKey(_ subject: String) -> String? {
        var key: [UInt8] = []
        key.reserveCapacity(64)
        var colons = 0
        var inID = false
        for byte in subject.utf8 {
            if byte == UInt8(ascii: ":") {
                colons += 1
                inID = false
                if colons == 2 { return String(decoding: key, as: UTF8.self) }
                key.append(byte)
                continue
            }
            if byte == UInt8(ascii: "/") { inID = false }
            if byte == UInt8(ascii: "@") && colons == 1 { inID = true; continue }
            if inID {
                let isIDCharacter = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "*")
                if isIDCharacter { continue }
                return nil
            }
            if byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") { return nil }
            key.append(byte)
        }
        return nil
    }

    func candidates(for subject: DerivedSubject) -> [Int] {
        guard let key = Self.repositoryKey(subject.value) else { return all }
        return (byRepository[key] ?? []) + wildcards
    }

    /// Positions of the identities accepting `subject`, and how.
    func matches(_ subject: DerivedSubject) -> [(Int, OctopusOidcIdentity.SubjectMatch)] {
        // Identities are read in place: copying one out of the array, names and pattern, for each
        // of the wildcard identities every subject is compared with cost more than comparing.
        identities.withUnsafeBufferPointer { identities in
            candidates(for: subject).compactMap { position in
                if identities[position].subject == subject.value { return (position, .exact) }
                if subject.isPattern {
                    return identities[position].pattern.intersects(subject.pattern) ? (position, .overlap) : nil
                }
                return identities[position].pattern.matches(subject.value) ? (position, .pattern) : nil
            }
        }
    }
}

/// Derives every minting job's subjects and the identities that accept them.
enum TrustGraphBuilder {
    /// For each job (in order), its subjects and their accepting identities.
    static func build(jobs: [MintingJob], identities: [IdentityTarget]) -> [[SubjectTrust]] {
        let index = IdentityIndex(identities)
        let lowercasedAccounts = identities.map { $0.externalID?.lowercased() }
        return ParallelMap.map(jobs) { job in
            SubjectDerivation.subjects(job: job.job, environments: job.environments ?? SubjectDerivation.environmentChoices(job.job),
                                       triggers: job.triggers, context: job.context).map { subject in
                SubjectTrust(subject: subject, matches: index.matches(subject).map { position, match in
                    IdentityMatch(identity: position, match: match,
                                  inUse: lowercasedAccounts[position].map(job.namedAccounts.contains) ?? false)
                })
            }
        }
    }

    /// Why the job is in the graph beyond its subject's own reason, appended to each edge's reason.
    static func note(for job: MintingJob) -> String? {
        var notes: [String] = []
        if job.idToken == .unknown { notes.append("permissions are an expression, so id-token: write is assumed possible") }
        if let note = job.note { notes.append(note) }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}

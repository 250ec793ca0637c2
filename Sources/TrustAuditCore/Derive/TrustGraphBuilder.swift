import Foundation

/// One job whose token may carry an OIDC subject, with everything derivation needs.
struct MintingJob: Sendable {
    var repository: String
    var file: String
    var job: JobFact
    var idToken: String
    var triggers: [TriggerFact]
    var context: SubjectDerivationContext
    /// `ExternalId`s (lowercased) the job's login steps or reusable-workflow inputs name.
    var namedAccounts: Set<String>
    /// Why this job is in the graph beyond its own id-token: write, for evidence.
    var note: String?
    /// For a reusable-workflow call resolved in the scan: the called file and job.
    var calledFile: String? = nil
    var calledJob: String? = nil
}

/// One Octopus identity, flattened with its account for matching.
struct IdentityTarget: Sendable {
    var server: String
    var accountID: String
    var externalID: String?
    var identityID: String
    var issuer: String
    var subject: String
    var pattern: SubjectPattern
}

/// A derived edge: this job's subject is accepted by this identity.
struct TrustEdge: Sendable, Equatable {
    var repository: String
    var file: String
    var job: String
    var trigger: String
    var subject: String
    var server: String
    var accountID: String
    var externalID: String?
    var identityID: String
    var match: OctopusOidcIdentity.SubjectMatch
    var inUse: Bool
    var environment: String?
    var calledFile: String?
    var calledJob: String?
    var reason: String
}

/// Matches derived subjects against Octopus identities, fast enough for 10,000 repositories
/// against thousands of identities.
///
/// Identities are bucketed by the literal `repo:…:` segment that starts almost every subject, so
/// a job is only compared with identities for its own repository plus the few whose repository
/// part holds a wildcard. That shortcut is exact: an identity whose literal segment differs from
/// the subject's cannot match it.
struct IdentityIndex {
    private var byRepository: [String: [IdentityTarget]] = [:]
    private var wildcards: [IdentityTarget] = []
    private var all: [IdentityTarget] = []

    /// Issuers of GitHub Actions tokens on github.com: the default one and the per-enterprise form.
    static func isGitHubIssuer(_ issuer: String) -> Bool {
        let base = OctopusOidcIdentity.gitHubActionsIssuer
        return issuer == base || issuer.hasPrefix(base + "/")
    }

    init(_ identities: [IdentityTarget]) {
        for identity in identities where Self.isGitHubIssuer(identity.issuer) {
            all.append(identity)
            if let key = Self.repositoryKey(identity.subject) {
                byRepository[key, default: []].append(identity)
            } else {
                wildcards.append(identity)
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

    func candidates(for subject: DerivedSubject) -> [IdentityTarget] {
        guard let key = Self.repositoryKey(subject.value) else { return all }
        return (byRepository[key] ?? []) + wildcards
    }

    func matches(_ subject: DerivedSubject) -> [(IdentityTarget, OctopusOidcIdentity.SubjectMatch)] {
        candidates(for: subject).compactMap { identity in
            if identity.subject == subject.value { return (identity, .exact) }
            if subject.isPattern {
                return identity.pattern.intersects(subject.pattern) ? (identity, .overlap) : nil
            }
            return identity.pattern.matches(subject.value) ? (identity, .pattern) : nil
        }
    }
}

/// Derives every minting job's subjects and the identities that accept them.
enum TrustGraphBuilder {
    static func build(jobs: [MintingJob], identities: [IdentityTarget]) -> (subjects: [(MintingJob, DerivedSubject)], edges: [TrustEdge]) {
        let index = IdentityIndex(identities)
        let perJob = ParallelMap.map(jobs) { job -> ([DerivedSubject], [TrustEdge]) in
            let subjects = SubjectDerivation.subjects(job: job.job, triggers: job.triggers, context: job.context)
            var edges: [TrustEdge] = []
            for subject in subjects {
                for (identity, match) in index.matches(subject) {
                    var reason = subject.reason
                    if job.idToken == "unknown" { reason += "; permissions are an expression, so id-token: write is assumed possible" }
                    if let note = job.note { reason += "; \(note)" }
                    edges.append(TrustEdge(
                        repository: job.repository, file: job.file, job: job.job.key, trigger: subject.trigger,
                        subject: subject.value, server: identity.server, accountID: identity.accountID,
                        externalID: identity.externalID, identityID: identity.identityID, match: match,
                        inUse: identity.externalID.map { job.namedAccounts.contains($0.lowercased()) } ?? false,
                        environment: subject.environment, calledFile: job.calledFile, calledJob: job.calledJob, reason: reason))
                }
            }
            return (subjects, edges)
        }
        var subjects: [(MintingJob, DerivedSubject)] = []
        var edges: [TrustEdge] = []
        for (job, result) in zip(jobs, perJob) {
            subjects += result.0.map { (job, $0) }
            edges += result.1
        }
        return (subjects, edges)
    }
}

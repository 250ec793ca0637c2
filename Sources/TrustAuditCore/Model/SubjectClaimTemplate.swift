import Foundation

/// How GitHub assembles a repository's `sub` claim: the claim keys in order and the form of
/// the `repo` segment. Resolved once per repository from its settings and its organization's.
public struct SubjectClaimTemplate: Sendable, Equatable {
    /// GitHub's default template.
    public static let defaultClaimKeys = ["repo", "context"]

    /// How the `repo` claim's value is written.
    public enum RepoForm: Sendable, Equatable {
        /// `OWNER/REPO`: the form before immutable subjects.
        case names
        /// `OWNER@OWNER_ID/REPO@REPO_ID`; nil ids are unknown and become `*`.
        case immutable(ownerId: Int?, repositoryId: Int?)
        /// The exact `repo:…` prefix GitHub reported (`sub_claim_prefix`), trusted over the
        /// `use_immutable_subject` flag because it is what GitHub actually emits.
        case prefix(String)
        /// Not collected: the repository may use either form, so both are derived.
        case unknown(ownerId: Int?, repositoryId: Int?)
    }

    public var claimKeys: [String]
    public var repoForm: RepoForm
    /// Why this template applies, for evidence ("repository template", "assumed default: …").
    public var origin: String

    public init(claimKeys: [String] = SubjectClaimTemplate.defaultClaimKeys, repoForm: RepoForm = .names, origin: String = "default template") {
        self.claimKeys = claimKeys
        self.repoForm = repoForm
        self.origin = origin
    }

    /// True for the default `repo` + `context` template.
    public var isDefault: Bool { claimKeys == Self.defaultClaimKeys }

    /// The template GitHub applies to a repository, repository settings first:
    /// - repository `use_default: true` → the default template;
    /// - repository `use_default: false` with keys → the repository's keys;
    /// - repository `use_default: false` without keys → the organization's keys (default when the
    ///   organization has none);
    /// - nothing collected → assumed default, said so in `origin`.
    ///
    /// The repo segment follows `sub_claim_prefix`, else `use_immutable_subject` (repository,
    /// then organization); when neither was collected both forms stay possible.
    public static func effective(
        repository: GitHubOidcSubjectClaim?, organization: GitHubOidcSubjectClaim?,
        ownerId: Int? = nil, repositoryId: Int? = nil
    ) -> SubjectClaimTemplate {
        var keys = defaultClaimKeys
        var origin: String
        if let repository {
            if repository.useDefault == false {
                if let own = repository.includeClaimKeys, !own.isEmpty {
                    keys = own
                    origin = "repository template"
                } else if let org = organization?.includeClaimKeys, !org.isEmpty {
                    keys = org
                    origin = "organization template (repository opted in)"
                } else if organization == nil {
                    origin = "assumed default: repository uses the organization template, which was not collected"
                } else {
                    origin = "default template (organization has none)"
                }
            } else if repository.useDefault == true {
                origin = "default template (repository setting)"
            } else if let own = repository.includeClaimKeys, !own.isEmpty {
                keys = own
                origin = "repository template"
            } else {
                origin = "default template"
            }
        } else {
            origin = "assumed default: repository subject template not collected"
        }

        let form: RepoForm
        if let prefix = repository?.subClaimPrefix, !prefix.isEmpty {
            form = .prefix(prefix)
        } else if let flag = repository?.useImmutableSubject ?? organization?.useImmutableSubject {
            form = flag ? .immutable(ownerId: ownerId, repositoryId: repositoryId) : .names
        } else {
            form = .unknown(ownerId: ownerId, repositoryId: repositoryId)
        }
        return SubjectClaimTemplate(claimKeys: keys, repoForm: form, origin: origin)
    }

    /// The values of the `repo` claim for `owner/name`, one per possible form. Values are
    /// escaped (`:` → `%3A`) except for the `*` of unknown ids.
    func repoValues(owner: String, name: String) -> [String] {
        let owner = SubjectClaimEscaping.escape(owner)
        let name = SubjectClaimEscaping.escape(name)
        func immutable(_ ownerId: Int?, _ repositoryId: Int?) -> String {
            "\(owner)@\(ownerId.map(String.init) ?? "*")/\(name)@\(repositoryId.map(String.init) ?? "*")"
        }
        switch repoForm {
        case .names: return ["\(owner)/\(name)"]
        case .immutable(let ownerId, let repositoryId): return [immutable(ownerId, repositoryId)]
        case .prefix(let prefix):
            return [prefix.hasPrefix("repo:") ? String(prefix.dropFirst("repo:".count)) : prefix]
        case .unknown(let ownerId, let repositoryId): return ["\(owner)/\(name)", immutable(ownerId, repositoryId)]
        }
    }
}

/// GitHub's escaping of claim values inside `sub`: a `:` in a value would be read as a
/// separator, so it is written `%3A`.
public enum SubjectClaimEscaping {
    public static func escape(_ value: String) -> String {
        value.contains(":") ? value.replacingOccurrences(of: ":", with: "%3A") : value
    }
}

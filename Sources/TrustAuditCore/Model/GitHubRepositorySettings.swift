/// A repository's GitHub settings as exported (README, "The trust graph"). Every property is nil when its key
/// was absent: "not collected", which policies must not read as "empty" or "off".
public struct GitHubRepositorySettings: Sendable, Equatable {
    public var file: String
    /// `owner/name`.
    public var repository: String
    public var defaultBranch: String?
    public var visibility: String?
    /// Numeric ids used by immutable OIDC subjects (`repo:OWNER@OWNER_ID/REPO@REPO_ID`).
    public var ownerId: Int?
    public var repositoryId: Int?
    public var environments: [GitHubEnvironment]?
    /// Environment name → its custom deployment branch and tag policies.
    public var deploymentBranchPolicies: [String: [GitHubDeploymentBranchPolicy]]?
    public var oidcSubjectClaim: GitHubOidcSubjectClaim?
    public var workflowPermissions: GitHubWorkflowPermissions?
    /// Branch name → what protects it, from `branch_rules` (rulesets) and the classic
    /// `branches`/`branch_protection` bodies; nil when none of them was collected.
    public var branchProtections: [String: GitHubRefProtection]?
    /// Active tag rulesets from `rulesets`; nil when not collected.
    public var tagRulesets: [GitHubRefProtection]?

    public init(
        file: String, repository: String, defaultBranch: String? = nil, visibility: String? = nil,
        ownerId: Int? = nil, repositoryId: Int? = nil, environments: [GitHubEnvironment]? = nil,
        deploymentBranchPolicies: [String: [GitHubDeploymentBranchPolicy]]? = nil,
        oidcSubjectClaim: GitHubOidcSubjectClaim? = nil, workflowPermissions: GitHubWorkflowPermissions? = nil
    ) {
        self.file = file
        self.repository = repository
        self.defaultBranch = defaultBranch
        self.visibility = visibility
        self.ownerId = ownerId
        self.repositoryId = repositoryId
        self.environments = environments
        self.deploymentBranchPolicies = deploymentBranchPolicies
        self.oidcSubjectClaim = oidcSubjectClaim
        self.workflowPermissions = workflowPermissions
    }
}

/// An organization's settings that repositories inherit.
public struct GitHubOrganizationSettings: Sendable, Equatable {
    public var file: String
    public var organization: String
    public var oidcSubjectClaim: GitHubOidcSubjectClaim?
    public var workflowPermissions: GitHubWorkflowPermissions?

    public init(file: String, organization: String, oidcSubjectClaim: GitHubOidcSubjectClaim? = nil,
                workflowPermissions: GitHubWorkflowPermissions? = nil) {
        self.file = file
        self.organization = organization
        self.oidcSubjectClaim = oidcSubjectClaim
        self.workflowPermissions = workflowPermissions
    }
}

/// A deployment environment from `GET /repos/{o}/{r}/environments`.
public struct GitHubEnvironment: Sendable, Equatable {
    public var name: String
    public var id: Int?
    /// Nil when the body did not say.
    public var canAdminsBypass: Bool?
    /// Nil when `protection_rules` was absent from the body; empty when there are none.
    public var protectionRules: [GitHubProtectionRule]?
    /// Nil when `deployment_branch_policy` was absent (not collected); `.allBranches` for JSON
    /// `null`, which is how GitHub says "any branch may deploy".
    public var deploymentBranchPolicy: GitHubDeploymentBranchSetting?

    public init(name: String, id: Int? = nil, canAdminsBypass: Bool? = nil,
                protectionRules: [GitHubProtectionRule]? = nil, deploymentBranchPolicy: GitHubDeploymentBranchSetting? = nil) {
        self.name = name
        self.id = id
        self.canAdminsBypass = canAdminsBypass
        self.protectionRules = protectionRules
        self.deploymentBranchPolicy = deploymentBranchPolicy
    }

    /// Reviewers of the `required_reviewers` rule; nil when rules were not collected, empty
    /// when no reviewers are required.
    public var requiredReviewers: [GitHubEnvironmentReviewer]? {
        guard let protectionRules else { return nil }
        return protectionRules.flatMap { rule -> [GitHubEnvironmentReviewer] in
            if case .requiredReviewers(let reviewers, _) = rule { return reviewers }
            return []
        }
    }
}

/// One entry of an environment's `protection_rules`.
public enum GitHubProtectionRule: Sendable, Equatable {
    case requiredReviewers(reviewers: [GitHubEnvironmentReviewer], preventSelfReview: Bool?)
    /// Minutes to wait before a job may start.
    case waitTimer(minutes: Int)
    /// Marks that `deployment_branch_policy` applies; the policy itself is separate.
    case branchPolicy
    /// A rule type trustaudit does not know (e.g. a custom deployment protection rule app).
    case other(type: String)
}

/// A required reviewer: a user (`login`) or a team (`slug`).
public struct GitHubEnvironmentReviewer: Sendable, Equatable {
    /// `User` or `Team` as GitHub writes it.
    public var type: String
    /// The user's login or the team's slug (its name when the slug is missing).
    public var name: String?
    public var id: Int?

    public init(type: String, name: String?, id: Int?) {
        self.type = type
        self.name = name
        self.id = id
    }
}

/// Which refs may deploy to an environment.
public enum GitHubDeploymentBranchSetting: Sendable, Equatable {
    /// `deployment_branch_policy: null`: no restriction.
    case allBranches
    /// Restricted to protected branches and/or the custom policies.
    case restricted(protectedBranches: Bool, customBranchPolicies: Bool)
}

/// A custom deployment branch or tag policy (`name` is a GitHub-style glob).
public struct GitHubDeploymentBranchPolicy: Sendable, Equatable {
    /// Whether the policy matches branch names or tag names.
    public enum Kind: String, Sendable, Equatable {
        case branch
        case tag
    }

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// `GET …/actions/oidc/customization/sub` for a repository or an organization.
public struct GitHubOidcSubjectClaim: Sendable, Equatable {
    /// Repository level only: true means GitHub's default template, ignoring any org template.
    public var useDefault: Bool?
    /// Claim keys of a custom template, in order.
    public var includeClaimKeys: [String]?
    /// Whether subjects use the immutable `OWNER@ID/REPO@ID` form.
    public var useImmutableSubject: Bool?
    /// The exact `repo:…` prefix GitHub emits for this repository, when the API returned it.
    public var subClaimPrefix: String?

    public init(useDefault: Bool? = nil, includeClaimKeys: [String]? = nil,
                useImmutableSubject: Bool? = nil, subClaimPrefix: String? = nil) {
        self.useDefault = useDefault
        self.includeClaimKeys = includeClaimKeys
        self.useImmutableSubject = useImmutableSubject
        self.subClaimPrefix = subClaimPrefix
    }
}

/// `GET …/actions/permissions/workflow`: what `GITHUB_TOKEN` gets when a workflow says nothing.
public struct GitHubWorkflowPermissions: Sendable, Equatable {
    /// `read` or `write`.
    public var defaultWorkflowPermissions: String?
    public var canApprovePullRequestReviews: Bool?

    public init(defaultWorkflowPermissions: String?, canApprovePullRequestReviews: Bool?) {
        self.defaultWorkflowPermissions = defaultWorkflowPermissions
        self.canApprovePullRequestReviews = canApprovePullRequestReviews
    }
}

/// What protects a branch, or the tags a ruleset targets, reduced to what decides who can put
/// code there.
public struct GitHubRefProtection: Sendable, Equatable {
    /// The branch name, or for a tag ruleset its `ref_name.include` patterns joined with `, `.
    public var name: String
    /// `rules` (a ruleset), `classic` (branch protection) or both joined with `+`.
    public var source: String
    /// The highest `required_approving_review_count` of a pull-request rule; nil when no rule
    /// requires a pull request, or (classic) when the protection's details were not exported.
    public var requiredApprovals: Int?
    /// Only bypass actors may push (`update` rule, classic push restrictions).
    public var restrictsUpdates: Bool
    /// Only bypass actors may create matching refs (`creation` rule).
    public var restrictsCreation: Bool
    /// True when any rule or protection applies at all.
    public var isProtected: Bool
    /// The rule types as GitHub names them.
    public var ruleTypes: [String]
    /// For tag rulesets: `ref_name.include` and `exclude` patterns (`refs/tags/v*`, `~ALL`).
    public var include: [String]
    public var exclude: [String]

    public init(name: String, source: String, requiredApprovals: Int? = nil, restrictsUpdates: Bool = false,
                restrictsCreation: Bool = false, isProtected: Bool, ruleTypes: [String] = [], include: [String] = [],
                exclude: [String] = []) {
        self.name = name
        self.source = source
        self.requiredApprovals = requiredApprovals
        self.restrictsUpdates = restrictsUpdates
        self.restrictsCreation = restrictsCreation
        self.isProtected = isProtected
        self.ruleTypes = ruleTypes
        self.include = include
        self.exclude = exclude
    }
}

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

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

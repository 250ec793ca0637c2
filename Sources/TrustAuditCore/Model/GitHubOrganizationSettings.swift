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

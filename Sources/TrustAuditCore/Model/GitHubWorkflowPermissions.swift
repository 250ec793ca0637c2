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

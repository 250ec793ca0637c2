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

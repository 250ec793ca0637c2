/// One OIDC identity of a service account: a token from `issuer` whose `sub` matches `subject`
/// (Octopus wildcards) may log in as the account.
public struct OctopusOidcIdentity: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var issuer: String
    public var subject: String
    /// Nil means the account's ExternalId (Octopus's default). An empty string is kept as is:
    /// it is a broken configuration, not the default, and policies need to tell them apart.
    public var audience: String?

    public init(id: String, name: String?, issuer: String, subject: String, audience: String?) {
        self.id = id
        self.name = name
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
    }
}

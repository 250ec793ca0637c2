/// Whether an Octopus OIDC identity accepts a token carrying a derived subject.
extension OctopusOidcIdentity {
    /// How a derived subject relates to this identity's subject pattern.
    public enum SubjectMatch: String, Sendable, Equatable {
        /// The same text, wildcards included.
        case exact
        /// A concrete subject the identity's pattern accepts.
        case pattern
        /// Both are patterns and some subject satisfies both.
        case overlap
    }

    /// The issuer of GitHub Actions tokens on github.com.
    public static let gitHubActionsIssuer = "https://token.actions.githubusercontent.com"

    /// Nil when the identity rejects every token the subject stands for. The issuer must be
    /// equal as written (Octopus compares it exactly); the subject uses Octopus's wildcards.
    public func match(_ subject: DerivedSubject, issuer: String = OctopusOidcIdentity.gitHubActionsIssuer) -> SubjectMatch? {
        guard self.issuer == issuer else { return nil }
        if self.subject == subject.value { return .exact }
        let identityPattern = SubjectPattern(self.subject)
        if !subject.isPattern { return identityPattern.matches(subject.value) ? .pattern : nil }
        return identityPattern.intersects(subject.pattern) ? .overlap : nil
    }
}

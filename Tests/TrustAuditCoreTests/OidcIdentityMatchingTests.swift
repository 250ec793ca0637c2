import Testing
@testable import TrustAuditCore

@Suite("OidcIdentityMatching")
struct OidcIdentityMatchingTests {
    static func identity(_ subject: String, issuer: String = OctopusOidcIdentity.gitHubActionsIssuer) -> OctopusOidcIdentity {
        OctopusOidcIdentity(id: "I-1", name: nil, issuer: issuer, subject: subject, audience: nil)
    }

    static func subject(_ value: String) -> DerivedSubject {
        DerivedSubject(value: value, trigger: "push", reason: "test")
    }

    @Test("exact, pattern and overlap matches are told apart")
    func kinds() {
        #expect(Self.identity("repo:acme/api:environment:Production").match(Self.subject("repo:acme/api:environment:Production")) == .exact)
        #expect(Self.identity("repo:acme/api:*").match(Self.subject("repo:acme/api:environment:Production")) == .pattern)
        #expect(Self.identity("repo:acme/api:ref:refs/heads/main").match(Self.subject("repo:acme/api:ref:refs/heads/*")) == .overlap)
        #expect(Self.identity("repo:acme/*:ref:refs/heads/release/*").match(Self.subject("repo:acme/api:ref:refs/heads/*")) == .overlap)
    }

    @Test("no match across repositories, ref kinds or case")
    func rejections() {
        #expect(Self.identity("repo:acme/api:ref:refs/tags/*").match(Self.subject("repo:acme/api:ref:refs/heads/*")) == nil)
        #expect(Self.identity("repo:acme/web:*").match(Self.subject("repo:acme/api:pull_request")) == nil)
        #expect(Self.identity("repo:acme/api:environment:production").match(Self.subject("repo:acme/api:environment:Production")) == nil)
    }

    @Test("the issuer must be equal as written")
    func issuer() {
        let other = Self.identity("repo:acme/api:*", issuer: "https://token.actions.githubusercontent.com/acme")
        #expect(other.match(Self.subject("repo:acme/api:pull_request")) == nil)
        #expect(other.match(Self.subject("repo:acme/api:pull_request"), issuer: "https://token.actions.githubusercontent.com/acme") == .pattern)
        #expect(Self.identity("*", issuer: "https://token.actions.githubusercontent.com/").match(Self.subject("x")) == nil)
    }
}

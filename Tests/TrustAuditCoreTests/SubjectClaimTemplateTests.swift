import Testing
@testable import TrustAuditCore

@Suite("SubjectClaimTemplate")
struct SubjectClaimTemplateTests {
    @Test("repository use_default true wins over an organization template")
    func repositoryDefault() {
        let template = SubjectClaimTemplate.effective(
            repository: GitHubOidcSubjectClaim(useDefault: true, useImmutableSubject: false),
            organization: GitHubOidcSubjectClaim(includeClaimKeys: ["repository_owner"]))
        #expect(template.claimKeys == ["repo", "context"])
        #expect(template.repoForm == .names)
        #expect(template.isDefault)
    }

    @Test("repository custom keys apply")
    func repositoryCustom() {
        let template = SubjectClaimTemplate.effective(
            repository: GitHubOidcSubjectClaim(useDefault: false, includeClaimKeys: ["repo", "context", "job_workflow_ref"]),
            organization: GitHubOidcSubjectClaim(includeClaimKeys: ["repository_owner"]))
        #expect(template.claimKeys == ["repo", "context", "job_workflow_ref"])
        #expect(template.origin == "repository template")
    }

    @Test("use_default false without keys takes the organization template")
    func organizationTemplate() {
        let template = SubjectClaimTemplate.effective(
            repository: GitHubOidcSubjectClaim(useDefault: false, includeClaimKeys: []),
            organization: GitHubOidcSubjectClaim(includeClaimKeys: ["repository_owner", "context"]))
        #expect(template.claimKeys == ["repository_owner", "context"])
        #expect(template.origin.hasPrefix("organization template"))
    }

    @Test("nothing collected: default keys assumed, both repo forms possible")
    func notCollected() {
        let template = SubjectClaimTemplate.effective(repository: nil, organization: nil, ownerId: 5)
        #expect(template.claimKeys == ["repo", "context"])
        #expect(template.origin.hasPrefix("assumed default"))
        #expect(template.repoForm == .unknown(ownerId: 5, repositoryId: nil))
        #expect(template.repoValues(owner: "acme", name: "api") == ["acme/api", "acme@5/api@*"])
    }

    @Test("sub_claim_prefix is trusted over use_immutable_subject")
    func prefixWins() {
        let template = SubjectClaimTemplate.effective(
            repository: GitHubOidcSubjectClaim(useDefault: true, useImmutableSubject: false, subClaimPrefix: "repo:acme@1/api@2"),
            organization: nil)
        #expect(template.repoForm == .prefix("repo:acme@1/api@2"))
        #expect(template.repoValues(owner: "acme", name: "api") == ["acme@1/api@2"])
    }

    @Test("organization opt-in to immutable subjects applies when the repository does not say")
    func organizationImmutable() {
        let template = SubjectClaimTemplate.effective(
            repository: GitHubOidcSubjectClaim(useDefault: true),
            organization: GitHubOidcSubjectClaim(useImmutableSubject: true), ownerId: 1, repositoryId: 2)
        #expect(template.repoValues(owner: "acme", name: "api") == ["acme@1/api@2"])
    }

    @Test("':' in values is escaped as %3A")
    func escaping() {
        #expect(SubjectClaimEscaping.escape("Production:V1") == "Production%3AV1")
        #expect(SubjectClaimEscaping.escape("plain") == "plain")
    }
}

import Foundation
import Testing
@testable import TrustAuditCore

@Suite("GitHubSettingsExport")
struct GitHubSettingsExportTests {
    static let file = "settings/acme-api.json"

    static func decode(_ json: String) throws(GitHubSettingsExportError) -> GitHubSettingsExport {
        try GitHubSettingsExport.decode(Data(json.utf8), file: file)
    }

    static func repository(_ json: String) throws -> (GitHubRepositorySettings, [GitHubSettingsProblem]) {
        let export = try decode(json)
        guard case .repository(let settings) = export.document else {
            Issue.record("expected a repository document")
            throw CancellationError()
        }
        return (settings, export.problems)
    }

    /// Bodies shaped like GitHub's REST responses, including fields trustaudit ignores.
    static let realistic = """
    {
      "repository": "acme/api", "default_branch": "main", "visibility": "private",
      "owner_id": 1234, "repository_id": 987654321,
      "environments": {
        "total_count": 2,
        "environments": [
          { "id": 161088068, "node_id": "MDExOkVudmlyb25tZW50MTYxMDg4MDY4", "name": "Production",
            "url": "https://api.github.com/repos/acme/api/environments/Production",
            "html_url": "https://github.com/acme/api/deployments/activity_log?environments_filter=Production",
            "created_at": "2020-11-23T22:00:40Z", "updated_at": "2020-11-23T22:00:40Z",
            "can_admins_bypass": false,
            "protection_rules": [
              { "id": 3736, "node_id": "MDQ6R2F0ZTM3MzY=", "type": "wait_timer", "wait_timer": 30 },
              { "id": 3755, "node_id": "MDQ6R2F0ZTM3NTU=", "prevent_self_review": true, "type": "required_reviewers",
                "reviewers": [
                  { "type": "User", "reviewer": { "login": "octocat", "id": 1, "type": "User", "site_admin": false } },
                  { "type": "Team", "reviewer": { "id": 7, "name": "Release Managers", "slug": "release-managers" } }
                ] },
              { "id": 3756, "node_id": "MDQ6R2F0ZTM3NTY=", "type": "branch_policy" }
            ],
            "deployment_branch_policy": { "protected_branches": false, "custom_branch_policies": true } },
          { "id": 161088069, "name": "staging", "protection_rules": [], "deployment_branch_policy": null }
        ]
      },
      "deployment_branch_policies": {
        "Production": { "total_count": 2, "branch_policies": [
          { "id": 361471, "node_id": "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzE=", "name": "release/*", "type": "branch" },
          { "id": 361472, "name": "v*", "type": "tag" } ] }
      },
      "oidc_subject_claim": { "use_default": false, "include_claim_keys": ["repo", "context", "job_workflow_ref"] },
      "workflow_permissions": { "default_workflow_permissions": "read", "can_approve_pull_request_reviews": false }
    }
    """

    @Test("a realistic repository file decodes every section")
    func realisticRepository() throws {
        let (settings, problems) = try Self.repository(Self.realistic)
        #expect(problems == [])
        #expect(settings.repository == "acme/api")
        #expect(settings.defaultBranch == "main")
        #expect(settings.visibility == "private")
        #expect(settings.ownerId == 1234)
        #expect(settings.repositoryId == 987_654_321)

        let environments = try #require(settings.environments)
        #expect(environments.map(\.name) == ["Production", "staging"])
        let production = environments[0]
        #expect(production.id == 161_088_068)
        #expect(production.canAdminsBypass == false)
        #expect(production.protectionRules == [
            .waitTimer(minutes: 30),
            .requiredReviewers(reviewers: [
                GitHubEnvironmentReviewer(type: "User", name: "octocat", id: 1),
                GitHubEnvironmentReviewer(type: "Team", name: "release-managers", id: 7),
            ], preventSelfReview: true),
            .branchPolicy,
        ])
        #expect(production.requiredReviewers?.map(\.name) == ["octocat", "release-managers"])
        #expect(production.deploymentBranchPolicy == .restricted(protectedBranches: false, customBranchPolicies: true))

        let staging = environments[1]
        #expect(staging.protectionRules == [])
        #expect(staging.requiredReviewers == [])
        #expect(staging.deploymentBranchPolicy == .allBranches, "null means any branch may deploy")
        #expect(staging.canAdminsBypass == nil)

        #expect(settings.deploymentBranchPolicies == ["Production": [
            GitHubDeploymentBranchPolicy(name: "release/*", kind: .branch),
            GitHubDeploymentBranchPolicy(name: "v*", kind: .tag),
        ]])
        #expect(settings.oidcSubjectClaim == GitHubOidcSubjectClaim(
            useDefault: false, includeClaimKeys: ["repo", "context", "job_workflow_ref"]))
        #expect(settings.workflowPermissions == GitHubWorkflowPermissions(
            defaultWorkflowPermissions: "read", canApprovePullRequestReviews: false))
    }

    @Test("absent keys stay nil: not collected is not empty")
    func absentKeys() throws {
        let (settings, problems) = try Self.repository(#"{ "repository": "acme/api" }"#)
        #expect(problems == [])
        #expect(settings.defaultBranch == nil)
        #expect(settings.environments == nil)
        #expect(settings.deploymentBranchPolicies == nil)
        #expect(settings.oidcSubjectClaim == nil)
        #expect(settings.workflowPermissions == nil)
        #expect(settings.ownerId == nil && settings.repositoryId == nil)
    }

    @Test("an environment without deployment_branch_policy or protection_rules keeps them nil")
    func environmentKeysAbsent() throws {
        let (settings, _) = try Self.repository("""
        { "repository": "acme/api", "environments": { "environments": [ { "name": "dev" } ] } }
        """)
        let dev = try #require(settings.environments?.first)
        #expect(dev.deploymentBranchPolicy == nil)
        #expect(dev.protectionRules == nil)
        #expect(dev.requiredReviewers == nil)
    }

    @Test("a full repository body under `repository` supplies name and ids")
    func repositoryBody() throws {
        let (settings, problems) = try Self.repository("""
        { "repository": { "id": 555, "full_name": "acme/web", "default_branch": "trunk", "visibility": "public",
                          "owner": { "login": "acme", "id": 77 } },
          "visibility": "internal" }
        """)
        #expect(problems == [])
        #expect(settings.repository == "acme/web")
        #expect(settings.repositoryId == 555)
        #expect(settings.ownerId == 77)
        #expect(settings.defaultBranch == "trunk")
        #expect(settings.visibility == "internal", "the envelope's own key wins")
    }

    @Test("immutable subject fields are read")
    func immutableSubject() throws {
        let (settings, _) = try Self.repository("""
        { "repository": "acme/api", "oidc_subject_claim": { "use_default": true, "use_immutable_subject": true,
          "sub_claim_prefix": "repo:acme@1234/api@987654321" } }
        """)
        #expect(settings.oidcSubjectClaim == GitHubOidcSubjectClaim(
            useDefault: true, includeClaimKeys: nil, useImmutableSubject: true,
            subClaimPrefix: "repo:acme@1234/api@987654321"))
    }

    @Test("an organization file decodes")
    func organization() throws {
        let export = try Self.decode("""
        { "organization": "acme", "oidc_subject_claim": { "include_claim_keys": ["repository_owner", "context"] },
          "workflow_permissions": { "default_workflow_permissions": "write", "can_approve_pull_request_reviews": true } }
        """)
        #expect(export.problems == [])
        #expect(export.document == .organization(GitHubOrganizationSettings(
            file: Self.file, organization: "acme",
            oidcSubjectClaim: GitHubOidcSubjectClaim(includeClaimKeys: ["repository_owner", "context"]),
            workflowPermissions: GitHubWorkflowPermissions(defaultWorkflowPermissions: "write", canApprovePullRequestReviews: true))))
    }

    @Test("whole-file failures are typed and name the file")
    func wholeFileErrors() {
        #expect(throws: GitHubSettingsExportError.unidentified(file: Self.file)) { try Self.decode(#"{ "environments": {} }"#) }
        #expect(throws: GitHubSettingsExportError.notAnObject(file: Self.file, found: "string")) { try Self.decode(#""acme/api""#) }
        #expect(throws: GitHubSettingsExportError.malformedJSON(
            file: Self.file, line: 2, column: 17, detail: "Invalid value around character 44.")) {
            try Self.decode("{ \"repository\": \"acme/api\",\n  \"visibility\": priv }")
        }
        #expect(GitHubSettingsExportError.unidentified(file: Self.file).description.contains("\"repository\""))
    }

    @Test("wrong shapes are problems with key paths; the rest still loads")
    func wrongShapes() throws {
        let (settings, problems) = try Self.repository("""
        { "repository": "acme/api", "default_branch": 7, "visibility": "private", "colour": "red",
          "environments": { "total_count": 5, "environments": [
            { "name": "prod", "can_admins_bypass": "no",
              "protection_rules": [ { "type": "wait_timer", "wait_timer": "30" }, { "type": "required_reviewers" },
                                    { "type": "custom_app" }, 5 ],
              "deployment_branch_policy": { "protected_branches": true } },
            { "id": 9 },
            { "name": "prod" } ] },
          "deployment_branch_policies": { "prod": { "branch_policies": [ { "name": "main", "type": "commit" }, { "type": "branch" } ] },
                                          "qa.eu": [] },
          "oidc_subject_claim": { "use_default": "false", "include_claim_keys": ["repo", 3, "bad-key"] },
          "workflow_permissions": { "default_workflow_permissions": "admin" } }
        """)
        let byPath = Dictionary(problems.map { ($0.path, $0.kind) }, uniquingKeysWith: { first, _ in first })
        #expect(Set(byPath.keys) == [
            "default_branch", "colour", "environments.total_count",
            "environments.environments[0].can_admins_bypass",
            "environments.environments[0].protection_rules[0].wait_timer",
            "environments.environments[0].protection_rules[1].reviewers",
            "environments.environments[0].protection_rules[3]",
            "environments.environments[0].deployment_branch_policy.custom_branch_policies",
            "environments.environments[1].name",
            "environments.environments[2].name",
            "deployment_branch_policies.prod.branch_policies[0].type",
            "deployment_branch_policies.prod.branch_policies[1].name",
            #"deployment_branch_policies["qa.eu"]"#,
            "oidc_subject_claim.use_default",
            "oidc_subject_claim.include_claim_keys[1]",
            "oidc_subject_claim.include_claim_keys[2]",
            "workflow_permissions.default_workflow_permissions",
        ])
        #expect(byPath["colour"] == .unknownKey)
        #expect(byPath["environments.environments[2].name"] == .duplicateId("prod"))
        #expect(byPath["default_branch"] == .wrongType(expected: "string", found: "number"))
        #expect(settings.defaultBranch == nil)
        #expect(settings.visibility == "private")
        let prod = try #require(settings.environments?.first)
        #expect(settings.environments?.count == 1)
        #expect(prod.protectionRules == [.requiredReviewers(reviewers: [], preventSelfReview: nil), .other(type: "custom_app")])
        #expect(prod.deploymentBranchPolicy == .restricted(protectedBranches: true, customBranchPolicies: false))
        #expect(settings.deploymentBranchPolicies == ["prod": []])
        #expect(settings.oidcSubjectClaim?.includeClaimKeys == ["repo", "bad-key"])
        #expect(settings.oidcSubjectClaim?.useDefault == nil)
        #expect(settings.workflowPermissions?.defaultWorkflowPermissions == "admin", "kept as exported, flagged")
    }

    @Test("byte offsets become 1-based line and character column")
    func syntaxLocation() {
        let data = Data("{\n  \"é\": x".utf8)
        // Byte 10 is `x`: line 2, after two spaces, three characters of key and `: `.
        #expect(JSONDocument.lineAndColumn(ofByte: 11, in: data) == (2, 9))
        #expect(JSONDocument.lineAndColumn(ofByte: 0, in: data) == (1, 1))
        #expect(JSONDocument.byteOffset(in: "Invalid value around character 42.") == 42)
        #expect(JSONDocument.byteOffset(in: "Something else") == nil)
        let checked1 = JSONDocument.lineAndColumn(in: "Unexpected character around line 4, column 7.").map { [$0.0, $0.1] } == [4, 7]
        #expect(checked1)
        #expect(JSONDocument.lineAndColumn(in: "Invalid value around character 42.") == nil)
    }
}

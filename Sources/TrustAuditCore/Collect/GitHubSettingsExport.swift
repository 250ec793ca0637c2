import Foundation

/// One decoded GitHub settings file: a repository's or an organization's, plus what was wrong.
public struct GitHubSettingsExport: Sendable, Equatable {
    /// Which kind of file it was.
    public enum Document: Sendable, Equatable {
        case repository(GitHubRepositorySettings)
        case organization(GitHubOrganizationSettings)
    }

    public var document: Document
    public var problems: [GitHubSettingsProblem]

    public init(document: Document, problems: [GitHubSettingsProblem]) {
        self.document = document
        self.problems = problems
    }

    /// Reads and decodes the file at `url`; problems name it by `url.path`.
    public static func load(contentsOf url: URL) throws(GitHubSettingsExportError) -> GitHubSettingsExport {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try decode(data, file: url.path)
    }

    /// Decodes one settings document: the GitHub REST bodies under the keys the README documents for settings exports.
    /// Keys inside REST bodies that trustaudit does not use are ignored silently (GitHub adds
    /// fields often); unknown keys of the file's own envelope are reported.
    public static func decode(_ data: Data, file: String) throws(GitHubSettingsExportError) -> GitHubSettingsExport {
        let root: Any
        var reader = JSONTreeReader(file: file)
        do {
            root = try JSONDocument.parse(data, reader: &reader)
        } catch {
            throw .malformedJSON(file: file, line: error.line, column: error.column, detail: error.detail)
        }
        guard let object = root as? [String: Any] else {
            throw .notAnObject(file: file, found: JSONTreeReader.typeName(root))
        }
        let repositoryBody = object["repository"] as? [String: Any]
        let name = (object["repository"] as? String) ?? (repositoryBody?["full_name"] as? String)
        if let name {
            reader.checkKeys(object, known: repositoryKeys, at: "")
            let settings = repository(object, name: name, body: repositoryBody, file: file, reader: &reader)
            return GitHubSettingsExport(document: .repository(settings), problems: reader.problems)
        }
        if let organization = object["organization"] as? String {
            reader.checkKeys(object, known: organizationKeys, at: "")
            let settings = GitHubOrganizationSettings(
                file: file, organization: organization,
                oidcSubjectClaim: oidcSubjectClaim(object, reader: &reader),
                workflowPermissions: workflowPermissions(object, reader: &reader))
            return GitHubSettingsExport(document: .organization(settings), problems: reader.problems)
        }
        throw .unidentified(file: file)
    }

    static let repositoryKeys: Set = [
        "repository", "default_branch", "visibility", "owner_id", "repository_id", "environments",
        "deployment_branch_policies", "oidc_subject_claim", "workflow_permissions", "branch_rules", "branches",
        "branch_protection", "rulesets",
    ]
    static let organizationKeys: Set = ["organization", "organization_id", "oidc_subject_claim", "workflow_permissions"]

    private static func repository(
        _ object: [String: Any], name: String, body: [String: Any]?, file: String, reader: inout JSONTreeReader
    ) -> GitHubRepositorySettings {
        var settings = GitHubRepositorySettings(file: file, repository: name)
        // `repository` may be the full `GET /repos/{o}/{r}` body instead of its name; its
        // fields fill what the envelope leaves out.
        if let body {
            settings.defaultBranch = reader.string(body, "default_branch", at: "repository")
            settings.visibility = reader.string(body, "visibility", at: "repository")
            settings.repositoryId = reader.int(body, "id", at: "repository")
            if let owner = reader.object(body, "owner", at: "repository") {
                settings.ownerId = reader.int(owner, "id", at: "repository.owner")
            }
        }
        settings.defaultBranch = reader.string(object, "default_branch", at: "") ?? settings.defaultBranch
        settings.visibility = reader.string(object, "visibility", at: "") ?? settings.visibility
        settings.ownerId = reader.int(object, "owner_id", at: "") ?? settings.ownerId
        settings.repositoryId = reader.int(object, "repository_id", at: "") ?? settings.repositoryId
        if let environments = reader.object(object, "environments", at: "") {
            settings.environments = self.environments(environments, reader: &reader)
        }
        if let policies = reader.object(object, "deployment_branch_policies", at: "") {
            settings.deploymentBranchPolicies = branchPolicies(policies, reader: &reader)
        }
        settings.oidcSubjectClaim = oidcSubjectClaim(object, reader: &reader)
        settings.workflowPermissions = workflowPermissions(object, reader: &reader)
        settings.branchProtections = GitHubRefRulesExport.branchProtections(object, reader: &reader)
        settings.tagRulesets = GitHubRefRulesExport.tagRulesets(object, reader: &reader)
        return settings
    }

    private static func environments(_ body: [String: Any], reader: inout JSONTreeReader) -> [GitHubEnvironment]? {
        let path = "environments"
        guard let list = reader.array(body, "environments", at: path, required: true) else { return nil }
        if let total = reader.int(body, "total_count", at: path), total > list.count {
            reader.record("environments.total_count", .invalidValue(
                "\(total) environments reported but \(list.count) exported; the export is missing pages"))
        }
        var result: [GitHubEnvironment] = []
        var seen: Set<String> = []
        for (index, element) in list.enumerated() {
            let itemPath = JSONTreeReader.path("environments.environments", index)
            guard let item = reader.object(element, at: itemPath),
                  let name = reader.string(item, "name", at: itemPath, required: true)
            else { continue }
            guard seen.insert(name).inserted else {
                reader.record(JSONTreeReader.path(itemPath, "name"), .duplicateId(name))
                continue
            }
            var environment = GitHubEnvironment(name: name)
            environment.id = reader.int(item, "id", at: itemPath)
            environment.canAdminsBypass = reader.bool(item, "can_admins_bypass", at: itemPath)
            if let rules = reader.array(item, "protection_rules", at: itemPath) {
                let rulesPath = JSONTreeReader.path(itemPath, "protection_rules")
                environment.protectionRules = rules.enumerated().compactMap { ruleIndex, rule in
                    protectionRule(rule, at: JSONTreeReader.path(rulesPath, ruleIndex), reader: &reader)
                }
            }
            if let policy = item["deployment_branch_policy"] {
                let policyPath = JSONTreeReader.path(itemPath, "deployment_branch_policy")
                if JSONTreeReader.isNull(policy) {
                    environment.deploymentBranchPolicy = .allBranches
                } else if let object = reader.object(policy, at: policyPath) {
                    let protected = reader.bool(object, "protected_branches", at: policyPath, required: true)
                    let custom = reader.bool(object, "custom_branch_policies", at: policyPath, required: true)
                    if protected != nil || custom != nil {
                        environment.deploymentBranchPolicy = .restricted(
                            protectedBranches: protected ?? false, customBranchPolicies: custom ?? false)
                    }
                }
            }
            result.append(environment)
        }
        return result
    }

    private static func protectionRule(_ element: Any, at path: String, reader: inout JSONTreeReader) -> GitHubProtectionRule? {
        guard let rule = reader.object(element, at: path),
              let type = reader.string(rule, "type", at: path, required: true)
        else { return nil }
        switch type {
        case "required_reviewers":
            var reviewers: [GitHubEnvironmentReviewer] = []
            if let list = reader.array(rule, "reviewers", at: path, required: true) {
                let listPath = JSONTreeReader.path(path, "reviewers")
                for (index, element) in list.enumerated() {
                    let reviewerPath = JSONTreeReader.path(listPath, index)
                    guard let entry = reader.object(element, at: reviewerPath) else { continue }
                    let kind = reader.string(entry, "type", at: reviewerPath, required: true) ?? "unknown"
                    let who = reader.object(entry, "reviewer", at: reviewerPath, required: true)
                    let whoPath = JSONTreeReader.path(reviewerPath, "reviewer")
                    let name = who.flatMap { who in
                        (who["login"] as? String) ?? (who["slug"] as? String) ?? (who["name"] as? String)
                    }
                    if who != nil && name == nil { reader.record(JSONTreeReader.path(whoPath, "login"), .missingKey) }
                    reviewers.append(GitHubEnvironmentReviewer(
                        type: kind, name: name, id: who.flatMap { reader.int($0, "id", at: whoPath) }))
                }
            }
            return .requiredReviewers(reviewers: reviewers, preventSelfReview: reader.bool(rule, "prevent_self_review", at: path))
        case "wait_timer":
            guard let minutes = reader.int(rule, "wait_timer", at: path, required: true) else { return nil }
            return .waitTimer(minutes: minutes)
        case "branch_policy":
            return .branchPolicy
        default:
            return .other(type: type)
        }
    }

    private static func branchPolicies(
        _ body: [String: Any], reader: inout JSONTreeReader
    ) -> [String: [GitHubDeploymentBranchPolicy]] {
        var result: [String: [GitHubDeploymentBranchPolicy]] = [:]
        for environment in body.keys.sorted() {
            let path = JSONTreeReader.path("deployment_branch_policies", environment)
            guard let object = reader.object(body[environment]!, at: path),
                  let list = reader.array(object, "branch_policies", at: path, required: true)
            else { continue }
            if let total = reader.int(object, "total_count", at: path), total > list.count {
                reader.record(JSONTreeReader.path(path, "total_count"), .invalidValue(
                    "\(total) policies reported but \(list.count) exported; the export is missing pages"))
            }
            let listPath = JSONTreeReader.path(path, "branch_policies")
            result[environment] = list.enumerated().compactMap { index, element in
                let itemPath = JSONTreeReader.path(listPath, index)
                guard let item = reader.object(element, at: itemPath),
                      let name = reader.string(item, "name", at: itemPath, required: true)
                else { return nil }
                // Older API versions had branch policies only and no `type`.
                let rawKind = reader.string(item, "type", at: itemPath) ?? "branch"
                guard let kind = GitHubDeploymentBranchPolicy.Kind(rawValue: rawKind) else {
                    reader.record(JSONTreeReader.path(itemPath, "type"), .invalidValue(
                        "\"\(rawKind)\" is neither \"branch\" nor \"tag\""))
                    return nil
                }
                return GitHubDeploymentBranchPolicy(name: name, kind: kind)
            }
        }
        return result
    }

    private static func oidcSubjectClaim(_ object: [String: Any], reader: inout JSONTreeReader) -> GitHubOidcSubjectClaim? {
        guard let body = reader.object(object, "oidc_subject_claim", at: "") else { return nil }
        let path = "oidc_subject_claim"
        let claim = GitHubOidcSubjectClaim(
            useDefault: reader.bool(body, "use_default", at: path),
            includeClaimKeys: reader.strings(body, "include_claim_keys", at: path),
            useImmutableSubject: reader.bool(body, "use_immutable_subject", at: path),
            subClaimPrefix: reader.string(body, "sub_claim_prefix", at: path))
        if let raw = body["include_claim_keys"] as? [Any] {
            // GitHub accepts only [A-Za-z0-9_] keys; anything else means a hand-edited export.
            // Indices are those of the exported array, so paths point at the right element.
            for (index, element) in raw.enumerated() {
                guard let key = element as? String else { continue }
                if key.isEmpty
                    || !key.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }) {
                    reader.record(JSONTreeReader.path(JSONTreeReader.path(path, "include_claim_keys"), index),
                                  .invalidValue("\"\(key)\" is not a claim key (letters, digits and _ only)"))
                }
            }
        }
        return claim
    }

    private static func workflowPermissions(_ object: [String: Any], reader: inout JSONTreeReader) -> GitHubWorkflowPermissions? {
        guard let body = reader.object(object, "workflow_permissions", at: "") else { return nil }
        let path = "workflow_permissions"
        let level = reader.string(body, "default_workflow_permissions", at: path)
        if let level, level != "read", level != "write" {
            reader.record(JSONTreeReader.path(path, "default_workflow_permissions"),
                          .invalidValue("\"\(level)\" is neither \"read\" nor \"write\""))
        }
        return GitHubWorkflowPermissions(
            defaultWorkflowPermissions: level,
            canApprovePullRequestReviews: reader.bool(body, "can_approve_pull_request_reviews", at: path))
    }
}

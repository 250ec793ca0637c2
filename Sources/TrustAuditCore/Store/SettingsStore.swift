import Foundation
import GRDB

/// Writes what GitHub settings exports said into a scan's `gh_*` tables.
enum SettingsStore {
    static func insert(organization: GitHubOrganizationSettings, scanID: Int64, db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO gh_organizations (scan_id, organization, subject_use_default, subject_claim_keys_json,
                    default_workflow_permissions) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [scanID, organization.organization, organization.oidcSubjectClaim?.useDefault,
                        organization.oidcSubjectClaim?.includeClaimKeys.map(jsonList),
                        organization.workflowPermissions?.defaultWorkflowPermissions])
    }

    static func insert(repository settings: GitHubRepositorySettings, template: SubjectClaimTemplate, scanID: Int64, db: Database) throws {
        let claim = settings.oidcSubjectClaim
        let arguments: [(any DatabaseValueConvertible)?] = [
            scanID, settings.repository, settings.ownerId, settings.repositoryId, settings.visibility, settings.defaultBranch,
            settings.environments != nil, claim?.useDefault, claim?.includeClaimKeys.map(jsonList), claim?.useImmutableSubject,
            claim?.subClaimPrefix, jsonList(template.claimKeys), template.origin,
            settings.workflowPermissions?.defaultWorkflowPermissions, settings.workflowPermissions?.canApprovePullRequestReviews,
            settings.branchProtections != nil, settings.tagRulesets != nil,
        ]
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO gh_repositories (scan_id, repository, owner_id, repository_id, visibility, default_branch,
                    environments_collected, subject_use_default, subject_claim_keys_json, subject_use_immutable, subject_prefix,
                    subject_template_json, subject_template_origin, default_workflow_permissions, can_approve_pull_requests,
                    branch_rules_collected, tag_rules_collected)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: StatementArguments(arguments))
        try db.cachedStatement(sql: "DELETE FROM gh_environments WHERE scan_id = ? AND repository = ?").execute(arguments: [scanID, settings.repository])
        try db.cachedStatement(sql: "DELETE FROM gh_environment_branch_policies WHERE scan_id = ? AND repository = ?").execute(arguments: [scanID, settings.repository])
        try db.cachedStatement(sql: "DELETE FROM gh_ref_rules WHERE scan_id = ? AND repository = ?").execute(arguments: [scanID, settings.repository])
        let protections = (settings.branchProtections ?? [:]).sorted { $0.key < $1.key }.map { ("branch", $0.value) }
            + (settings.tagRulesets ?? []).map { ("tag", $0) }
        for (kind, protection) in protections {
            let arguments: [(any DatabaseValueConvertible)?] = [
                scanID, settings.repository, kind, protection.name, protection.source, protection.isProtected, protection.requiredApprovals,
                protection.restrictsUpdates, protection.restrictsCreation, jsonList(protection.ruleTypes),
                kind == "tag" ? jsonList(protection.include) : nil, kind == "tag" ? jsonList(protection.exclude) : nil,
            ]
            try db.cachedStatement(sql: """
                INSERT INTO gh_ref_rules (scan_id, repository, kind, name, source, is_protected, required_approvals, restricts_updates,
                    restricts_creation, rule_types_json, include_json, exclude_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: StatementArguments(arguments))
        }
        for environment in settings.environments ?? [] {
            try insert(environment: environment, repository: settings.repository, scanID: scanID, db: db)
        }
        for (environment, policies) in settings.deploymentBranchPolicies ?? [:] {
            for policy in policies {
                try db.cachedStatement(
                    sql: "INSERT INTO gh_environment_branch_policies (scan_id, repository, environment, name, type) VALUES (?, ?, ?, ?, ?)").execute(arguments: [scanID, settings.repository, environment, policy.name, policy.kind.rawValue])
            }
        }
    }

    /// Copies these repositories' rows from an earlier scan that read the same settings documents
    /// under the same organization settings, so they are the rows `insert(repository:)` would
    /// write, each repository's in the order it wrote them.
    static func copyRepositories(_ repositories: [String], from previous: Int64, to scanID: Int64, db: Database) throws {
        let names = "temp.trustaudit_settings_copied"
        try TemporaryNameTable.fill(db, names, with: repositories)
        defer { try? TemporaryNameTable.drop(db, names) }
        let statements = [
            """
            INSERT INTO gh_repositories (scan_id, repository, owner_id, repository_id, visibility, default_branch,
                environments_collected, subject_use_default, subject_claim_keys_json, subject_use_immutable, subject_prefix,
                subject_template_json, subject_template_origin, default_workflow_permissions, can_approve_pull_requests,
                branch_rules_collected, tag_rules_collected)
            SELECT ?, t.repository, t.owner_id, t.repository_id, t.visibility, t.default_branch,
                t.environments_collected, t.subject_use_default, t.subject_claim_keys_json, t.subject_use_immutable, t.subject_prefix,
                t.subject_template_json, t.subject_template_origin, t.default_workflow_permissions, t.can_approve_pull_requests,
                t.branch_rules_collected, t.tag_rules_collected
            FROM gh_repositories t JOIN \(names) n ON n.name = t.repository WHERE t.scan_id = ? ORDER BY n.rowid
            """,
            """
            INSERT INTO gh_ref_rules (scan_id, repository, kind, name, source, is_protected, required_approvals, restricts_updates,
                restricts_creation, rule_types_json, include_json, exclude_json)
            SELECT ?, t.repository, t.kind, t.name, t.source, t.is_protected, t.required_approvals, t.restricts_updates,
                t.restricts_creation, t.rule_types_json, t.include_json, t.exclude_json
            FROM gh_ref_rules t JOIN \(names) n ON n.name = t.repository WHERE t.scan_id = ? ORDER BY n.rowid, t.rowid
            """,
            """
            INSERT INTO gh_environments (scan_id, repository, name, can_admins_bypass, reviewers_json, reviewer_count,
                prevent_self_review, wait_timer, branch_policy, other_rules_json)
            SELECT ?, t.repository, t.name, t.can_admins_bypass, t.reviewers_json, t.reviewer_count,
                t.prevent_self_review, t.wait_timer, t.branch_policy, t.other_rules_json
            FROM gh_environments t JOIN \(names) n ON n.name = t.repository WHERE t.scan_id = ? ORDER BY n.rowid, t.rowid
            """,
            """
            INSERT INTO gh_environment_branch_policies (scan_id, repository, environment, name, type)
            SELECT ?, t.repository, t.environment, t.name, t.type
            FROM gh_environment_branch_policies t JOIN \(names) n ON n.name = t.repository WHERE t.scan_id = ? ORDER BY n.rowid, t.rowid
            """,
        ]
        for sql in statements {
            try db.execute(sql: sql, arguments: [scanID, previous])
        }
    }

    /// What each repository's settings said of its default branch, visibility and default token
    /// permissions in a scan, by repository as written.
    static func repositoryDefaults(_ db: Database, scanID: Int64) throws
        -> [String: (defaultBranch: String?, visibility: String?, defaultPermissions: String?)] {
        var defaults: [String: (defaultBranch: String?, visibility: String?, defaultPermissions: String?)] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT repository, default_branch, visibility, default_workflow_permissions FROM gh_repositories WHERE scan_id = ?
            """, arguments: [scanID]) {
            defaults[row["repository"]] = (row["default_branch"], row["visibility"], row["default_workflow_permissions"])
        }
        return defaults
    }

    private static func insert(environment: GitHubEnvironment, repository: String, scanID: Int64, db: Database) throws {
        var reviewers: [GitHubEnvironmentReviewer]?
        var preventSelfReview: Bool?
        var waitTimer: Int?
        var others: [String] = []
        for rule in environment.protectionRules ?? [] {
            switch rule {
            case .requiredReviewers(let list, let prevent):
                reviewers = (reviewers ?? []) + list
                preventSelfReview = prevent
            case .waitTimer(let minutes):
                waitTimer = minutes
            case .branchPolicy:
                break
            case .other(let type):
                others.append(type)
            }
        }
        let branchPolicy: String?
        switch environment.deploymentBranchPolicy {
        case nil: branchPolicy = nil
        case .allBranches?: branchPolicy = "all"
        case .restricted(let protected, let custom)?:
            branchPolicy = protected && custom ? "protected+custom" : protected ? "protected" : custom ? "custom" : "all"
        }
        let reviewersJSON = reviewers.map { list in
            JSONValue.array(list.map { .object(["type": .string($0.type), "name": $0.name.map(JSONValue.string) ?? .null]) }).jsonText
        }
        let arguments: [(any DatabaseValueConvertible)?] = [
            scanID, repository, environment.name, environment.canAdminsBypass, reviewersJSON, reviewers?.count ?? 0,
            preventSelfReview, waitTimer, branchPolicy, others.isEmpty ? nil : jsonList(others),
        ]
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO gh_environments (scan_id, repository, name, can_admins_bypass, reviewers_json, reviewer_count,
                    prevent_self_review, wait_timer, branch_policy, other_rules_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: StatementArguments(arguments))
    }

    static func jsonList(_ values: [String]) -> String {
        JSONValue.array(values.map(JSONValue.string)).jsonText
    }
}

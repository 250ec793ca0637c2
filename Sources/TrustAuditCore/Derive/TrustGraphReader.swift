import GRDB

/// Reads what the trust graph is derived from out of one scan's stored facts.
///
/// Jobs come from the stored facts, not from the parser, so an unchanged file that was not
/// parsed again in this scan is still in the graph.
///
/// Without `workflowTable`, everything of the snapshot is read. With one (a table with a `name`
/// column: the repositories an incremental derivation reads, as stored), only those
/// repositories' workflows are read, and the settings (environments, ref rules, subject
/// templates) only of those and of the repositories that identities' subjects name, since an
/// identity's reach is judged by the settings of the repository it names: deriving a few
/// repositories then reads neither every job nor every repository's settings of the snapshot
/// (at 10,000 repositories, 0.7 s of a 1%-changed rescan).
enum TrustGraphReader {
    /// The lower-cased repositories whose settings an incremental derivation reads.
    static let settingsTable = "temp.trustaudit_derive_settings"

    /// The condition that keeps a query to the repositories in `table` (none without one).
    private struct RepositoryFilter {
        var table: String?

        /// `AND …` on the query's repository column, matched by Swift's lower-casing, as
        /// RepositoryKey's (SQLite's lower() folds ASCII only).
        func on(_ column: String = "repository") -> String {
            table.map { "AND swiftLowercaseString(\(column)) IN (SELECT name FROM \($0))" } ?? ""
        }
    }

    /// The part of the facts that only the snapshot decides: its workflows (with their jobs'
    /// tokens, triggers and logins) and the outsider views. Nothing a stage writes changes it,
    /// so a derivation can have it read on a reader of the committed snapshot while the writer
    /// does something else (`DerivationPrefetch`).
    struct Workflows: Sendable {
        var workflows: [WorkflowKey: TrustGraphFacts.Workflow] = [:]
        var workflowOrder: [WorkflowKey] = []
        var outsiderTriggers: [String: String]?
        var outsiderInputs: [WorkflowJobKey: [String]]?
    }

    /// The workflows of `repositories` (spelled as stored; nil: every repository) of snapshot
    /// `scanID`; `db` must show that scan (`AuditDatabase.showing`). The names are listed in a
    /// TEMP table of `db`'s own, dropped again.
    static func readWorkflows(_ db: Database, scanID: Int64, of repositories: [String]? = nil) throws -> Workflows {
        let table = repositories.map { _ in "temp.trustaudit_prefetch_read" }
        if let table, let repositories { try TemporaryNameTable.fill(db, table, with: repositories) }
        defer { if let table { try? TemporaryNameTable.drop(db, table) } }
        var facts = TrustGraphFacts()
        try readWorkflows(db, scanID: scanID, workflowTable: table, into: &facts)
        try readOutsiders(db, workflowTable: table, into: &facts)
        return Workflows(workflows: facts.workflows, workflowOrder: facts.workflowOrder,
                         outsiderTriggers: facts.outsiderTriggers, outsiderInputs: facts.outsiderInputs)
    }

    /// - parameter workflows: the workflows of the repositories in `workflowTable` (of every
    ///   repository without one), read already.
    static func read(_ db: Database, scanID: Int64, workflowTable: String? = nil, workflows: Workflows? = nil) throws -> TrustGraphFacts {
        var facts = TrustGraphFacts()
        facts.identities = try identities(db, scanID: scanID)
        var only = RepositoryFilter(table: nil)
        if let workflowTable {
            var names = Set(try String.fetchAll(db, sql: "SELECT name FROM \(workflowTable)").map { RepositoryKey($0).value })
            for identity in facts.identities {
                if let named = ReachabilityJudge.namedRepository(identity.subject) { names.insert(named.value) }
            }
            try TemporaryNameTable.fill(db, settingsTable, with: names.sorted())
            only = RepositoryFilter(table: settingsTable)
        }
        defer { if workflowTable != nil { try? TemporaryNameTable.drop(db, settingsTable) } }
        try readGates(db, scanID: scanID, only: only, into: &facts)
        try readRepositories(db, scanID: scanID, only: only, into: &facts)
        if let workflows {
            facts.workflows = workflows.workflows
            facts.workflowOrder = workflows.workflowOrder
            facts.outsiderTriggers = workflows.outsiderTriggers
            facts.outsiderInputs = workflows.outsiderInputs
        } else {
            try readWorkflows(db, scanID: scanID, workflowTable: workflowTable, into: &facts)
            try readOutsiders(db, workflowTable: workflowTable, into: &facts)
        }
        try readRefRules(db, scanID: scanID, only: only, into: &facts)
        return facts
    }

    private static func readRefRules(_ db: Database, scanID: Int64, only: RepositoryFilter, into facts: inout TrustGraphFacts) throws {
        for row in try Row.fetchAll(db, sql: """
            SELECT repository, branch_rules_collected, tag_rules_collected FROM gh_repositories WHERE scan_id = ? \(only.on())
            """, arguments: [scanID]) {
            let key = RepositoryKey(row[0])
            if row[1] as Bool { facts.branchRulesCollected.insert(key) }
            if row[2] as Bool { facts.tagRulesCollected.insert(key) }
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM gh_ref_rules WHERE scan_id = ? \(only.on())", arguments: [scanID]) {
            let key = RepositoryKey(row["repository"])
            let protection = GitHubRefProtection(
                name: row["name"], source: row["source"], requiredApprovals: row["required_approvals"],
                restrictsUpdates: row["restricts_updates"], restrictsCreation: row["restricts_creation"], isProtected: row["is_protected"],
                ruleTypes: list(row["rule_types_json"]) ?? [], include: list(row["include_json"]) ?? [],
                exclude: list(row["exclude_json"]) ?? [])
            if (row["kind"] as String) == "tag" {
                facts.tagRules[key, default: []].append(protection)
            } else {
                facts.branchRules[key, default: [:]][protection.name] = protection
            }
        }
    }

    /// The outsider views are read when the database has them; both are scoped to the scan
    /// being derived.
    private static func readOutsiders(_ db: Database, workflowTable: String?, into facts: inout TrustGraphFacts) throws {
        let views = Set(try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'view' AND name IN ('outsider_triggers', 'outsider_inputs')
            """))
        guard views.count == 2 else { return }
        var triggers: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, reason FROM outsider_triggers") {
            triggers[row[0]] = row[1]
        }
        facts.outsiderTriggers = triggers
        var inputs: [WorkflowJobKey: [String]] = [:]
        let only = workflowTable.map { "WHERE repository IN (SELECT name FROM \($0))" } ?? ""
        for row in try Row.fetchAll(db, sql: "SELECT repository, file, job, context FROM outsider_inputs \(only) ORDER BY step_index, kind, context") {
            let key = WorkflowJobKey(workflow: WorkflowKey(repository: RepositoryKey(row[0]), path: row[1]), job: row[2])
            let context: String = row[3]
            if inputs[key]?.contains(context) != true { inputs[key, default: []].append(context) }
        }
        facts.outsiderInputs = inputs
    }

    private static func identities(_ db: Database, scanID: Int64) throws -> [IdentityTarget] {
        try Row.fetchAll(db, sql: """
            SELECT i.key_id, i.server, i.account_id, a.external_id, i.identity_id, i.issuer, i.subject
            FROM oct_identities i
            LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
            WHERE i.scan_id = ?
            """, arguments: [scanID]).map { row in
            let subject: String = row["subject"]
            return IdentityTarget(key: row["key_id"], server: row["server"], accountID: row["account_id"], externalID: row["external_id"],
                                  identityID: row["identity_id"], issuer: row["issuer"], subject: subject,
                                  pattern: SubjectPattern(subject))
        }
    }

    private static func readGates(_ db: Database, scanID: Int64, only: RepositoryFilter, into facts: inout TrustGraphFacts) throws {
        facts.environmentsCollected = Set(try String.fetchAll(db, sql: """
            SELECT repository FROM gh_repositories WHERE scan_id = ? AND environments_collected \(only.on())
            """, arguments: [scanID]).map(RepositoryKey.init))
        var policies: [EnvironmentKey: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT repository, environment, name, type FROM gh_environment_branch_policies WHERE scan_id = ? \(only.on())",
                                    arguments: [scanID]) {
            let key = EnvironmentKey(repository: RepositoryKey(row["repository"]), name: row["environment"])
            policies[key, default: []].append((row["type"] as String) == "tag" ? "tag \(row["name"] as String)" : row["name"])
        }
        let environments = try Row.fetchCursor(db, sql: """
            SELECT repository, name, reviewers_json, other_rules_json, prevent_self_review, wait_timer, branch_policy, can_admins_bypass
            FROM gh_environments WHERE scan_id = ? \(only.on())
            """, arguments: [scanID])
        while let row = try environments.next() {
            let repository: String = row[0]
            let name: String = row[1]
            let key = EnvironmentKey(repository: RepositoryKey(repository), name: name)
            var reviewers: [String]?
            if let json: String = row[2], case .array(let list)? = JSONValue.parse(json) {
                reviewers = list.map { item in
                    guard case .object(let fields) = item else { return "?" }
                    let type = fields["type"]?.stringValue ?? ""
                    return (type == "Team" ? "team " : "") + (fields["name"]?.stringValue ?? "?")
                }
            }
            var others: [String] = []
            if let json: String = row[3], case .array(let list)? = JSONValue.parse(json) {
                others = list.compactMap(\.stringValue)
            }
            facts.gates[key] = EnvironmentGate(
                repository: repository, name: name, reviewerNames: reviewers, preventSelfReview: row[4],
                waitTimer: row[5], branchPolicy: row[6], branchPolicyNames: policies[key] ?? [],
                canAdminsBypass: row[7], otherRules: others)
        }
    }

    /// What derivation reads of a repository's settings row.
    private struct RepositorySettings {
        var defaultBranch: String?
        var visibility: String?
        var ownerId: Int?
        var repositoryId: Int?
        var claim: GitHubOidcSubjectClaim
    }

    private static func readRepositories(_ db: Database, scanID: Int64, only: RepositoryFilter, into facts: inout TrustGraphFacts) throws {
        var settings: [RepositoryKey: RepositorySettings] = [:]
        // Columns by position, as for the workflows' rows below.
        let rows = try Row.fetchCursor(db, sql: """
            SELECT repository, default_branch, visibility, owner_id, repository_id, subject_use_default, subject_claim_keys_json,
                   subject_use_immutable, subject_prefix
            FROM gh_repositories WHERE scan_id = ? \(only.on())
            """, arguments: [scanID])
        while let row = try rows.next() {
            settings[RepositoryKey(row[0])] = RepositorySettings(
                defaultBranch: row[1], visibility: row[2], ownerId: row[3], repositoryId: row[4],
                claim: GitHubOidcSubjectClaim(useDefault: row[5], includeClaimKeys: list(row[6]), useImmutableSubject: row[7],
                                              subClaimPrefix: row[8]))
        }
        var organizations: [String: Row] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM gh_organizations WHERE scan_id = ?", arguments: [scanID]) {
            organizations[(row["organization"] as String).lowercased()] = row
        }
        let repositories = try Row.fetchCursor(db, sql: """
            SELECT full_name, default_branch, visibility, head_commit FROM scan_repositories
            WHERE scan_id = ? \(only.on("full_name"))
            """, arguments: [scanID])
        while let row = try repositories.next() {
            let name: String = row[0]
            let key = RepositoryKey(name)
            let repo = settings[key]
            let defaultBranch: String? = row[1] ?? repo?.defaultBranch
            let visibility: String? = row[2] ?? repo?.visibility
            facts.repositories[key] = TrustGraphFacts.Repository(name: name, defaultBranch: defaultBranch, visibility: visibility,
                                                                 headCommit: row[3])
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            let owner = parts.first ?? name
            let template = SubjectClaimTemplate.effective(
                repository: repo?.claim, organization: organizations[owner.lowercased()].map(claim),
                ownerId: repo?.ownerId, repositoryId: repo?.repositoryId)
            facts.contexts[key] = SubjectDerivationContext(
                owner: owner, name: parts.count > 1 ? parts[1] : name, defaultBranch: defaultBranch, template: template,
                visibility: visibility, ownerId: repo?.ownerId, repositoryId: repo?.repositoryId)
        }
    }

    private static func readWorkflows(_ db: Database, scanID: Int64, workflowTable: String?, into facts: inout TrustGraphFacts) throws {
        let only = workflowTable.map { "AND repository IN (SELECT name FROM \($0))" } ?? ""
        let onlyFiles = workflowTable.map { "AND repository_id IN (SELECT id FROM scan_repositories WHERE scan_id = ? AND full_name IN (SELECT name FROM \($0)))" } ?? ""
        let fileArguments: StatementArguments = workflowTable == nil ? [scanID] : [scanID, scanID]
        // `job_tokens` is scoped to the current scan, which is the one being derived.
        var tokens: [WorkflowJobKey: IDTokenAccess] = [:]
        let tokenCursor = try Row.fetchCursor(db, sql: "SELECT repository, file, job, id_token FROM job_tokens WHERE 1 \(only)")
        while let row = try tokenCursor.next() {
            let key = WorkflowJobKey(workflow: WorkflowKey(repository: RepositoryKey(row[0]), path: row[1]), job: row[2])
            if tokens[key] == nil { tokens[key] = IDTokenAccess(stored: row[3]) }
        }
        var triggers: [Int64: [TriggerFact]] = [:]
        // Columns by position: tens of thousands of rows, and a lookup by name compares it with
        // every column's name.
        let triggerCursor = try Row.fetchCursor(db, sql: """
            SELECT doc, event, line, types_json, branches_json, branches_ignore_json, tags_json, tags_ignore_json, paths_json,
                   inputs_json, workflows_json
            FROM wf_triggers WHERE doc IN (SELECT doc FROM scan_workflow_files WHERE scan_id = ? \(onlyFiles))
            """, arguments: fileArguments)
        while let row = try triggerCursor.next() {
            var trigger = TriggerFact(
                event: row[1], line: row[2] ?? 0, types: list(row[3]), branches: list(row[4]), branchesIgnore: list(row[5]),
                tags: list(row[6]), tagsIgnore: list(row[7]), paths: list(row[8]), inputs: (row[9] as String?).flatMap(JSONValue.parse))
            trigger.workflows = list(row[10])
            triggers[row[0], default: []].append(trigger)
        }
        var logins: [DocumentJobKey: [String?]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT doc, job_key, json_extract(with_json, '$.service_account_id') AS account FROM wf_steps
            WHERE doc IN (SELECT doc FROM scan_workflow_files WHERE scan_id = ? \(onlyFiles))
              AND lower(uses_owner) = 'octopusdeploy' AND lower(uses_repo) = 'login'
            ORDER BY doc, job_key, step_index
            """, arguments: fileArguments) {
            logins[DocumentJobKey(doc: row[0], job: row[1]), default: []].append(row[2])
        }
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT r.full_name, f.path, d.name, j.doc, j.job_key, j.ordinal, j.line, j.environment, j.environment_is_expression,
                   j.uses, j.uses_line, j.with_json, j.environment_line, j.matrix_json
            FROM scan_workflow_files f
            JOIN scan_repositories r ON r.id = f.repository_id
            JOIN wf_documents d ON d.doc = f.doc
            JOIN wf_jobs j ON j.doc = f.doc
            WHERE f.scan_id = ? \(workflowTable.map { "AND r.full_name IN (SELECT name FROM \($0))" } ?? "")
            ORDER BY r.full_name, f.path, j.ordinal
            """, arguments: [scanID])
        while let row = try cursor.next() {
            let repository: String = row[0]
            let path: String = row[1]
            let doc: Int64 = row[3]
            let jobKey: String = row[4]
            let key = WorkflowKey(repository: RepositoryKey(repository), path: path)
            if facts.workflows[key] == nil {
                facts.workflows[key] = TrustGraphFacts.Workflow(repository: repository, path: path, name: row[2],
                                                                triggers: triggers[doc] ?? [], jobs: [])
                facts.workflowOrder.append(key)
            }
            var with: [String: String] = [:]
            if let json: String = row[11], case .object(let object)? = JSONValue.parse(json) {
                with = object.compactMapValues(\.stringValue)
            }
            let fact = JobFact(key: jobKey, ordinal: row[5], line: row[6] ?? 0, environment: row[7], environmentIsExpression: row[8],
                               environmentLine: row[12], uses: row[9], usesLine: row[10], with: with,
                               matrix: (row[13] as String?).flatMap(JSONValue.parse))
            let jobKeyed = DocumentJobKey(doc: doc, job: jobKey)
            facts.workflows[key]?.jobs.append(TrustGraphFacts.Job(fact: fact, idToken: tokens[WorkflowJobKey(workflow: key, job: jobKey)] ?? .none,
                                                                  logins: logins[jobKeyed] ?? []))
        }
    }

    static func claim(_ row: Row) -> GitHubOidcSubjectClaim {
        GitHubOidcSubjectClaim(
            useDefault: row["subject_use_default"],
            includeClaimKeys: list(row["subject_claim_keys_json"]),
            useImmutableSubject: row.hasColumn("subject_use_immutable") ? row["subject_use_immutable"] : nil,
            subClaimPrefix: row.hasColumn("subject_prefix") ? row["subject_prefix"] : nil)
    }

    static func list(_ json: String?) -> [String]? {
        guard let json, case .array(let items)? = JSONValue.parse(json) else { return nil }
        return items.compactMap(\.stringValue)
    }
}

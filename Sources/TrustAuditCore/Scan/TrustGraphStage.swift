import Foundation
import GRDB

/// Derives the scan's trust graph: which job can present which subject (`derived_subjects`) and
/// which Octopus identity accepts it (`trust_edges`), with the environment gate in between.
///
/// Jobs are taken from the stored facts, not from the parser, so an unchanged file that was not
/// parsed again in this scan is still in the graph. A job that calls a reusable workflow stands
/// for the called workflow's jobs: it presents the caller's repository and refs with the called
/// job's environment; when the called workflow is not in the scan, its environment is unknown
/// and so a pattern.
public struct TrustGraphStage: ScanStage {
    public let name = "derive"
    /// Bump when derivation rules change, so stored snapshots are not reused across the change.
    public let signature = "trust-graph-v1"

    public init() {}

    public func run(_ db: Database, scanID: Int64) throws {
        var clock = PhaseClock()
        defer {
            if Profiling.enabled {
                for (phase, seconds) in clock.phases { Profiling.report("derive \(phase)", seconds: seconds) }
            }
        }
        let loaded = try clock.measure("load") { try TrustGraphInputs.load(db, scanID: scanID) }
        let environmentStatement = try db.cachedStatement(sql: """
            INSERT INTO derived_job_environments (scan_id, repository, file, job, line, written, environment, dynamic, via, minting, logs_in)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for item in loaded.environments {
            try environmentStatement.execute(arguments: [scanID, item.repository, item.file, item.job, item.line, item.written,
                                                         item.environment, item.dynamic, item.via, item.minting, item.logsIn])
        }
        let result = clock.measure("match") { TrustGraphBuilder.build(jobs: loaded.jobs, identities: loaded.identities) }
        try clock.measure("write") { try Self.write(result, jobs: loaded.jobs, inputs: loaded, scanID: scanID, db: db) }
    }

    /// Subjects as rows of their own, edges as references to them and to identities: the graph
    /// is mostly edges, so an edge must stay a few bytes (see migration 0005).
    private static func write(_ result: [[SubjectTrust]], jobs: [MintingJob], inputs: TrustGraphInputs, scanID: Int64, db: Database) throws {
        let subjectStatement = try db.cachedStatement(sql: """
            INSERT INTO derived_subjects (scan_id, repository, file, job, trigger, subject, is_pattern, environment, id_token, reason,
                note, gate, called_file, called_job)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var edges = EdgeWriter(db: db, scanID: scanID)
        var gates: [String: String] = [:]
        for (job, subjects) in zip(jobs, result) {
            let note = TrustGraphBuilder.note(for: job)
            let repositoryKey = job.repository.lowercased()
            for trust in subjects {
                let environment = trust.subject.environment
                let gateKey = "\(repositoryKey)\u{1F}\(environment ?? "")\u{1F}\(environment == nil)"
                let gate: String
                if let known = gates[gateKey] {
                    gate = known
                } else {
                    gate = EnvironmentGate.describe(
                        environment: environment, collected: inputs.environmentsCollected.contains(repositoryKey),
                        gate: environment.flatMap { inputs.gates["\(repositoryKey)\u{1F}\($0.lowercased())"] })
                    gates[gateKey] = gate
                }
                let arguments: [(any DatabaseValueConvertible)?] = [
                    scanID, job.repository, job.file, job.job.key, trust.subject.trigger, trust.subject.value,
                    trust.subject.isPattern, environment, job.idToken, trust.subject.reason, note, gate, job.calledFile, job.calledJob,
                ]
                try subjectStatement.execute(arguments: StatementArguments(arguments))
                let subjectID = db.lastInsertedRowID
                for match in trust.matches {
                    try edges.append(subjectID: subjectID, identityRef: inputs.identities[match.identity].rowID,
                                     match: match.match, inUse: match.inUse)
                }
            }
        }
        try edges.flush()
    }
}

/// Inserts trust edges a few hundred rows per statement: one statement per edge costs more
/// than the edge.
private struct EdgeWriter {
    static let rowsPerStatement = 200
    let db: Database
    let scanID: Int64
    private var values: [Int64] = []

    init(db: Database, scanID: Int64) {
        self.db = db
        self.scanID = scanID
        values.reserveCapacity(Self.rowsPerStatement * 4)
    }

    mutating func append(subjectID: Int64, identityRef: Int64, match: OctopusOidcIdentity.SubjectMatch, inUse: Bool) throws {
        let kind: Int64 = switch match {
        case .exact: 0
        case .pattern: 1
        case .overlap: 2
        }
        values += [subjectID, identityRef, kind, inUse ? 1 : 0]
        if values.count == Self.rowsPerStatement * 4 { try flush() }
    }

    mutating func flush() throws {
        guard !values.isEmpty else { return }
        let rows = values.count / 4
        let statement = try db.cachedStatement(sql: "INSERT INTO trust_edges (scan_id, subject_id, identity_ref, match_kind, in_use) VALUES "
            + Array(repeating: "(\(scanID), ?, ?, ?, ?)", count: rows).joined(separator: ", "))
        try statement.execute(arguments: StatementArguments(values))
        values.removeAll(keepingCapacity: true)
    }
}

/// What the trust graph is derived from, read from one scan's stored facts.
struct TrustGraphInputs {
    /// One environment a job runs in, for `derived_job_environments`.
    struct JobEnvironment {
        var repository: String
        var file: String
        var job: String
        var line: Int?
        var written: String
        var environment: String?
        var dynamic: Bool
        var via: String?
        var minting: Bool
        var logsIn: Bool
    }

    var jobs: [MintingJob] = []
    var environments: [JobEnvironment] = []
    var identities: [IdentityTarget] = []
    /// `repository (lowercased) \u{1F} environment` → its protection.
    var gates: [String: EnvironmentGate] = [:]
    var environmentsCollected: Set<String> = []

    static func load(_ db: Database, scanID: Int64) throws -> TrustGraphInputs {
        var inputs = TrustGraphInputs()
        try inputs.loadIdentities(db, scanID: scanID)
        try inputs.loadGates(db, scanID: scanID)
        try inputs.loadJobs(db, scanID: scanID)
        return inputs
    }

    private mutating func loadIdentities(_ db: Database, scanID: Int64) throws {
        identities = try Row.fetchAll(db, sql: """
            SELECT i.id, i.server, i.account_id, a.external_id, i.identity_id, i.issuer, i.subject
            FROM oct_identities i
            LEFT JOIN oct_service_accounts a ON a.scan_id = i.scan_id AND a.server = i.server AND a.account_id = i.account_id
            WHERE i.scan_id = ?
            """, arguments: [scanID]).map { row in
            let subject: String = row["subject"]
            return IdentityTarget(rowID: row["id"], server: row["server"], accountID: row["account_id"], externalID: row["external_id"],
                                  identityID: row["identity_id"], issuer: row["issuer"], subject: subject,
                                  pattern: SubjectPattern(subject))
        }
    }

    private mutating func loadGates(_ db: Database, scanID: Int64) throws {
        environmentsCollected = Set(try String.fetchAll(db, sql: """
            SELECT lower(repository) FROM gh_repositories WHERE scan_id = ? AND environments_collected
            """, arguments: [scanID]))
        var policies: [String: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT repository, environment, name, type FROM gh_environment_branch_policies WHERE scan_id = ?",
                                    arguments: [scanID]) {
            // GitHub environment names are case-insensitive: `production` in a workflow is the
            // `Production` environment of the settings.
            let key = "\((row["repository"] as String).lowercased())\u{1F}\((row["environment"] as String).lowercased())"
            policies[key, default: []].append((row["type"] as String) == "tag" ? "tag \(row["name"] as String)" : row["name"])
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM gh_environments WHERE scan_id = ?", arguments: [scanID]) {
            let repository: String = row["repository"]
            let name: String = row["name"]
            let key = "\(repository.lowercased())\u{1F}\(name.lowercased())"
            var reviewers: [String]?
            if let json: String = row["reviewers_json"], case .array(let list)? = JSONValue.parse(json) {
                reviewers = list.map { item in
                    guard case .object(let fields) = item else { return "?" }
                    let type = fields["type"]?.stringValue ?? ""
                    return (type == "Team" ? "team " : "") + (fields["name"]?.stringValue ?? "?")
                }
            }
            var others: [String] = []
            if let json: String = row["other_rules_json"], case .array(let list)? = JSONValue.parse(json) {
                others = list.compactMap(\.stringValue)
            }
            gates[key] = EnvironmentGate(
                repository: repository, name: name, reviewerNames: reviewers, preventSelfReview: row["prevent_self_review"],
                waitTimer: row["wait_timer"], branchPolicy: row["branch_policy"], branchPolicyNames: policies[key] ?? [],
                canAdminsBypass: row["can_admins_bypass"], otherRules: others)
        }
    }

    private struct JobRow {
        var repository: String
        var file: String
        var doc: Int64
        var workflowName: String?
        var fact: JobFact
        var idToken: String
        var withValues: [String]
        var withMap: [String: String]
        var environmentLine: Int?
        var logsIn: Bool
    }

    private mutating func loadJobs(_ db: Database, scanID: Int64) throws {
        var tokens: [String: String] = [:]
        let tokenCursor = try Row.fetchCursor(db, sql: "SELECT repository, file, job, id_token FROM job_tokens")
        while let row = try tokenCursor.next() {
            let key = "\(row[0] as String)\u{1F}\(row[1] as String)\u{1F}\(row[2] as String)"
            if tokens[key] == nil { tokens[key] = row[3] }
        }
        var triggers: [Int64: [TriggerFact]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT * FROM wf_triggers WHERE doc IN (SELECT doc FROM scan_workflow_files WHERE scan_id = ?)
            """, arguments: [scanID]) {
            triggers[row["doc"], default: []].append(TriggerFact(
                event: row["event"], line: row["line"] ?? 0, types: Self.list(row["types_json"]),
                branches: Self.list(row["branches_json"]), branchesIgnore: Self.list(row["branches_ignore_json"]),
                tags: Self.list(row["tags_json"]), tagsIgnore: Self.list(row["tags_ignore_json"]), paths: Self.list(row["paths_json"])))
        }
        var logins: [String: Set<String>] = [:]
        var loginJobs = Set<String>()
        for row in try Row.fetchAll(db, sql: """
            SELECT doc, job_key, json_extract(with_json, '$.service_account_id') AS account FROM wf_steps
            WHERE doc IN (SELECT doc FROM scan_workflow_files WHERE scan_id = ?)
              AND lower(uses_owner) = 'octopusdeploy' AND lower(uses_repo) = 'login'
            """, arguments: [scanID]) {
            let key = "\(row[0] as Int64)\u{1F}\(row[1] as String)"
            loginJobs.insert(key)
            if let account: String = row[2] {
                logins[key, default: []].insert(account.trimmingWhitespace().lowercased())
            }
        }
        var settings: [String: Row] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM gh_repositories WHERE scan_id = ?", arguments: [scanID]) {
            settings[(row["repository"] as String).lowercased()] = row
        }
        var organizations: [String: Row] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM gh_organizations WHERE scan_id = ?", arguments: [scanID]) {
            organizations[(row["organization"] as String).lowercased()] = row
        }
        var defaultBranches: [String: String] = [:]
        var visibilities: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT full_name, default_branch, visibility FROM scan_repositories WHERE scan_id = ?", arguments: [scanID]) {
            let key = (row["full_name"] as String).lowercased()
            defaultBranches[key] = row["default_branch"]
            visibilities[key] = row["visibility"]
        }
        var rows: [JobRow] = []
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT r.full_name, f.path, d.name, j.doc, j.job_key, j.ordinal, j.line, j.environment, j.environment_is_expression,
                   j.uses, j.uses_line, j.with_json, j.environment_line
            FROM scan_workflow_files f
            JOIN scan_repositories r ON r.id = f.repository_id
            JOIN wf_documents d ON d.doc = f.doc
            JOIN wf_jobs j ON j.doc = f.doc
            WHERE f.scan_id = ?
            ORDER BY r.full_name, f.path, j.ordinal
            """, arguments: [scanID])
        while let row = try cursor.next() {
            let repository: String = row[0]
            let file: String = row[1]
            let doc: Int64 = row[3]
            let key: String = row[4]
            var withMap: [String: String] = [:]
            if let json: String = row[11], case .object(let object)? = JSONValue.parse(json) {
                withMap = object.compactMapValues(\.stringValue)
            }
            rows.append(JobRow(
                repository: repository, file: file, doc: doc, workflowName: row[2],
                fact: JobFact(key: key, ordinal: row[5], line: row[6] ?? 0, environment: row[7],
                              environmentIsExpression: row[8], uses: row[9], usesLine: row[10]),
                idToken: tokens["\(repository)\u{1F}\(file)\u{1F}\(key)"] ?? "none", withValues: Array(withMap.values),
                withMap: withMap, environmentLine: row[12], logsIn: loginJobs.contains("\(doc)\u{1F}\(key)")))
        }
        let byFile = Dictionary(grouping: rows) { "\($0.repository.lowercased())\u{1F}\($0.file)" }

        func context(for row: JobRow) -> SubjectDerivationContext {
            let parts = row.repository.split(separator: "/", maxSplits: 1).map(String.init)
            let owner = parts.first ?? row.repository
            let name = parts.count > 1 ? parts[1] : row.repository
            let key = row.repository.lowercased()
            let repo = settings[key]
            let org = organizations[owner.lowercased()]
            let template = SubjectClaimTemplate.effective(
                repository: repo.map(Self.claim), organization: org.map(Self.claim),
                ownerId: repo?["owner_id"], repositoryId: repo?["repository_id"])
            return SubjectDerivationContext(
                owner: owner, name: name, defaultBranch: defaultBranches[key] ?? repo?["default_branch"], template: template,
                workflowPath: row.file, workflowName: row.workflowName, visibility: visibilities[key] ?? repo?["visibility"],
                ownerId: repo?["owner_id"], repositoryId: repo?["repository_id"])
        }

        environments = Self.environments(rows: rows, byFile: byFile, triggers: triggers)
        for row in rows where row.idToken == "write" || row.idToken == "unknown" {
            let callerTriggers = triggers[row.doc] ?? []
            let ownLogins = logins["\(row.doc)\u{1F}\(row.fact.key)"] ?? []
            guard let uses = row.fact.uses else {
                jobs.append(MintingJob(repository: row.repository, file: row.file, job: row.fact, idToken: row.idToken,
                                       triggers: callerTriggers, context: context(for: row), namedAccounts: ownLogins, note: nil))
                continue
            }
            let named = Set(row.withValues.map { $0.trimmingWhitespace().lowercased() })
            if let target = Self.calledWorkflow(uses, caller: row.repository), let called = byFile[target.key] {
                for calledJob in called where calledJob.idToken != "none" {
                    var fact = calledJob.fact
                    fact.key = row.fact.key
                    fact.uses = uses
                    fact.line = row.fact.line
                    let calledLogins = logins["\(calledJob.doc)\u{1F}\(calledJob.fact.key)"] ?? []
                    jobs.append(MintingJob(
                        repository: row.repository, file: row.file, job: fact, idToken: row.idToken, triggers: callerTriggers,
                        context: context(for: row), namedAccounts: named.union(calledLogins),
                        note: "through reusable workflow \(target.display), job \(calledJob.fact.key)",
                        calledFile: target.display, calledJob: calledJob.fact.key))
                }
            } else {
                var fact = row.fact
                fact.environment = "${{ environment of \(uses) }}"
                fact.environmentIsExpression = true
                jobs.append(MintingJob(
                    repository: row.repository, file: row.file, job: fact, idToken: row.idToken, triggers: callerTriggers,
                    context: context(for: row), namedAccounts: named,
                    note: "through reusable workflow \(uses), not in this scan, so its environment is unknown"))
            }
        }
    }

    /// Every (job, environment) gating a token-minting job or a login; see `derived_job_environments`.
    private static func environments(rows: [JobRow], byFile: [String: [JobRow]], triggers: [Int64: [TriggerFact]]) -> [JobEnvironment] {
        var result: [JobEnvironment] = []
        for row in rows {
            let minting = row.idToken == "write" || row.idToken == "unknown"
            if let uses = row.fact.uses {
                guard minting, let target = calledWorkflow(uses, caller: row.repository), let called = byFile[target.key] else { continue }
                for calledJob in called where calledJob.idToken != "none" {
                    guard let written = calledJob.fact.environment?.trimmingWhitespace(), !written.isEmpty else { continue }
                    var shown = written
                    var name: String? = calledJob.fact.environmentIsExpression || written.contains("${{") ? nil : written
                    var dynamic = name == nil
                    if let input = inputName(written), let passed = row.withMap[input]?.trimmingWhitespace() {
                        if passed.contains("${{") {
                            shown = passed
                        } else if !passed.isEmpty {
                            name = passed
                            dynamic = false
                        }
                    }
                    result.append(JobEnvironment(
                        repository: row.repository, file: row.file, job: row.fact.key, line: row.fact.usesLine ?? row.fact.line,
                        written: shown, environment: name, dynamic: dynamic, via: "\(uses) (job \(calledJob.fact.key))",
                        minting: true, logsIn: calledJob.logsIn))
                }
                continue
            }
            guard let written = row.fact.environment?.trimmingWhitespace(), !written.isEmpty,
                  (triggers[row.doc] ?? []).contains(where: { $0.event != "workflow_call" }) else { continue }
            let dynamic = row.fact.environmentIsExpression || written.contains("${{")
            result.append(JobEnvironment(
                repository: row.repository, file: row.file, job: row.fact.key, line: row.environmentLine ?? row.fact.line,
                written: written, environment: dynamic ? nil : written, dynamic: dynamic, via: nil,
                minting: minting, logsIn: row.logsIn))
        }
        return result
    }

    /// `NAME` of an environment written exactly as `${{ inputs.NAME }}`.
    static func inputName(_ written: String) -> String? {
        guard written.hasPrefix("${{"), written.hasSuffix("}}") else { return nil }
        let inner = written.dropFirst(3).dropLast(2).trimmingWhitespace()
        guard inner.hasPrefix("inputs."), inner.count > 7 else { return nil }
        let name = String(inner.dropFirst(7))
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } ? name : nil
    }

    /// The scanned file a job-level `uses:` calls: `./path` in the caller's repository, or
    /// `owner/repo/path@ref` (the scanned content stands for any ref).
    static func calledWorkflow(_ uses: String, caller: String) -> (key: String, display: String)? {
        let reference = ActionReferenceParser.parse(uses)
        switch reference.kind {
        case .local:
            guard var path = reference.path else { return nil }
            if path.hasPrefix("./") { path.removeFirst(2) }
            return ("\(caller.lowercased())\u{1F}\(path)", path)
        case .docker, .none:
            return nil
        default:
            guard let owner = reference.owner, let repo = reference.repo, let path = reference.path else { return nil }
            return ("\(owner.lowercased())/\(repo.lowercased())\u{1F}\(path)", "\(owner)/\(repo)/\(path)")
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

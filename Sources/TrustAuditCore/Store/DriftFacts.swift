import GRDB

/// The facts of one snapshot that drift compares between scans: which repositories, Octopus
/// instances and environment settings it covered, its findings, and the permissions, tokens, pins,
/// environments, identities, trust paths and reach that `DriftReport` reports changes of, each
/// under a key that names the same fact in any scan.
struct DriftFacts {
    /// Identifies one fact across scans.
    struct Key: Hashable, Comparable {
        var repository: String?
        var file: String?
        var server: String?
        var subject: String

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.repository ?? "", lhs.file ?? "", lhs.server ?? "", lhs.subject) < (rhs.repository ?? "", rhs.file ?? "", rhs.server ?? "", rhs.subject)
        }
    }

    var repositories: Set<String> = []
    var servers: Set<String> = []
    var environmentsCollected: Set<String> = []
    var findings: [Finding] = []
    var permissions: [Key: String] = [:]
    var idTokens: [Key: String] = [:]
    var pins: [Key: String] = [:]
    var reviewers: [Key: String] = [:]
    var branchPolicies: [Key: String] = [:]
    var identities: [Key: String] = [:]
    var edges: [Key: String] = [:]
    /// Per service account, the lowest level at which someone can obtain its token.
    var reach: [Key: String] = [:]

    /// Reads the facts of `scan`'s snapshot and its findings, through the documented views.
    static func load(database: AuditDatabase, scan: ScanSummary) throws -> DriftFacts {
        return try database.checkedRead(snapshot: scan.dataScanID) { db in
            var facts = DriftFacts()
            let data = scan.dataScanID
            facts.repositories = Set(try String.fetchAll(db, sql: "SELECT lower(full_name) FROM scan_repositories WHERE scan_id = ?", arguments: [data]))
            facts.servers = Set(try String.fetchAll(db, sql: "SELECT server FROM oct_instances WHERE scan_id = ?", arguments: [data]))
            facts.environmentsCollected = Set(try String.fetchAll(db, sql: """
                SELECT lower(repository) FROM gh_repositories WHERE scan_id = ? AND environments_collected
                """, arguments: [data]))
            facts.findings = try FindingStore.load(scanID: scan.findingsScanID, db: db)
            for row in try Row.fetchAll(db, sql: "SELECT repository, file, job, scope, access FROM declared_permissions") {
                let job: String? = row["job"]
                let place = job.map { "jobs.\($0).permissions" } ?? "permissions"
                facts.permissions[Key(repository: row["repository"], file: row["file"], subject: "\(place).\(row["scope"] as String)")] = row["access"]
            }
            for row in try Row.fetchAll(db, sql: "SELECT repository, file, job, id_token FROM job_tokens") {
                facts.idTokens[Key(repository: row["repository"], file: row["file"], subject: "jobs.\(row["job"] as String)")] = row["id_token"]
            }
            for row in try Row.fetchAll(db, sql: "SELECT repository, file, job, lower(action) AS action, ref_kind, uses FROM steps WHERE action IS NOT NULL") {
                let key = Key(repository: row["repository"], file: row["file"], subject: "jobs.\(row["job"] as String) uses \(row["action"] as String)")
                if facts.pins[key] == nil { facts.pins[key] = row["ref_kind"] }
            }
            for row in try Row.fetchAll(db, sql: "SELECT repository, environment, reviewer_count, branch_policy FROM environments") {
                let key = Key(repository: row["repository"], subject: "environment \(row["environment"] as String)")
                facts.reviewers[key] = String(row["reviewer_count"] as Int)
                facts.branchPolicies[key] = row["branch_policy"] ?? "all"
            }
            for row in try Row.fetchAll(db, sql: "SELECT server, identity_id, issuer, subject, audience FROM oidc_identities") {
                let key = Key(server: row["server"], subject: "identity \(row["identity_id"] as String)")
                facts.identities[key] = "issuer \(row["issuer"] as String), subject \(row["subject"] as String), audience \((row["audience"] as String?) ?? "(ExternalId)")"
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT DISTINCT repository, file, job, server, account_id, external_id, identity_id, status FROM trust_graph
                """) {
                let key = Key(repository: row["repository"], file: row["file"], server: row["server"],
                                  subject: "jobs.\(row["job"] as String) → \(row["account_id"] as String) (\((row["external_id"] as String?) ?? "?")) via \(row["identity_id"] as String)")
                let status: String = row["status"]
                if facts.edges[key] != "in use" { facts.edges[key] = status }
            }
            for row in try Row.fetchAll(db, sql: "SELECT server, account_id, service_account, reachable_by FROM service_account_reach") {
                let account: String = row["account_id"]
                let name = (row["service_account"] as String?).map { "\($0) (\(account))" } ?? account
                facts.reach[Key(server: row["server"], subject: "service account \(name)")] = row["reachable_by"]
            }
            return facts
        }
    }
}

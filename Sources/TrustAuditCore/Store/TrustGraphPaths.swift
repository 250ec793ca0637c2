import GRDB

/// A snapshot's trust graph read per Octopus service account: the account with its reach, the
/// OIDC identities it has, and each derived job subject an identity accepts. Which accounts a
/// report shows is `TrustGraphReport`'s choice.
public enum TrustGraphPaths {
    /// One service account and every path to its token.
    public struct Account: Sendable {
        public var server: String
        public var accountID: String
        public var externalID: String?
        public var username: String?
        public var identities: [(id: String, name: String?, subject: String)]
        public var paths: [Path]
        /// The least privilege that obtains the account's token, and why; nil when no GitHub
        /// identity or path reaches it.
        public var reachableBy: ReachLevel?
        public var reachableReason: String?
    }

    /// One caller on a path's call chain.
    public struct Hop: Sendable, Equatable {
        public var repository: String
        public var file: String
        public var job: String
    }

    /// One job, trigger and subject that an identity of the account accepts.
    public struct Path: Sendable {
        public var repository: String
        public var file: String
        public var job: String
        public var trigger: String
        public var subject: String
        public var identityID: String
        public var identitySubject: String?
        public var match: String
        public var status: String
        public var environment: String?
        public var gate: String
        public var reason: String?
        public var reachableBy: ReachLevel?
        public var reachableReason: String?
        /// Callers on the way to the job, outermost first; empty for the workflow's own job.
        public var via: [Hop]
        public var calledFile: String?
        public var calledJob: String?
    }

    /// The snapshot's service accounts with their reach, ordered by server, username and id;
    /// identities and paths are left empty for `identities` and `paths` to fill.
    static func accounts(_ db: Database, scanID: Int64) throws -> [Account] {
        try Row.fetchAll(db, sql: """
            SELECT a.server, a.account_id, a.external_id, a.username, r.reachable_by, r.reason AS reachable_reason
            FROM oct_service_accounts a
            LEFT JOIN derived_account_reach r ON r.scan_id = a.scan_id AND r.server = a.server AND r.account_id = a.account_id
            WHERE a.scan_id = ?
            ORDER BY a.server, a.username, a.account_id
            """, arguments: [scanID]).map { row in
            Account(server: row["server"], accountID: row["account_id"], externalID: row["external_id"], username: row["username"],
                    identities: [], paths: [], reachableBy: (row["reachable_by"] as String?).flatMap(ReachLevel.init(word:)),
                    reachableReason: row["reachable_reason"])
        }
    }

    /// The account's OIDC identities, by id.
    static func identities(_ db: Database, scanID: Int64, server: String, accountID: String) throws
        -> [(id: String, name: String?, subject: String)] {
        try Row.fetchAll(db, sql: """
            SELECT identity_id, name, subject FROM oct_identities WHERE scan_id = ? AND server = ? AND account_id = ? ORDER BY identity_id
            """, arguments: [scanID, server, accountID]).map { (id: $0["identity_id"] as String, name: $0["name"] as String?, subject: $0["subject"] as String) }
    }

    /// The paths to the account's token, those in use first; only `repository`'s (case-insensitive) when given.
    static func paths(_ db: Database, scanID: Int64, server: String, accountID: String, repository: String?) throws -> [Path] {
        var sql = """
            SELECT s.repository, s.file, s.job, s.trigger, s.subject, i.identity_id, i.subject AS identity_subject,
                   CASE e.match_kind WHEN 0 THEN 'exact' WHEN 1 THEN 'pattern' ELSE 'overlap' END AS match_kind,
                   CASE WHEN e.in_use THEN 'in use' ELSE 'possible' END AS status,
                   s.environment, s.gate, COALESCE(s.reason, '') || COALESCE('; ' || s.note, '') AS reason,
                   s.reachable_by, s.reachable_reason, s.via_json, s.called_file, s.called_job
            FROM oct_identities i
            JOIN trust_edges e ON e.identity_key = i.key_id
            JOIN derived_subjects s ON s.scan_id = i.scan_id AND s.edges_subject = e.subject_id
            WHERE i.scan_id = ? AND i.server = ? AND i.account_id = ?
            """
        var arguments: StatementArguments = [scanID, server, accountID]
        if let repository {
            sql += " AND lower(s.repository) = lower(?)"
            arguments += [repository]
        }
        sql += " ORDER BY e.in_use DESC, s.repository, s.file, s.job, s.trigger, s.subject"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { edge in
            Path(repository: edge["repository"], file: edge["file"], job: edge["job"], trigger: edge["trigger"],
                 subject: edge["subject"], identityID: edge["identity_id"], identitySubject: edge["identity_subject"],
                 match: edge["match_kind"], status: edge["status"], environment: edge["environment"],
                 gate: edge["gate"], reason: edge["reason"],
                 reachableBy: (edge["reachable_by"] as String?).flatMap(ReachLevel.init(word:)), reachableReason: edge["reachable_reason"],
                 via: hops(edge["via_json"]), calledFile: edge["called_file"], calledJob: edge["called_job"])
        }
    }

    private static func hops(_ json: String?) -> [Hop] {
        guard let json, case .array(let items)? = JSONValue.parse(json) else { return [] }
        return items.compactMap { item in
            guard case .object(let fields) = item, let repository = fields["repository"]?.stringValue,
                  let file = fields["file"]?.stringValue, let job = fields["job"]?.stringValue else { return nil }
            return Hop(repository: repository, file: file, job: job)
        }
    }
}

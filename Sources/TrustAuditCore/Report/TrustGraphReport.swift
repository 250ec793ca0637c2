import GRDB

/// "Who can obtain a token for which Octopus service account, from where, through which gate":
/// the trust graph of one scan, grouped by service account.
public struct TrustGraphReport: Sendable {
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

    public var scan: ScanSummary
    public var accounts: [Account]

    /// The accounts, those the fewest people stand in front of first (`anyone`, then `read`, …);
    /// an account without a derived level sorts last, never as safe. Ties keep their order.
    public var accountsByReach: [Account] {
        accounts.enumerated().sorted { a, b in
            let left = a.element.reachableBy?.rawValue ?? ReachLevel.allCases.count
            let right = b.element.reachableBy?.rawValue ?? ReachLevel.allCases.count
            return (left, a.offset) < (right, b.offset)
        }.map(\.element)
    }

    /// Loads the graph; `serviceAccount` matches an ExternalId, a `Users-N` id or a username,
    /// `repository` a repository's full name (both case-insensitive).
    /// `reachableBy` keeps only accounts whose level is at or below it (worse or equal).
    public static func load(db: Database, scan: ScanSummary, serviceAccount: String?, repository: String?,
                            reachableBy: ReachLevel? = nil) throws -> TrustGraphReport {
        var accounts: [Account] = []
        let accountRows = try Row.fetchAll(db, sql: """
            SELECT a.server, a.account_id, a.external_id, a.username, r.reachable_by, r.reason AS reachable_reason
            FROM oct_service_accounts a
            LEFT JOIN derived_account_reach r ON r.scan_id = a.scan_id AND r.server = a.server AND r.account_id = a.account_id
            WHERE a.scan_id = ?
            ORDER BY a.server, a.username, a.account_id
            """, arguments: [scan.dataScanID])
        for row in accountRows {
            let server: String = row["server"]
            let accountID: String = row["account_id"]
            let externalID: String? = row["external_id"]
            let username: String? = row["username"]
            if let wanted = serviceAccount?.lowercased(),
               ![accountID.lowercased(), externalID?.lowercased(), username?.lowercased()].contains(wanted) {
                continue
            }
            let level = (row["reachable_by"] as String?).flatMap(ReachLevel.init(word:))
            if let reachableBy, !(level.map { $0 <= reachableBy } ?? false) { continue }
            let identities = try Row.fetchAll(db, sql: """
                SELECT identity_id, name, subject FROM oct_identities WHERE scan_id = ? AND server = ? AND account_id = ? ORDER BY identity_id
                """, arguments: [scan.dataScanID, server, accountID]).map { (id: $0["identity_id"] as String, name: $0["name"] as String?, subject: $0["subject"] as String) }
            var sql = """
                SELECT s.repository, s.file, s.job, s.trigger, s.subject, i.identity_id, i.subject AS identity_subject,
                       CASE e.match_kind WHEN 0 THEN 'exact' WHEN 1 THEN 'pattern' ELSE 'overlap' END AS match_kind,
                       CASE WHEN e.in_use THEN 'in use' ELSE 'possible' END AS status,
                       s.environment, s.gate, COALESCE(s.reason, '') || COALESCE('; ' || s.note, '') AS reason,
                       s.reachable_by, s.reachable_reason, s.via_json, s.called_file, s.called_job
                FROM oct_identities i
                JOIN trust_edges e ON e.scan_id = i.scan_id AND e.identity_ref = i.id
                JOIN derived_subjects s ON s.id = e.subject_id
                WHERE i.scan_id = ? AND i.server = ? AND i.account_id = ?
                """
            var arguments: StatementArguments = [scan.dataScanID, server, accountID]
            if let repository {
                sql += " AND lower(s.repository) = lower(?)"
                arguments += [repository]
            }
            sql += " ORDER BY e.in_use DESC, s.repository, s.file, s.job, s.trigger, s.subject"
            let paths = try Row.fetchAll(db, sql: sql, arguments: arguments).map { edge in
                Path(repository: edge["repository"], file: edge["file"], job: edge["job"], trigger: edge["trigger"],
                     subject: edge["subject"], identityID: edge["identity_id"], identitySubject: edge["identity_subject"],
                     match: edge["match_kind"], status: edge["status"], environment: edge["environment"],
                     gate: edge["gate"], reason: edge["reason"],
                     reachableBy: (edge["reachable_by"] as String?).flatMap(ReachLevel.init(word:)), reachableReason: edge["reachable_reason"],
                     via: hops(edge["via_json"]), calledFile: edge["called_file"], calledJob: edge["called_job"])
            }
            if repository != nil && paths.isEmpty { continue }
            accounts.append(Account(server: server, accountID: accountID, externalID: externalID, username: username,
                                    identities: identities, paths: paths, reachableBy: level, reachableReason: row["reachable_reason"]))
        }
        return TrustGraphReport(scan: scan, accounts: accounts)
    }

    private static func hops(_ json: String?) -> [Hop] {
        guard let json, case .array(let items)? = JSONValue.parse(json) else { return [] }
        return items.compactMap { item in
            guard case .object(let fields) = item, let repository = fields["repository"]?.stringValue,
                  let file = fields["file"]?.stringValue, let job = fields["job"]?.stringValue else { return nil }
            return Hop(repository: repository, file: file, job: job)
        }
    }

    /// `acme/infra/.github/workflows/release.yml job staging → .github/workflows/apply.yml job apply`.
    private static func chain(_ path: Path) -> String? {
        guard !path.via.isEmpty else { return nil }
        var parts = path.via.map { "\($0.repository)/\($0.file) job \($0.job)" }
        if let file = path.calledFile { parts.append("\(file)" + (path.calledJob.map { " job \($0)" } ?? "")) }
        return parts.joined(separator: " → ")
    }

    public func renderText() -> String {
        if accounts.isEmpty { return "No Octopus service accounts in scan \(scan.id) match (was an Octopus export given with --octopus?).\n" }
        var out = ""
        for account in accounts {
            let name = TextReport.sanitize(account.username ?? account.accountID)
            out += "\(name) (\(account.externalID ?? "no ExternalId"), \(account.accountID)) on \(TextReport.sanitize(account.server))\n"
            if let level = account.reachableBy {
                out += "  reachable by: \(level.word) (\(TextReport.sanitize(account.reachableReason ?? "")))\n"
            }
            for identity in account.identities {
                out += "  identity \(TextReport.sanitize(identity.name ?? identity.id)): \(TextReport.sanitize(identity.subject))\n"
            }
            if account.paths.isEmpty {
                out += "  no scanned job can obtain its token\n\n"
                continue
            }
            out += "  can be obtained by:\n"
            for path in account.paths {
                let level = path.reachableBy.map { ", reachable by \($0.word)" } ?? ""
                out += "    \(TextReport.sanitize(path.repository))/\(TextReport.sanitize(path.file)) job \(TextReport.sanitize(path.job)) on \(path.trigger) [\(path.status)\(level)]\n"
                if let chain = Self.chain(path) { out += "      via \(TextReport.sanitize(chain))\n" }
                out += "      subject \(TextReport.sanitize(path.subject)) (\(path.match) match)\n"
                out += "      gate: \(TextReport.sanitize(path.gate))\n"
                if let reason = path.reachableReason { out += "      reachable by \(path.reachableBy?.word ?? "?"): \(TextReport.sanitize(reason))\n" }
            }
            out += "\n"
        }
        return out
    }

    public func renderJSON() -> String {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let document = JSONValue.object([
            "scan": .object(["id": .number(Double(scan.id)), "started_at": .string(scan.startedAt),
                             "finished_at": text(scan.finishedAt), "label": text(scan.label)]),
            "service_accounts": .array(accounts.map { account in
                .object([
                    "server": .string(account.server), "id": .string(account.accountID),
                    "external_id": text(account.externalID), "username": text(account.username),
                    "reachable_by": text(account.reachableBy?.word), "reachable_reason": text(account.reachableReason),
                    "identities": .array(account.identities.map { .object(["id": .string($0.id), "name": text($0.name), "subject": .string($0.subject)]) }),
                    "paths": .array(account.paths.map { path in
                        .object([
                            "repository": .string(path.repository), "file": .string(path.file), "job": .string(path.job),
                            "trigger": .string(path.trigger), "subject": .string(path.subject),
                            "identity": .string(path.identityID), "identity_subject": text(path.identitySubject),
                            "match": .string(path.match), "status": .string(path.status),
                            "environment": text(path.environment), "gate": .string(path.gate), "reason": text(path.reason),
                            "reachable_by": text(path.reachableBy?.word), "reachable_reason": text(path.reachableReason),
                            "via": .array(path.via.map { .object(["repository": .string($0.repository), "file": .string($0.file), "job": .string($0.job)]) }),
                            "called_file": text(path.calledFile), "called_job": text(path.calledJob),
                        ])
                    }),
                ])
            }),
        ])
        return document.jsonText + "\n"
    }
}

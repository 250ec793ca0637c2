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
    }

    public var scan: ScanSummary
    public var accounts: [Account]

    /// Loads the graph; `serviceAccount` matches an ExternalId, a `Users-N` id or a username,
    /// `repository` a repository's full name (both case-insensitive).
    public static func load(db: Database, scan: ScanSummary, serviceAccount: String?, repository: String?) throws -> TrustGraphReport {
        var accounts: [Account] = []
        let accountRows = try Row.fetchAll(db, sql: """
            SELECT server, account_id, external_id, username FROM oct_service_accounts WHERE scan_id = ?
            ORDER BY server, username, account_id
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
            let identities = try Row.fetchAll(db, sql: """
                SELECT identity_id, name, subject FROM oct_identities WHERE scan_id = ? AND server = ? AND account_id = ? ORDER BY identity_id
                """, arguments: [scan.dataScanID, server, accountID]).map { (id: $0["identity_id"] as String, name: $0["name"] as String?, subject: $0["subject"] as String) }
            var sql = """
                SELECT s.repository, s.file, s.job, s.trigger, s.subject, i.identity_id, i.subject AS identity_subject,
                       CASE e.match_kind WHEN 0 THEN 'exact' WHEN 1 THEN 'pattern' ELSE 'overlap' END AS match_kind,
                       CASE WHEN e.in_use THEN 'in use' ELSE 'possible' END AS status,
                       s.environment, s.gate, COALESCE(s.reason, '') || COALESCE('; ' || s.note, '') AS reason
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
                     gate: edge["gate"], reason: edge["reason"])
            }
            if repository != nil && paths.isEmpty { continue }
            accounts.append(Account(server: server, accountID: accountID, externalID: externalID, username: username,
                                    identities: identities, paths: paths))
        }
        return TrustGraphReport(scan: scan, accounts: accounts)
    }

    public func renderText() -> String {
        if accounts.isEmpty { return "No Octopus service accounts in scan \(scan.id) match (was an Octopus export given with --octopus?).\n" }
        var out = ""
        for account in accounts {
            let name = TextReport.sanitize(account.username ?? account.accountID)
            out += "\(name) (\(account.externalID ?? "no ExternalId"), \(account.accountID)) on \(TextReport.sanitize(account.server))\n"
            for identity in account.identities {
                out += "  identity \(TextReport.sanitize(identity.name ?? identity.id)): \(TextReport.sanitize(identity.subject))\n"
            }
            if account.paths.isEmpty {
                out += "  no scanned job can obtain its token\n\n"
                continue
            }
            out += "  can be obtained by:\n"
            for path in account.paths {
                out += "    \(TextReport.sanitize(path.repository))/\(TextReport.sanitize(path.file)) job \(TextReport.sanitize(path.job)) on \(path.trigger) [\(path.status)]\n"
                out += "      subject \(TextReport.sanitize(path.subject)) (\(path.match) match)\n"
                out += "      gate: \(TextReport.sanitize(path.gate))\n"
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
                    "identities": .array(account.identities.map { .object(["id": .string($0.id), "name": text($0.name), "subject": .string($0.subject)]) }),
                    "paths": .array(account.paths.map { path in
                        .object([
                            "repository": .string(path.repository), "file": .string(path.file), "job": .string(path.job),
                            "trigger": .string(path.trigger), "subject": .string(path.subject),
                            "identity": .string(path.identityID), "identity_subject": text(path.identitySubject),
                            "match": .string(path.match), "status": .string(path.status),
                            "environment": text(path.environment), "gate": .string(path.gate), "reason": text(path.reason),
                        ])
                    }),
                ])
            }),
        ])
        return document.jsonText + "\n"
    }
}

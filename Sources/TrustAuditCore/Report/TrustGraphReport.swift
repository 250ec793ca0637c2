import GRDB

/// "Who can obtain a token for which Octopus service account, from where, through which gate":
/// the trust graph of one scan, grouped by service account.
public struct TrustGraphReport: Sendable {
    public typealias Account = TrustGraphPaths.Account
    public typealias Hop = TrustGraphPaths.Hop
    public typealias Path = TrustGraphPaths.Path

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
        for var account in try TrustGraphPaths.accounts(db, scanID: scan.dataScanID) {
            if let wanted = serviceAccount?.lowercased(),
               ![account.accountID.lowercased(), account.externalID?.lowercased(), account.username?.lowercased()].contains(wanted) {
                continue
            }
            if let reachableBy, !(account.reachableBy.map { $0 <= reachableBy } ?? false) { continue }
            account.paths = try TrustGraphPaths.paths(db, scanID: scan.dataScanID, server: account.server,
                                                      accountID: account.accountID, repository: repository)
            if repository != nil && account.paths.isEmpty { continue }
            account.identities = try TrustGraphPaths.identities(db, scanID: scan.dataScanID, server: account.server,
                                                                accountID: account.accountID)
            accounts.append(account)
        }
        return TrustGraphReport(scan: scan, accounts: accounts)
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

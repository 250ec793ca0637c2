import GRDB

/// Marks findings waived by inline `# trustaudit: ignore[…]` comments or by configured waivers,
/// and reports configured waivers that have expired.
///
/// A waived finding is kept (reports show it as waived); it just stops counting for `--fail-on`.
enum FindingWaivers {
    static let expiredPolicyID = "waiver-expired"

    /// The inline suppressions of snapshot `scanID`'s workflow files.
    static func suppressions(db: Database, scanID: Int64) throws -> Suppressions {
        var inline: [FileKey: [(line: Int, policy: String, reason: String?)]] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT r.full_name AS repository, f.path AS file, s.line, s.policy, s.reason
            FROM scan_workflow_files f
            JOIN scan_repositories r ON r.id = f.repository_id
            JOIN wf_suppressions s ON s.doc = f.doc
            WHERE f.scan_id = ?
            """, arguments: [scanID])
        for row in rows {
            inline[FileKey(row["repository"], row["file"]), default: []].append((row["line"], row["policy"], row["reason"]))
        }
        return Suppressions(inline: inline)
    }

    /// Inline suppressions by file, read before the findings are marked.
    struct Suppressions {
        fileprivate var inline: [FileKey: [(line: Int, policy: String, reason: String?)]]
    }

    /// Marks `findings` in place and appends a finding for each expired waiver. In place because
    /// few findings are waived, and copying the tens of thousands of others into a new list
    /// copied every one of their strings.
    static func apply(to findings: inout [Finding], suppressions: Suppressions, settings: PolicySettings, today: String) {
        let inline = suppressions.inline
        let active = settings.waivers.filter { !$0.isExpired(today: today) }
        for index in findings.indices {
            let reason: String
            if let line = findings[index].line,
               let match = inline[FileKey(findings[index].repository, findings[index].file)]?.first(where: {
                   ($0.line == line || $0.line == line - 1) && ($0.policy == findings[index].policy || $0.policy == "all")
               }) {
                reason = match.reason.map { "inline: \($0)" } ?? "inline suppression"
            } else if let waiver = active.first(where: { $0.covers(findings[index]) }) {
                reason = "config: \(waiver.reason)" + (waiver.expires.map { " (expires \($0))" } ?? "")
            } else {
                continue
            }
            findings[index].waived = true
            findings[index].waiverReason = reason
        }
        for waiver in settings.waivers where waiver.isExpired(today: today) {
            let evidence = JSONValue.object([
                "policy": .string(waiver.policy), "repository": .string(waiver.repository),
                "file": waiver.file.map(JSONValue.string) ?? .null, "reason": .string(waiver.reason),
                "expires": .string(waiver.expires ?? ""),
            ])
            findings.append(Finding(
                fingerprint: Fingerprint.compute(policy: expiredPolicyID, repository: waiver.repository, file: waiver.file,
                                                 resource: "waivers.\(waiver.policy)", evidence: evidence),
                policy: expiredPolicyID, severity: .low, category: .hygiene,
                title: "A configured waiver has expired",
                message: "The waiver for \(waiver.policy) on \(waiver.repository) expired on \(waiver.expires ?? "?") and no longer applies: renew it with a new date or fix the findings (\(waiver.reason)).",
                resource: "waivers.\(waiver.policy)", repository: waiver.repository, file: waiver.file, evidence: evidence))
        }
    }

    /// A workflow file by repository and path. Suppression rows always have both, so a finding
    /// lacking one can share the empty string's key without matching any.
    fileprivate struct FileKey: Hashable {
        var repository: String
        var file: String

        init(_ repository: String?, _ file: String?) {
            self.repository = repository ?? ""
            self.file = file ?? ""
        }
    }
}

import GRDB

/// Marks findings waived by inline `# trustaudit: ignore[…]` comments or by configured waivers,
/// and reports configured waivers that have expired.
///
/// A waived finding is kept (reports show it as waived); it just stops counting for `--fail-on`.
enum FindingWaivers {
    static let expiredPolicyID = "waiver-expired"

    static func apply(to findings: [Finding], db: Database, scanID: Int64, settings: PolicySettings, today: String) throws -> [Finding] {
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
        let active = settings.waivers.filter { !$0.isExpired(today: today) }
        var result = findings.map { finding -> Finding in
            var finding = finding
            if let line = finding.line,
               let match = inline[FileKey(finding.repository, finding.file)]?.first(where: {
                   ($0.line == line || $0.line == line - 1) && ($0.policy == finding.policy || $0.policy == "all")
               }) {
                finding.waived = true
                finding.waiverReason = match.reason.map { "inline: \($0)" } ?? "inline suppression"
            } else if let waiver = active.first(where: { $0.covers(finding) }) {
                finding.waived = true
                finding.waiverReason = "config: \(waiver.reason)" + (waiver.expires.map { " (expires \($0))" } ?? "")
            }
            return finding
        }
        for waiver in settings.waivers where waiver.isExpired(today: today) {
            let evidence = JSONValue.object([
                "policy": .string(waiver.policy), "repository": .string(waiver.repository),
                "file": waiver.file.map(JSONValue.string) ?? .null, "reason": .string(waiver.reason),
                "expires": .string(waiver.expires ?? ""),
            ])
            result.append(Finding(
                fingerprint: Fingerprint.compute(policy: expiredPolicyID, repository: waiver.repository, file: waiver.file,
                                                 resource: "waivers.\(waiver.policy)", evidence: evidence),
                policy: expiredPolicyID, severity: .low, category: .hygiene,
                title: "A configured waiver has expired",
                message: "The waiver for \(waiver.policy) on \(waiver.repository) expired on \(waiver.expires ?? "?") and no longer applies: renew it with a new date or fix the findings (\(waiver.reason)).",
                resource: "waivers.\(waiver.policy)", repository: waiver.repository, file: waiver.file, evidence: evidence))
        }
        return result
    }

    /// A workflow file by repository and path. Suppression rows always have both, so a finding
    /// lacking one can share the empty string's key without matching any.
    private struct FileKey: Hashable {
        var repository: String
        var file: String

        init(_ repository: String?, _ file: String?) {
            self.repository = repository ?? ""
            self.file = file ?? ""
        }
    }
}

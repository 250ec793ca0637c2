import GRDB

/// Reads and writes a scan's findings and policy errors.
public enum FindingStore {
    static func insert(_ findings: [Finding], errors: [PolicyRunError], scanID: Int64, db: Database) throws {
        let statement = try BoundInsert(db, sql: """
            INSERT OR IGNORE INTO findings (scan_id, fingerprint, policy, severity, category, title, message, resource,
                repository, file, line, job, service_account, evidence_json, waived, waiver_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let scan = scanID.databaseValue
        for finding in findings {
            try statement.execute([
                finding.fingerprint.databaseValue, finding.policy.databaseValue, finding.severity.rawValue.databaseValue,
                finding.category.rawValue.databaseValue, finding.title.databaseValue, finding.message.databaseValue,
                finding.resource.databaseValue, finding.repository.databaseValue, finding.file.databaseValue,
                finding.line.databaseValue, finding.job.databaseValue, finding.serviceAccount.databaseValue,
                finding.evidenceJSON.databaseValue, finding.waived.databaseValue, finding.waiverReason.databaseValue,
            ], leading: scan)
        }
        for error in errors {
            try db.execute(sql: "INSERT OR REPLACE INTO policy_errors (scan_id, policy, source, message) VALUES (?, ?, ?, ?)",
                           arguments: [scanID, error.policy, error.source, error.message])
        }
    }

    /// Carries the findings with these fingerprints over from scan `previous` to `scanID` by
    /// reference (migration 0020), waivers included: an incremental evaluation carries most
    /// findings over, and writing them again cost more than evaluating the changed repositories.
    /// A fingerprint `scanID` stored itself is not carried.
    static func carry(_ fingerprints: [String], from previous: Int64, to scanID: Int64, db: Database) throws {
        let carried = "temp.trustaudit_carried_findings"
        try TemporaryNameTable.fill(db, carried, with: fingerprints)
        defer { try? TemporaryNameTable.drop(db, carried) }
        try db.execute(sql: """
            INSERT OR IGNORE INTO carried_findings (scan_id, finding_id)
            SELECT ?1, id FROM scan_findings
            WHERE scan_id = ?2 AND fingerprint IN (SELECT name FROM \(carried))
              AND fingerprint NOT IN (SELECT fingerprint FROM findings WHERE scan_id = ?1)
            ORDER BY id
            """, arguments: [scanID, previous])
    }

    /// A stored scan's findings, in report order (`Finding.reportOrder`).
    public static func load(scanID: Int64, db: Database) throws -> [Finding] {
        try DatabaseIntegrity.reading(db) {
            var findings: [Finding] = []
            let columns = ["fingerprint", "policy", "severity", "category", "title", "message", "resource", "repository", "file", "line",
                           "job", "service_account", "evidence_json", "waived", "waiver_reason"]
            // The scan's own rows in the order they were stored (a range of row ids, read without a
            // sort), then those it carries (see migration 0020).
            let range = try Row.fetchOne(db, sql: "SELECT min(id) AS first, max(id) AS last FROM findings WHERE scan_id = ?", arguments: [scanID])
            let own = try Row.fetchCursor(db, sql: """
                SELECT \(columns.joined(separator: ", ")) FROM findings WHERE +scan_id = ? AND id BETWEEN ? AND ? ORDER BY id
                """, arguments: [scanID, range?["first"] as Int64? ?? 0, range?["last"] as Int64? ?? -1])
            let carried = try Row.fetchCursor(db, sql: """
                SELECT \(columns.map { "f.\($0)" }.joined(separator: ", "))
                FROM carried_findings c JOIN findings f ON f.id = c.finding_id WHERE c.scan_id = ? ORDER BY c.finding_id
                """, arguments: [scanID])
            for cursor in [own, carried] {
                while let row = try cursor.next() {
                    let severity: String = try row.decode(atIndex: 2)
                    let category: String = try row.decode(atIndex: 3)
                    var finding = Finding(
                        fingerprint: try row.decode(atIndex: 0), policy: try row.decode(atIndex: 1),
                        severity: Severity(rawValue: severity) ?? .info, category: PolicyCategory(rawValue: category) ?? .hygiene,
                        title: try row.decode(atIndex: 4), message: try row.decode(atIndex: 5), resource: try row.decode(atIndex: 6),
                        repository: try row.decode(atIndex: 7), file: try row.decode(atIndex: 8), line: try row.decode(atIndex: 9),
                        job: try row.decode(atIndex: 10), serviceAccount: try row.decode(atIndex: 11),
                        waived: try row.decode(atIndex: 13), waiverReason: try row.decode(atIndex: 14))
                    // Stored by `insert` as compact JSON; checked, not parsed, so that a damaged row
                    // cannot make a report malformed.
                    if let evidence: String = try row.decode(atIndex: 12), JSONSyntax.isValid(evidence) {
                        finding.evidenceJSON = evidence
                    }
                    findings.append(finding)
                }
            }
            // Stored in report order except where a rescan carried findings over, so most loads
            // need no sort at all (and a sort moves every one of tens of thousands of findings).
            if findings.indices.dropFirst().contains(where: { Finding.reportOrder(findings[$0], findings[$0 - 1]) }) {
                findings.sort(by: Finding.reportOrder)
            }
            return findings
        }
    }

    public static func loadErrors(scanID: Int64, db: Database) throws -> [PolicyRunError] {
        try DatabaseIntegrity.reading(db) {
            try Row.fetchAll(db, sql: "SELECT policy, source, message FROM policy_errors WHERE scan_id = ? ORDER BY policy", arguments: [scanID])
                .map { PolicyRunError(policy: try $0.decode(forColumn: "policy"), source: try $0.decode(forColumn: "source"),
                                      message: try $0.decode(forColumn: "message")) }
        }
    }
}

extension Finding {
    /// Most severe first, then by place, so reports read top-down.
    public static func reportOrder(_ lhs: Finding, _ rhs: Finding) -> Bool {
        if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
        if lhs.repository != rhs.repository { return (lhs.repository ?? "") < (rhs.repository ?? "") }
        if lhs.file != rhs.file { return (lhs.file ?? "") < (rhs.file ?? "") }
        if lhs.line != rhs.line { return (lhs.line ?? 0) < (rhs.line ?? 0) }
        if lhs.policy != rhs.policy { return lhs.policy < rhs.policy }
        return lhs.fingerprint < rhs.fingerprint
    }

    /// Two lists already in report order, as one list in report order (on a tie, `first`'s first).
    static func merged(_ first: [Finding], _ second: [Finding]) -> [Finding] {
        var result: [Finding] = []
        result.reserveCapacity(first.count + second.count)
        var left = first.startIndex, right = second.startIndex
        while left < first.endIndex, right < second.endIndex {
            if reportOrder(second[right], first[left]) {
                result.append(second[right])
                right += 1
            } else {
                result.append(first[left])
                left += 1
            }
        }
        result += first[left...]
        result += second[right...]
        return result
    }
}

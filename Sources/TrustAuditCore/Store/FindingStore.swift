import Foundation
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

    /// Carries scan `previous`'s findings over to `scanID` by reference (migration 0020), waivers
    /// included, all but those whose fingerprints are in `excluded` and those `scanID` stored
    /// itself: an incremental evaluation carries most findings over, and writing them again cost
    /// more than evaluating the changed repositories. The few it evaluates again are named rather
    /// than the many it carries, whose list cost more to hand to SQLite than the copy itself.
    static func carry(from previous: Int64, except excluded: [String], to scanID: Int64, db: Database) throws {
        let evaluatedAgain = "temp.trustaudit_evaluated_findings"
        try TemporaryNameTable.fill(db, evaluatedAgain, with: excluded)
        defer { try? TemporaryNameTable.drop(db, evaluatedAgain) }
        try db.execute(sql: """
            INSERT OR IGNORE INTO carried_findings (scan_id, finding_id)
            SELECT ?1, id FROM scan_findings
            WHERE scan_id = ?2 AND fingerprint NOT IN (SELECT name FROM \(evaluatedAgain))
              AND fingerprint NOT IN (SELECT fingerprint FROM findings WHERE scan_id = ?1)
            ORDER BY id
            """, arguments: [scanID, previous])
    }

    /// A stored scan's findings, in report order (`Finding.reportOrder`).
    public static func load(scanID: Int64, db: Database) throws -> [Finding] {
        try DatabaseIntegrity.reading(db) {
            var findings = try Self.parts(scanID: scanID, db: db, count: 1).flatMap { try $0.load(db) }
            putInReportOrder(&findings)
            return findings
        }
    }

    /// `load`, with the rows read in parts on several reader connections at once: reading the
    /// tens of thousands of findings an unchanged nightly scan reports is the larger part of it.
    /// A complete scan's findings never change, so the parts agree.
    public static func load(scanID: Int64, database: AuditDatabase) throws -> [Finding] {
        let count = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let ranges = try database.pool.read { db in try DatabaseIntegrity.reading(db) { try Self.parts(scanID: scanID, db: db, count: count) } }
        let loaded = ParallelMap.map(ranges) { (part: Part) -> Result<[Finding], Error> in
            Result { try database.pool.read { db in try DatabaseIntegrity.reading(db) { try part.load(db) } } }
        }
        var findings = try loaded.flatMap { try $0.get() }
        putInReportOrder(&findings)
        return findings
    }

    private static let columns = ["fingerprint", "policy", "severity", "category", "title", "message", "resource", "repository", "file",
                                  "line", "job", "service_account", "evidence_json", "waived", "waiver_reason"]

    /// A range of a scan's findings: of its own rows (a range of row ids, read without a sort),
    /// or of the rows it carries (see migration 0020), by the carried row's id.
    struct Part: Sendable {
        var scanID: Int64
        var carried: Bool
        var first: Int64
        var last: Int64

        func load(_ db: Database) throws -> [Finding] {
            let sql = carried
                ? """
                  SELECT \(FindingStore.columns.map { "f.\($0)" }.joined(separator: ", "))
                  FROM carried_findings c JOIN findings f ON f.id = c.finding_id
                  WHERE c.scan_id = ? AND c.finding_id BETWEEN ? AND ? ORDER BY c.finding_id
                  """
                : "SELECT \(FindingStore.columns.joined(separator: ", ")) FROM findings WHERE +scan_id = ? AND id BETWEEN ? AND ? ORDER BY id"
            var findings: [Finding] = []
            try RawRows.forEach(db, sql: sql, arguments: [scanID, first, last]) { row in
                let severity = try row.requiredText(2)
                let category = try row.requiredText(3)
                var finding = Finding(
                    fingerprint: try row.requiredText(0), policy: try row.requiredText(1),
                    severity: Severity(rawValue: severity) ?? .info, category: PolicyCategory(rawValue: category) ?? .hygiene,
                    title: try row.requiredText(4), message: try row.requiredText(5), resource: row.text(6),
                    repository: row.text(7), file: row.text(8), line: row.int64(9).map { Int(truncatingIfNeeded: $0) },
                    job: row.text(10), serviceAccount: row.text(11),
                    waived: try row.requiredInt64(13) != 0, waiverReason: row.text(14))
                // Stored by `insert` as compact JSON; checked, not parsed, so that a damaged row
                // cannot make a report malformed.
                if let evidence = row.text(12), JSONSyntax.isValid(evidence) {
                    finding.evidenceJSON = evidence
                }
                findings.append(finding)
            }
            return findings
        }
    }

    /// The scan's own rows, then the rows it carries, each cut into up to `count` ranges of
    /// about equal size, in order.
    static func parts(scanID: Int64, db: Database, count: Int) throws -> [Part] {
        var parts: [Part] = []
        // A scan's own rows were written in one transaction: their ids are one range, cut evenly.
        let own = try Row.fetchOne(db, sql: "SELECT min(id) AS first, max(id) AS last FROM findings WHERE scan_id = ?", arguments: [scanID])
        if let first = own?["first"] as Int64?, let last = own?["last"] as Int64? {
            let size = max(1, (last - first + 1 + Int64(count) - 1) / Int64(count))
            for start in stride(from: first, through: last, by: Int(size)) {
                parts.append(Part(scanID: scanID, carried: false, first: start, last: min(last, start + size - 1)))
            }
        }
        // Carried rows' ids are scattered over earlier scans: cut at every (total / count)th one.
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM carried_findings WHERE scan_id = ?", arguments: [scanID]) ?? 0
        let pieces = min(count, total)
        var starts: [Int64] = []
        for piece in 0..<pieces {
            if let id = try Int64.fetchOne(db, sql: """
                SELECT finding_id FROM carried_findings WHERE scan_id = ? ORDER BY finding_id LIMIT 1 OFFSET ?
                """, arguments: [scanID, total * piece / pieces]) {
                starts.append(id)
            }
        }
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] - 1 : Int64.max
            if end >= start { parts.append(Part(scanID: scanID, carried: true, first: start, last: end)) }
        }
        return parts
    }

    /// Stored in report order except where a rescan carried findings over, so most loads need no
    /// sort at all. A scan that carried some (any rescan after a change) loads its own rows and
    /// then the carried ones, which are sorted in place: sorting a copy copied every finding.
    private static func putInReportOrder(_ findings: inout [Finding]) {
        // Compared in place: a finding passed by value is a copy of every one of its strings.
        let ordered = findings.withUnsafeBufferPointer { buffer in
            !buffer.indices.dropFirst().contains { Finding.reportOrder(buffer[$0], buffer[$0 - 1]) }
        }
        guard !ordered else { return }
        Finding.sortInReportOrder(&findings)
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
    /// Most severe first, then by place, so reports read top-down. A missing repository or file
    /// sorts as an empty one and a missing line as 0, and the next field then decides, so the
    /// order is total.
    public static func reportOrder(_ lhs: Finding, _ rhs: Finding) -> Bool {
        if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
        let (leftRepository, rightRepository) = (lhs.repository ?? "", rhs.repository ?? "")
        if leftRepository != rightRepository { return leftRepository < rightRepository }
        let (leftFile, rightFile) = (lhs.file ?? "", rhs.file ?? "")
        if leftFile != rightFile { return leftFile < rightFile }
        let (leftLine, rightLine) = (lhs.line ?? 0, rhs.line ?? 0)
        if leftLine != rightLine { return leftLine < rightLine }
        if lhs.policy != rhs.policy { return lhs.policy < rhs.policy }
        return lhs.fingerprint < rhs.fingerprint
    }

    /// Sorts `findings` by `reportOrder`. Keys are sorted, not the findings: moving a finding
    /// moves every one of its strings, and comparing the same repository and file names again
    /// and again was most of sorting a cold scan's tens of thousands. Each distinct name is ranked
    /// once, so keys compare as integers; fingerprints only break full ties.
    /// The findings are then permuted in place, one cycle at a time: a swap moves two findings
    /// without copying their strings, where building a second list copied all of them.
    static func sortInReportOrder(_ findings: inout [Finding]) {
        func ranks(_ names: [String]) -> [String: Int] {
            var ranks: [String: Int] = [:]
            for (rank, name) in Set(names).sorted().enumerated() { ranks[name] = rank }
            return ranks
        }
        let repositories = ranks(findings.map { $0.repository ?? "" })
        let files = ranks(findings.map { $0.file ?? "" })
        let policies = ranks(findings.map(\.policy))
        let keys = findings.indices.map { index -> ReportKey in
            let finding = findings[index]
            return ReportKey(severity: -finding.severity.rank, repository: repositories[finding.repository ?? ""] ?? 0,
                             file: files[finding.file ?? ""] ?? 0, line: finding.line ?? 0, policy: policies[finding.policy] ?? 0,
                             index: index)
        }
        let order = findings.withUnsafeBufferPointer { buffer in
            keys.sorted { lhs, rhs in
                if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
                if lhs.repository != rhs.repository { return lhs.repository < rhs.repository }
                if lhs.file != rhs.file { return lhs.file < rhs.file }
                if lhs.line != rhs.line { return lhs.line < rhs.line }
                if lhs.policy != rhs.policy { return lhs.policy < rhs.policy }
                return buffer[lhs.index].fingerprint < buffer[rhs.index].fingerprint
            }
        }.map(\.index)
        var placed = [Bool](repeating: false, count: findings.count)
        for start in findings.indices where !placed[start] {
            var position = start
            placed[position] = true
            while order[position] != start {
                findings.swapAt(position, order[position])
                position = order[position]
                placed[position] = true
            }
        }
    }

    private struct ReportKey {
        var severity: Int
        var repository: Int
        var file: Int
        var line: Int
        var policy: Int
        var index: Int
    }

    /// Two lists already in report order, as one list in report order (on a tie, `first`'s first).
    static func merged(_ first: consuming [Finding], _ second: consuming [Finding]) -> [Finding] {
        if second.isEmpty { return first }
        if first.isEmpty { return second }
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

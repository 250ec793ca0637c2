/// One row per finding, RFC 4180 (CRLF, quoted fields), with the formula-injection guard of
/// `QueryResult.renderCSV` (a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`).
public enum AuditCSVReport {
    public static let columns = [
        "scan_id", "severity", "policy", "title", "category", "repository", "file", "line", "job",
        "service_account", "message", "waived", "waiver_reason", "fingerprint", "url",
    ]

    public static func render(_ data: AuditReportData) -> String {
        QueryResult(columns: columns, rows: rows(data)).renderCSV()
    }

    /// The rows before CSV quoting (nil for an empty cell).
    public static func rows(_ data: AuditReportData) -> [[String?]] {
        data.findings.map { finding in
            [String(data.scan.id), finding.severity.rawValue, finding.policy, finding.title, finding.category.rawValue,
             finding.repository, finding.file, finding.line.map(String.init), finding.job, finding.serviceAccount,
             finding.message, finding.waived ? "true" : "false", finding.waiverReason, finding.fingerprint,
             AuditReportData.githubURL(finding)]
        }
    }
}

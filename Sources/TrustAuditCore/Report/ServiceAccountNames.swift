import GRDB

/// The service accounts a scan knows, for telling a mistyped `--service-account` from a scan
/// that was given no Octopus export.
public enum ServiceAccountNames {
    /// Usernames (else `Users-N` ids) of the scan's service accounts, sorted, at most `limit`.
    public static func load(db: Database, scan: ScanSummary, limit: Int = 30) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT COALESCE(username, account_id) FROM oct_service_accounts WHERE scan_id = ? ORDER BY 1 LIMIT ?
            """, arguments: [scan.dataScanID, limit])
    }
}

import GRDB

/// Finds stored scans: the latest complete one, or a given id, with clear errors for the rest.
public enum ScanCatalog {
    /// Why a requested scan cannot be used; every case maps to exit code 2.
    public enum LookupError: Error, Equatable, CustomStringConvertible {
        case noCompleteScan
        case notFound(Int64, available: [String])
        case notComplete(Int64, status: String, available: [String])
        case noEarlierScan(Int64)

        public var description: String {
            switch self {
            case .noCompleteScan:
                return "the database has no complete scan yet; run `trustaudit scan` first"
            case .notFound(let id, let available):
                return "no scan \(id); complete scans: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
            case .noEarlierScan(let id):
                return "there is no complete scan before scan \(id) to compare with; run another scan or pass --from"
            case .notComplete(let id, let status, let available):
                return "scan \(id) is \(status), not complete; complete scans: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
            }
        }
    }

    /// The scan `id`, or the latest complete scan when nil.
    public static func resolve(_ id: Int64?, db: Database) throws -> ScanSummary {
        try DatabaseIntegrity.reading(db) { try lookUp(id, db: db) }
    }

    private static func lookUp(_ id: Int64?, db: Database) throws -> ScanSummary {
        let complete = try Row.fetchAll(db, sql: "SELECT id, started_at FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 20")
            .map { "\(try $0.decode(Int64.self, forColumn: "id")) (\(try $0.decode(String.self, forColumn: "started_at")))" }
        if let id {
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE id = ?", arguments: [id]) else {
                throw LookupError.notFound(id, available: complete)
            }
            let status: String = try row.decode(forColumn: "status")
            guard status == "complete" else { throw LookupError.notComplete(id, status: status, available: complete) }
            return try summary(row)
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE status = 'complete' ORDER BY id DESC LIMIT 1") else {
            throw LookupError.noCompleteScan
        }
        return try summary(row)
    }

    static func summary(_ row: Row) throws -> ScanSummary {
        ScanSummary(id: try row.decode(forColumn: "id"), startedAt: try row.decode(forColumn: "started_at"),
                    finishedAt: try row.decode(forColumn: "finished_at"), label: try row.decode(forColumn: "label"),
                    dataScanID: try row.decode(forColumn: "data_scan_id"), findingsScanID: try row.decode(forColumn: "findings_scan_id"))
    }
}

extension ScanCatalog {
    /// The latest complete scan before `id`.
    public static func previous(before id: Int64, db: Database) throws -> ScanSummary {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM scans WHERE status = 'complete' AND id < ? ORDER BY id DESC LIMIT 1",
                                         arguments: [id]) else {
            throw LookupError.noEarlierScan(id)
        }
        return try summary(row)
    }
}

extension ScanCatalog {
    /// Like `resolve`, but nil instead of an error when the database has no complete scan yet
    /// (the query shell still works on an empty database).
    public static func resolveOptional(_ id: Int64?, db: Database) throws -> ScanSummary? {
        do {
            return try resolve(id, db: db)
        } catch LookupError.noCompleteScan {
            return nil
        }
    }
}

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
        let complete = try ScanLookup.recentComplete(limit: 20, db: db).map { "\($0.id) (\($0.startedAt))" }
        if let id {
            guard let found = try ScanLookup.scan(id, db: db) else { throw LookupError.notFound(id, available: complete) }
            guard found.status == "complete" else { throw LookupError.notComplete(id, status: found.status, available: complete) }
            return found.summary
        }
        guard let latest = try ScanLookup.latestComplete(db: db) else { throw LookupError.noCompleteScan }
        return latest
    }
}

extension ScanCatalog {
    /// The latest complete scan before `id`.
    public static func previous(before id: Int64, db: Database) throws -> ScanSummary {
        guard let previous = try ScanLookup.previousComplete(before: id, db: db) else { throw LookupError.noEarlierScan(id) }
        return previous
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

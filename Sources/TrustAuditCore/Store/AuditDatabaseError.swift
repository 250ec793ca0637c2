/// Why a trustaudit database could not be opened or used. Every case maps to exit code 2.
public enum AuditDatabaseError: Error, Equatable, CustomStringConvertible {
    /// The file exists but is not an SQLite database; it was left untouched.
    case notADatabase(path: String)
    /// The database was written by a newer trustaudit whose migrations this build does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// An SQLite database of some other application; trustaudit will not add its tables to it.
    case foreignDatabase(path: String)
    /// SQLite refused to open or migrate the file.
    case cannotOpen(path: String, reason: String)
    /// A command that only reads was pointed at a file that does not exist.
    case missing(path: String)
    /// A command that only reads was pointed at an empty database (no trustaudit schema yet).
    case empty(path: String)
    /// The schema is older than this trustaudit and a read-only connection cannot upgrade it.
    case needsUpgrade(path: String)
    /// SQLite found damaged pages; nothing more is read from or written to the file.
    case corrupt(path: String, detail: String)

    public var description: String {
        switch self {
        case .notADatabase(let path):
            return "\(path) is not a trustaudit database (not SQLite, or corrupt); it was left untouched. Choose another file with --db."
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer trustaudit (schema migrations \(unknown.joined(separator: ", ")) are unknown to this version). Upgrade trustaudit, or use another --db."
        case .foreignDatabase(let path):
            return "\(path) is an SQLite database of another application, not a trustaudit database; it was left untouched. Choose another file with --db."
        case .cannotOpen(let path, let reason):
            return "cannot open database \(path): \(reason)"
        case .missing(let path):
            return "no database at \(path); run `trustaudit scan` first, or pass --db (or set TRUSTAUDIT_DB) to an existing one"
        case .empty(let path):
            return "\(path) is empty, not a trustaudit database yet; run `trustaudit scan` first, or pass --db to an existing one"
        case .needsUpgrade(let path):
            return "\(path) has an older schema and cannot be upgraded (the file is read-only); make it writable once, or copy it"
        case .corrupt(let path, let detail):
            return "\(path) is damaged (SQLite integrity check: \(detail)); nothing was written to it. Restore it from a backup or start a new one with --db."
        }
    }
}

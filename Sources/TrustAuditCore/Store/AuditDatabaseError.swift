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
        }
    }
}

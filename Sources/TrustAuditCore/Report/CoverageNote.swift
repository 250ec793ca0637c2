import GRDB

/// One thing a scan could not fully read: an unusable settings or Octopus document, or a
/// problem inside one. Reports show these so a clean result is never mistaken for full coverage.
public struct CoverageNote: Sendable, Equatable {
    public var kind: String
    public var document: String
    public var detail: String
    /// True when the whole document was unusable, false for a problem inside a used document.
    public var unreadable: Bool

    public static func load(scanID: Int64, db: Database) throws -> [CoverageNote] {
        let unreadable = try Row.fetchAll(db, sql: """
            SELECT kind, document, error FROM scan_inputs WHERE scan_id = ? AND error IS NOT NULL ORDER BY id
            """, arguments: [scanID]).map {
            CoverageNote(kind: $0["kind"], document: $0["document"], detail: $0["error"], unreadable: true)
        }
        let problems = try Row.fetchAll(db, sql: """
            SELECT kind, document, path, message FROM scan_input_problems WHERE scan_id = ? ORDER BY rowid
            """, arguments: [scanID]).map {
            CoverageNote(kind: $0["kind"], document: $0["document"],
                         detail: "\($0["path"] as String): \($0["message"] as String)", unreadable: false)
        }
        return unreadable + problems
    }

    /// A line for a terminal or a log.
    public var line: String {
        "\(kind) \(TextReport.sanitize(document)): \(unreadable ? "not read: " : "")\(TextReport.sanitize(detail))"
    }
}

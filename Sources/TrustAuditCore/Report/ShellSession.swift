import Foundation
import GRDB

/// The interactive SQL shell's logic, apart from the terminal: statements are collected until a
/// `;` outside quotes, dot-commands act at once, and every error becomes output rather than
/// ending the session. Read-only unless opened with `writable`.
public final class ShellSession {
    public enum Mode: String, CaseIterable { case table, csv, json, markdown, line }

    public let database: AuditDatabase
    public let writable: Bool
    /// The snapshot every statement of the session sees through the documented views.
    public let snapshot: Int64?
    public private(set) var mode: Mode = .table
    public private(set) var finished = false
    public var width: Int = 120
    private var buffer = ""

    public init(database: AuditDatabase, writable: Bool, scan: Int64? = nil) throws {
        self.database = database
        self.writable = writable
        let summary = try database.pool.read { db in try ScanCatalog.resolveOptional(scan, db: db) }
        snapshot = summary?.dataScanID
    }

    /// True while a statement is being continued over several lines.
    public var isContinuing: Bool { !buffer.trimmingWhitespace().isEmpty }

    public static let help = """
        Enter SQL ending with `;` (it may span several lines). The views show the latest complete scan.
          .tables            list tables and views
          .schema [NAME]     show CREATE statements (all, or one table or view)
          .mode MODE         output as table, csv, json, markdown or line
          .policies          list the built-in policies
          .scans             list the stored scans
          .help              this text
          .quit              leave (also Ctrl-D)
        """

    /// Handles one input line and returns what to print (possibly empty).
    public func handle(_ line: String) -> String {
        let trimmed = line.trimmingWhitespace()
        if !isContinuing && trimmed.hasPrefix(".") {
            return command(trimmed)
        }
        buffer += (buffer.isEmpty ? "" : "\n") + line
        guard Self.endsStatement(buffer) else { return "" }
        let query = buffer.trimmingWhitespace()
        buffer = ""
        return execute(String(query.dropLast()).trimmingWhitespace())
    }

    /// Whether `text` ends with a `;` that is not inside a quoted string or a comment.
    static func endsStatement(_ text: String) -> Bool {
        var quote: Character?
        var lastSignificant: Character?
        var inLineComment = false
        var previous: Character?
        for character in text {
            if inLineComment {
                if character == "\n" { inLineComment = false }
                previous = character
                continue
            }
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" || character == "`" {
                quote = character
            } else if character == "-" && previous == "-" {
                inLineComment = true
                lastSignificant = nil
            } else if !character.isWhitespace {
                lastSignificant = character
            }
            previous = character
        }
        return quote == nil && lastSignificant == ";"
    }

    func execute(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        do {
            let result: QueryResult
            if writable {
                result = try database.write(snapshot: snapshot) { db -> QueryResult in
                    let statement = try PolicyEngine.singleStatement(query, db: db)
                    if statement.isReadonly { return try QueryResult.run(query, db: db) }
                    try statement.execute()
                    return QueryResult(columns: ["changes"], rows: [[String(db.changesCount)]])
                }
            } else {
                result = try database.read(snapshot: snapshot) { db in try QueryResult.run(query, db: db) }
            }
            return render(result)
        } catch {
            return "Error: " + QueryErrorText.describe(error, query: query) + "\n"
        }
    }

    func render(_ result: QueryResult) -> String {
        switch mode {
        case .table: return result.renderTable(width: width)
        case .csv: return result.renderCSV()
        case .json: return result.renderJSON()
        case .markdown: return result.renderMarkdown()
        case .line: return result.renderLines()
        }
    }

    func command(_ line: String) -> String {
        let parts = line.split(whereSeparator: \.isWhitespace).map(String.init)
        switch parts.first ?? "" {
        case ".quit", ".exit":
            finished = true
            return ""
        case ".help":
            return Self.help + "\n"
        case ".mode":
            guard parts.count == 2, let mode = Mode(rawValue: parts[1]) else {
                return "Usage: .mode \(Mode.allCases.map(\.rawValue).joined(separator: "|")) (now \(mode.rawValue))\n"
            }
            self.mode = mode
            return ""
        case ".tables":
            do {
                let tables = try database.pool.read { db in try SchemaCatalog.tablesAndViews(db) }
                return render(QueryResult(columns: ["type", "name"], rows: tables.map { [$0.type, $0.name] }, numeric: [false, false]))
            } catch {
                return "Error: " + QueryErrorText.describe(error, query: "") + "\n"
            }
        case ".schema":
            return schema(named: parts.count > 1 ? parts[1] : nil)
        case ".policies":
            let policies = PolicyLoader.builtIn().policies
            return render(QueryResult(columns: ["id", "severity", "category", "title"],
                                      rows: policies.map { [$0.id, $0.severity.rawValue, $0.category.rawValue, $0.title] }))
        case ".scans":
            do {
                let list = try database.pool.read { db in try ScanList.load(db: db) }
                return mode == .json ? list.renderJSON() : render(list.queryResult)
            } catch {
                return "Error: \(error)\n"
            }
        default:
            return "Unknown command \(parts.first ?? line); .help lists the commands.\n"
        }
    }

    /// `CREATE` statements as SQLite keeps them, whole and with their line breaks (a table
    /// rendering would cut long views and turn line breaks into `?`).
    func schema(named name: String?) -> String {
        do {
            let statements = try database.pool.read { db in try SchemaCatalog.createStatements(db, named: name) }
            if let name, statements.isEmpty {
                return "Error: no table, view or index named \(TextReport.sanitize(name)); .tables lists them\n"
            }
            return statements.map { TextReport.sanitize($0, lineBreaks: true) + ";\n" }.joined()
        } catch {
            return "Error: " + QueryErrorText.describe(error, query: "") + "\n"
        }
    }

    /// Table, view and column names (and dot-commands) starting with `prefix`, for tab completion.
    public func completions(for prefix: String) -> [String] {
        if prefix.hasPrefix(".") {
            return [".tables", ".schema", ".mode", ".policies", ".scans", ".help", ".quit"].filter { $0.hasPrefix(prefix) }
        }
        let names = (try? database.pool.read { db in try SchemaCatalog.names(db) }) ?? []
        let keywords = ["SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "LIMIT", "JOIN", "LEFT JOIN", "COUNT(*)", "DISTINCT"]
        let lower = prefix.lowercased()
        return Array(Set(names + keywords)).filter { $0.lowercased().hasPrefix(lower) }.sorted()
    }
}

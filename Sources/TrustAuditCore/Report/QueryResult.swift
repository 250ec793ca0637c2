import Foundation
import GRDB

/// The rows of one read-only query, and their renderings for the `query` command and the shell.
public struct QueryResult: Sendable {
    public var columns: [String]
    /// Each cell as text; nil for SQL NULL.
    public var rows: [[String?]]
    /// Whether each column's cells are numbers, so JSON keeps them numbers.
    public var numeric: [Bool] = []

    /// Runs one read-only SELECT (refusing anything else) on `db`.
    public static func run(_ query: String, db: Database) throws -> QueryResult {
        let statement = try PolicyEngine.checkedStatement(query, db: db)
        let columns = statement.columnNames
        var rows: [[String?]] = []
        var numeric = Array(repeating: true, count: columns.count)
        let cursor = try Row.fetchCursor(statement)
        while let row = try cursor.next() {
            rows.append((0..<columns.count).map { index in
                let value = row[index] as DatabaseValue
                switch value.storage {
                case .null: return nil
                case .int64(let number): return String(number)
                case .double(let number): return String(number)
                case .string(let text):
                    numeric[index] = false
                    return text
                case .blob(let data):
                    numeric[index] = false
                    return "<\(data.count) bytes>"
                }
            })
        }
        return QueryResult(columns: columns, rows: rows, numeric: numeric)
    }

    /// Columns padded to fit `width` characters, long cells cut with `…`.
    public func renderTable(width: Int = 120) -> String {
        guard !columns.isEmpty else { return "" }
        let clean = { (text: String?) in TextReport.sanitize(text ?? "NULL").replacingOccurrences(of: "\t", with: " ") }
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], clean(cell).count) }
        }
        let separators = 2 * (columns.count - 1)
        var budget = max(width - separators, columns.count * 4)
        if widths.reduce(0, +) > budget {
            // Shrink the widest columns first, so short ones (ids, severities) stay whole.
            var order = widths.indices.sorted { widths[$0] < widths[$1] }
            var fitted = widths
            var remaining = columns.count
            while let index = order.first {
                order.removeFirst()
                let share = budget / remaining
                fitted[index] = min(widths[index], max(share, 4))
                budget -= fitted[index]
                remaining -= 1
            }
            widths = fitted
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let text = cell.count > widths[index] ? String(cell.prefix(widths[index] - 1)) + "…" : cell
                return text.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(columns) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in rows { out += line(row.map(clean)) + "\n" }
        out += "(\(rows.count) row\(rows.count == 1 ? "" : "s"))\n"
        return out
    }

    /// RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted. Cells that a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@`) are prefixed with `'`.
    public func renderCSV() -> String {
        func field(_ text: String?) -> String {
            guard var text else { return "" }
            if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
            if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return text
        }
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\r\n" }
        return out
    }

    public func renderJSON() -> String {
        JSONValue.array(rows.map { row in
            .object(Dictionary(zip(columns, row.enumerated().map { index, cell -> JSONValue in
                guard let cell else { return .null }
                if index < numeric.count, numeric[index], let number = Double(cell) { return .number(number) }
                return .string(cell)
            }), uniquingKeysWith: { first, _ in first }))
        }).jsonText + "\n"
    }

    public func renderMarkdown() -> String {
        var out = "| " + columns.map(MarkdownEscaping.cell).joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: "---|", count: columns.count) + "\n"
        for row in rows { out += "| " + row.map { MarkdownEscaping.cell($0 ?? "") }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// One `column = value` line per cell, rows separated by a blank line.
    public func renderLines() -> String {
        let width = columns.map(\.count).max() ?? 0
        return rows.map { row in
            zip(columns, row).map { "\($0.padding(toLength: width, withPad: " ", startingAt: 0)) = \(TextReport.sanitize($1 ?? "NULL"))" }
                .joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }
}

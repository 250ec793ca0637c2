import ArgumentParser
import Foundation
import TrustAuditCore

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one read-only SQL query over the database (see docs/schema.md for the views).",
        discussion: "The views show the latest complete scan, or --scan ID. Only a single SELECT is accepted.")

    @Argument(help: "The SQL query.")
    var sql: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var outputOptions: OutputOptions

    @Option(help: "The scan the views show (default: the latest complete scan).")
    var scan: Int64?

    @Option(help: "Output format: table, csv, json, markdown or line.")
    var format: QueryFormat = .table

    func run() throws {
        let audit = try database.openExisting()
        let result: QueryResult
        do {
            let summary = try audit.pool.read { db in try ScanCatalog.resolveOptional(scan, db: db) }
            result = try audit.checkedRead(snapshot: summary?.dataScanID) { db in try QueryResult.run(sql, db: db) }
        } catch {
            throw fail(QueryErrorText.describe(error, query: sql))
        }
        try outputOptions.write(format.render(result))
    }
}

enum QueryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, markdown, line

    func render(_ result: QueryResult) -> String {
        switch self {
        case .table: return result.renderTable(width: TerminalSize.columns())
        case .csv: return result.renderCSV()
        case .json: return result.renderJSON()
        case .markdown: return result.renderMarkdown()
        case .line: return result.renderLines()
        }
    }
}

import ArgumentParser
import Foundation
import TrustAuditCore

struct ScansCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scans",
        abstract: "List stored scans: id, label, time, status, coverage and findings by severity.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var outputOptions: OutputOptions

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    func run() throws {
        let audit = try database.openExisting()
        let list: ScanList
        do {
            list = try audit.pool.read { db in try ScanList.load(db: db) }
        } catch {
            throw fail(error)
        }
        try outputOptions.write(format == .json ? list.renderJSON() : list.renderText())
    }
}

import ArgumentParser
import Foundation
import TrustAuditCore

struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "What changed between two scans: findings introduced, resolved and persisting, and configuration changes.",
        discussion: "By default compares the latest two complete scans. Repositories or Octopus instances missing from one side are listed as not covered; their findings count as neither resolved nor introduced.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var outputOptions: OutputOptions

    @Option(help: "The earlier scan (default: the complete scan before --to).")
    var from: Int64?

    @Option(help: ArgumentHelp("The later scan, or `latest` (default).", valueName: "scan"))
    var to: String = "latest"

    @Option(help: "Output format: text, json or markdown.")
    var format: DriftFormat = .text

    func run() throws {
        let audit = try database.openExisting()
        let report: DriftReport
        do {
            let (fromScan, toScan) = try audit.pool.read { db -> (ScanSummary, ScanSummary) in
                let toID: Int64?
                if to == "latest" {
                    toID = nil
                } else if let id = Int64(to) {
                    toID = id
                } else {
                    throw ValidationError("--to takes a scan id or `latest`")
                }
                let toScan = try ScanCatalog.resolve(toID, db: db)
                let fromScan = try from.map { try ScanCatalog.resolve($0, db: db) } ?? ScanCatalog.previous(before: toScan.id, db: db)
                return (fromScan, toScan)
            }
            report = try DriftReport.compute(database: audit, from: fromScan, to: toScan)
        } catch let error as ValidationError {
            throw fail(error.message)
        } catch {
            throw fail(error)
        }
        switch format {
        case .text: try outputOptions.write(report.renderText())
        case .json: try outputOptions.write(report.renderJSON())
        case .markdown: try outputOptions.write(report.renderMarkdown())
        }
    }
}

enum DriftFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

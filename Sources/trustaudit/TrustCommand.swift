import ArgumentParser
import Foundation
import TrustAuditCore

struct TrustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Show who can obtain a token for each Octopus service account, and through which gate.",
        discussion: """
            Reads the trust graph of a stored scan (the latest complete one by default). A path is \
            "in use" when the job's login names the account, and "possible" when the job can mint \
            a token whose subject the account's identity accepts: the audience is chosen by the job \
            and the account's GUID is no secret, so a possible path is a real one. Every account and \
            path says who can obtain the token (reachable by): anyone (any GitHub user), read \
            (readers of a private repository), write (anyone who can push a branch), merge (only \
            reviewed changes on a protected ref) or approve (an environment's required reviewers), \
            with the reason; --reachable-by LEVEL lists only accounts at that level or worse.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var outputOptions: OutputOptions

    @Option(name: .customLong("service-account"), help: ArgumentHelp("Only this account: its ExternalId GUID, Users-N id or username.", valueName: "id"))
    var serviceAccount: String?

    @Option(help: ArgumentHelp("Only paths from this repository (owner/name).", valueName: "name"))
    var repo: String?

    @Option(name: .customLong("reachable-by"),
            help: ArgumentHelp("Only accounts whose token this level (or a worse one) obtains: anyone, read, write, merge or approve.", valueName: "level"))
    var reachableBy: String?

    @Option(help: "The scan to read (default: the latest complete scan).")
    var scan: Int64?

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    func run() throws {
        var level: ReachLevel?
        if let reachableBy {
            guard let parsed = ReachLevel(word: reachableBy) else {
                throw ValidationError("--reachable-by must be one of anyone, read, write, merge, approve (not `\(reachableBy)`)")
            }
            level = parsed
        }
        let audit = try database.openExisting()
        let report: TrustGraphReport
        do {
            report = try audit.checkedRead { db in
                let summary = try ScanCatalog.resolve(scan, db: db)
                let report = try TrustGraphReport.load(db: db, scan: summary, serviceAccount: serviceAccount, repository: repo, reachableBy: level)
                if let serviceAccount, level == nil, report.accounts.isEmpty {
                    try explainNoMatch(serviceAccount, scan: summary, known: try OctopusStore.serviceAccountNames(db, scanID: summary.dataScanID))
                }
                return report
            }
        } catch {
            throw fail(error)
        }
        switch format {
        case .text: try outputOptions.write(report.renderText())
        case .json: try outputOptions.write(report.renderJSON())
        }
    }

    /// A `--service-account` that matches nothing is a typo or a missing export; say which.
    private func explainNoMatch(_ wanted: String, scan: ScanSummary, known names: [String]) throws {
        if names.isEmpty {
            throw TrustLookupError("scan \(scan.id) has no Octopus service accounts: give an Octopus export with --octopus when scanning")
        }
        if repo == nil {
            throw TrustLookupError("no service account `\(wanted)` in scan \(scan.id) (matched by username, Users-N id or ExternalId); it has: \(names.joined(separator: ", "))")
        }
    }
}

/// Why `trust` cannot show what was asked for (exit code 2).
struct TrustLookupError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

import ArgumentParser
import Foundation
import TrustAuditCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an audit report of a stored scan: html, markdown, sarif, json, csv or junit.",
        discussion: """
            Reads the database only (no rescan): the latest complete scan, or --scan ID. \
            html is one self-contained file for a browser; markdown fits a GitHub issue or \
            $GITHUB_STEP_SUMMARY (cut to --max-length characters with a note); sarif is SARIF 2.1.0 \
            for code scanning, one repository per upload: use --repo NAME, or --split-dir DIR for one \
            file per repository (findings without a file, such as Octopus identities, are listed as \
            run notifications, not results); json is the findings contract; csv has one row per \
            finding; junit has one test case per policy and repository. Policy descriptions and \
            remediation come from the built-in policies plus --policies / the config's policies_dir.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup var policyOptions: PolicyOptions

    @Option(help: "Report format: html, markdown, sarif, json, csv or junit.")
    var format: AuditReportFormat

    @Option(help: "The scan to report (default: the latest complete scan).")
    var scan: Int64?

    @Option(help: ArgumentHelp("Only this repository (owner/name, case-insensitive).", valueName: "name"))
    var repo: String?

    @Option(name: .customLong("split-dir"), help: ArgumentHelp("sarif only: write one file per repository into this folder (DIR/<owner>__<name>.sarif).", valueName: "dir"))
    var splitDir: String?

    @Option(name: .customLong("max-length"), help: "markdown only: the most characters to write (default 60000; GitHub's step summary limit is 1 MiB).")
    var maxLength: Int = AuditMarkdownReport.defaultMaxLength

    func validate() throws {
        if splitDir != nil && format != .sarif { throw ValidationError("--split-dir works with --format sarif only") }
        if splitDir != nil && repo != nil { throw ValidationError("--split-dir writes every repository; leave out --repo") }
        if splitDir != nil && outputOptions.output != nil { throw ValidationError("--split-dir and --output cannot be combined") }
        if maxLength < 2_000 { throw ValidationError("--max-length must be at least 2000") }
    }

    func run() throws {
        let audit = try database.openExisting()
        let config = try policyOptions.loadConfig()
        let policies = policyOptions.loadPolicies(config: config)
        for error in policies.errors {
            StandardStreams.writeError("trustaudit: policy not loaded (its findings show without description): \(error)\n")
        }
        let data: AuditReportData
        do {
            data = try AuditReportData.load(database: audit, scanID: scan, policies: policies.policies, repository: repo)
        } catch {
            throw fail(error)
        }
        if let repo, data.repositories.isEmpty, data.findings.isEmpty {
            let known = try? audit.pool.read { db in try SnapshotStore.repositoryNames(db, scanID: data.scan.dataScanID, limit: 30) }
            throw fail("repository \(repo) is not in scan \(data.scan.id); it has: \((known ?? []).joined(separator: ", "))")
        }
        switch format {
        case .html: try outputOptions.write(AuditHTMLReport.render(data))
        case .markdown: try outputOptions.write(AuditMarkdownReport.render(data, maxLength: maxLength))
        case .json:
            try outputOptions.stream { emit in
                try JSONReport.write(scan: data.scan, findings: data.findings, coverage: data.coverage, policyErrors: data.policyErrors, to: emit)
            }
        case .csv: try outputOptions.write(AuditCSVReport.render(data))
        case .junit: try outputOptions.write(AuditJUnitReport.render(data))
        case .sarif:
            if let splitDir {
                try writeSplit(data, to: splitDir)
            } else {
                let repositories = Set(data.findings.compactMap { $0.repository?.lowercased() })
                if repo == nil && repositories.count > 1 {
                    StandardStreams.writeError("trustaudit: this SARIF holds \(repositories.count) repositories; GitHub code scanning takes one per upload (use --repo NAME or --split-dir DIR)\n")
                }
                try outputOptions.write(AuditSARIFReport.render(data, repository: repo))
            }
        }
    }

    private func writeSplit(_ data: AuditReportData, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw fail("cannot create \(directory): \(error.localizedDescription)")
        }
        let files = AuditSARIFReport.renderPerRepository(data)
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.fileName)
            do {
                try file.text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw fail("cannot write \(path): \(error.localizedDescription)")
            }
        }
        let scanned = Set(data.repositories.map { $0.name.lowercased() })
        let withoutRepository = data.findings.filter { finding in finding.repository.map { !scanned.contains($0.lowercased()) } ?? true }.count
        var message = "trustaudit: wrote \(files.count) SARIF file\(files.count == 1 ? "" : "s") to \(directory)"
        if withoutRepository > 0 { message += "; \(withoutRepository) finding(s) about no scanned repository are in none of them" }
        StandardStreams.writeError((message + "\n"))
    }
}

enum AuditReportFormat: String, ExpressibleByArgument, CaseIterable {
    case html, markdown, sarif, json, csv, junit
}

import ArgumentParser
import Foundation
import TrustAuditCore

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan repositories' workflows into the database and report findings.",
        discussion: """
            Each PATH is a repository (it has .github/workflows/) or a folder holding repositories, \
            searched up to three levels deep. A repository is named from its git remote `origin`, \
            else --owner (default: the name of the folder holding it) plus its folder name. A folder \
            of repositories may keep its exports in exports/github-settings/ and exports/octopus/; \
            they are used when --github-settings/--octopus (and the config file) name none.

            Live sources: --github-org ORG (repeatable) and --github-repo OWNER/NAME collect             workflows and settings through the GitHub API (token from GITHUB_TOKEN or GH_TOKEN;             --github-api-url for GitHub Enterprise Server); --octopus-url URL collects an Octopus             server (OCTOPUS_API_KEY). ETags are kept in the database, so an unchanged nightly rescan             costs few rate-limit points. Tokens are only sent over https (unless --allow-insecure)             and never written or printed.

            Exit codes: 0 no findings at or above --fail-on; 1 findings at or above it (or new ones             with --fail-on-new); 2 usage, configuration, credential (HTTP 401) or database error,             before anything is scanned; 3 the scan completed, but did not cover everything: a folder or             file it could not read, an export it could not use, a limit hit, a policy that did not             run, or live collection gaps (what and why is in the COVERAGE section and the             `coverage` view).
            """
    )

    @Argument(help: ArgumentHelp("Repositories or folders of repositories (default: the config file's `paths`).", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup var githubSource: GitHubSourceOptions
    @OptionGroup var octopusSource: OctopusSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var limits: LimitOptions

    @Option(help: "Owner for repositories without an `origin` remote.")
    var owner: String?

    @Option(name: .customLong("github-settings"), help: ArgumentHelp("GitHub settings export: a JSON file or a folder of them.", valueName: "path"))
    var githubSettings: [String] = []

    @Option(help: ArgumentHelp("Octopus export: a JSON file or a folder of them.", valueName: "path"))
    var octopus: [String] = []

    @Option(help: "Report format: text or json.")
    var format: ReportFormat = .text

    @Option(name: .customLong("fail-on"), help: "Exit 1 when an unwaived finding is at or above this severity (info|low|medium|high|critical|none).")
    var failOn: FailThreshold?

    @Option(name: .customLong("fail-on-new"), help: "Exit 1 when a finding at or above this severity was introduced since the previous complete scan (or --baseline).")
    var failOnNew: Severity?

    @Option(help: "The scan --fail-on-new compares with (default: the previous complete scan).")
    var baseline: Int64?

    @Option(help: "A label stored with the scan, e.g. nightly-2026-11-26.")
    var label: String?

    @Flag(name: .customLong("reread-files"),
          help: "Read and hash every workflow file, even one whose inode, size and times are unchanged since an earlier scan.")
    var rereadFiles = false

    func run() throws {
        var config = try policyOptions.loadConfig()
        config.policySettings.limits = limits.applied(to: config.policySettings.limits)
        let roots = paths.isEmpty ? config.paths : paths
        let githubOrgs = githubSource.githubOrgs.isEmpty ? config.githubOrgs : githubSource.githubOrgs
        let githubRepos = githubSource.githubRepos.isEmpty ? config.githubRepos : githubSource.githubRepos
        let octopusURLs = octopusSource.octopusURLs.isEmpty ? config.octopusURLs : octopusSource.octopusURLs
        let liveSources = !(githubOrgs + githubRepos + octopusURLs).isEmpty || githubSource.reposFrom != nil
        guard !roots.isEmpty || liveSources || !(githubSettings + config.githubSettings + octopus + config.octopus).isEmpty else {
            throw fail("nothing to scan: give one or more PATHs, --github-org or --octopus-url (or `paths` in the config file)")
        }
        var plan = ScanPlan(paths: roots, owner: owner ?? config.owner,
                            githubSettings: githubSettings.isEmpty ? config.githubSettings : githubSettings,
                            octopus: octopus.isEmpty ? config.octopus : octopus,
                            label: label, policies: [], settings: config.policySettings)
        plan.rereadFiles = rereadFiles
        let inputs: ScanPlan.Inputs
        do {
            inputs = try plan.readInputs()
        } catch {
            throw fail(error)
        }
        if !inputs.foundGitHubSettings.isEmpty {
            StandardStreams.writeError("trustaudit: using GitHub settings exports in \(inputs.foundGitHubSettings.joined(separator: ", "))\n")
        }
        if !inputs.foundOctopus.isEmpty {
            StandardStreams.writeError("trustaudit: using Octopus exports in \(inputs.foundOctopus.joined(separator: ", "))\n")
        }
        let loaded = policyOptions.loadPolicies(config: config)
        for error in loaded.errors {
            StandardStreams.writeError("trustaudit: policy not loaded: \(error)\n")
        }
        plan.policies = loaded.policies
        let audit = try Profiling.measure("open database") { try database.open() }
        // Live collection runs before the scan starts: a 401 or another usage problem exits 2
        // with nothing scanned; whatever else fails becomes coverage.
        var liveInputs = LiveInputs()
        if liveSources {
            liveInputs = try collectLive(
                githubOrgs: githubOrgs, githubRepos: githubRepos, githubAPIURL: githubSource.githubAPIURL ?? config.githubApiURL,
                includeArchived: githubSource.includeArchived, includeForks: githubSource.includeForks,
                octopusURLs: octopusURLs, live: live, cache: DatabaseHTTPCache(database: audit), github: githubSource.settings(config: config))
            plan.collected = CollectedInputs(repositories: liveInputs.github?.repositorySources ?? [],
                                             githubSettings: liveInputs.github?.settingsDocuments ?? [],
                                             octopus: liveInputs.octopus.map(\.document), coverage: liveInputs.coverage)
        }
        let outcome: ScanOutcome
        do {
            outcome = try plan.run(inputs, database: audit) { message in
                StandardStreams.writeError("trustaudit: \(message)\n")
            }
        } catch {
            throw fail("scan failed, nothing was recorded but a failed scan row: \(error)")
        }
        if let usage = liveInputs.github?.usage {
            do {
                try usage.record(service: "github", scanID: outcome.scanID, in: audit)
            } catch {
                FileHandle.standardError.write(Data("trustaudit: warning: the collection's request counts were not recorded: \(error)\n".utf8))
            }
        }
        let summary = ScanSummary(id: outcome.scanID, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt, label: outcome.label)
        let loadErrors = loaded.errors.map { PolicyRunError(policy: "(not loaded)", source: $0.file, message: $0.reason) }
        switch format {
        case .text:
            let text = Profiling.measure("render") {
                TextReport.render(scan: summary, findings: outcome.findings, policyErrors: loadErrors + outcome.policyErrors,
                                  coverage: outcome.coverage, useColor: outputOptions.useColor)
            }
            try Profiling.measure("write report") { try outputOptions.write(text, colored: outputOptions.useColor) }
        case .json:
            try Profiling.measure("render and write report") {
                try outputOptions.stream { emit in
                    try JSONReport.write(scan: summary, findings: outcome.findings, coverage: outcome.coverage,
                                         policyErrors: loadErrors + outcome.policyErrors, to: emit)
                }
            }
            for error in outcome.policyErrors {
                StandardStreams.writeError("trustaudit: \(error)\n")
            }
            for note in outcome.coverage {
                StandardStreams.writeError("trustaudit: coverage: \(note.line)\n")
            }
        }
        if let level = failOnNew {
            let introduced: [Finding]
            do {
                introduced = try newFindings(since: baseline, outcome: outcome, database: audit)
            } catch {
                throw fail(error)
            }
            let failing = introduced.filter { !$0.waived && $0.severity >= level }
            if !failing.isEmpty {
                StandardStreams.writeError("trustaudit: \(failing.count) new finding(s) at or above \(level.rawValue) since the baseline\n")
                throw ExitCode(1)
            }
        }
        let threshold = failOn ?? config.failOn.map(FailThreshold.severity) ?? .none
        if case .severity(let level) = threshold, outcome.findings.contains(where: { !$0.waived && $0.severity >= level }) {
            throw ExitCode(1)
        }
        if !liveInputs.coverage.isComplete {
            reportIncompleteCoverage(liveInputs.coverage)
            throw ExitCode(incompleteCoverageExitCode)
        }
        // A policy that did not run, or an input that could not be read, leaves the audit incomplete.
        let policyErrorCount = loadErrors.count + outcome.policyErrors.count
        if policyErrorCount > 0 || !outcome.coverage.isEmpty {
            var parts: [String] = []
            if policyErrorCount > 0 { parts.append("\(policyErrorCount) polic\(policyErrorCount == 1 ? "y" : "ies") did not run") }
            if !outcome.coverage.isEmpty { parts.append("\(outcome.coverage.count) coverage problem(s)") }
            StandardStreams.writeError("trustaudit: scan incomplete: \(parts.joined(separator: ", ")) (see POLICY ERROR and COVERAGE); exit code \(incompleteCoverageExitCode)\n")
            throw ExitCode(incompleteCoverageExitCode)
        }
    }
}

/// Findings of this scan that the baseline did not have; with no earlier scan, all of them.
private func newFindings(since baseline: Int64?, outcome: ScanOutcome, database: AuditDatabase) throws -> [Finding] {
    let scans = try database.pool.read { db -> (ScanSummary, ScanSummary)? in
        let current = try ScanCatalog.resolve(outcome.scanID, db: db)
        if let baseline { return (try ScanCatalog.resolve(baseline, db: db), current) }
        guard let previous = try? ScanCatalog.previous(before: outcome.scanID, db: db) else { return nil }
        return (previous, current)
    }
    guard let (from, to) = scans else { return outcome.findings }
    return try DriftReport.compute(database: database, from: from, to: to).introduced
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--fail-on`: a severity, or `none` to never fail on findings.
enum FailThreshold: ExpressibleByArgument, Equatable {
    case none
    case severity(Severity)

    init?(argument: String) {
        if argument == "none" {
            self = .none
        } else if let severity = Severity(rawValue: argument) {
            self = .severity(severity)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { Severity.allCases.map(\.rawValue) + ["none"] }
}

extension Severity: ExpressibleByArgument {}

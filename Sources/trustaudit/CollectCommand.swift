import ArgumentParser
import Foundation
import TrustAuditCore

/// Exit code of a scan or collection that completed, but could not collect everything from the
/// live APIs (the coverage says what and why). Findings at or above --fail-on take precedence (1).
let incompleteCoverageExitCode: Int32 = 3

/// `--github-org`, `--github-repo`, `--github-api-url`, `--include-archived`, `--include-forks`.
struct GitHubSourceOptions: ParsableArguments {
    @Option(name: .customLong("github-org"), help: ArgumentHelp("Collect every repository of this GitHub organization live (repeatable; token from GITHUB_TOKEN or GH_TOKEN).", valueName: "org"))
    var githubOrgs: [String] = []

    @Option(name: .customLong("github-repo"), help: ArgumentHelp("Collect this repository live (repeatable).", valueName: "owner/name"))
    var githubRepos: [String] = []

    @Option(name: .customLong("github-api-url"), help: ArgumentHelp("GitHub API URL; https://HOST/api/v3 for GitHub Enterprise Server (default: https://api.github.com).", valueName: "url"))
    var githubAPIURL: String?

    @Flag(name: .customLong("include-archived"), help: "Also collect archived repositories of the organizations.")
    var includeArchived = false

    @Flag(name: .customLong("include-forks"), help: "Also collect forked repositories of the organizations.")
    var includeForks = false

    @Option(name: .customLong("repos-from"), help: ArgumentHelp("Also collect the repositories listed in this file, one OWNER/NAME per line (# starts a comment).", valueName: "file"))
    var reposFrom: String?

    @Option(name: .customLong("shard"), help: ArgumentHelp("Collect only shard K of N of the repositories (by a hash of their names); organization settings go with shard 1.", valueName: "K/N"))
    var shard: String?

    @Flag(name: .customLong("github-rest-only"), help: "Collect through GitHub's REST API only, without GraphQL (slower; for servers that pass only REST).")
    var restOnly = false

    @Option(name: .customLong("graphql-batch-size"), help: ArgumentHelp("Repositories per GraphQL query (1-100).", valueName: "n"))
    var graphQLBatchSize: Int = 25

    @Option(name: .customLong("github-app-id"), help: ArgumentHelp("Collect as this GitHub App (or GITHUB_APP_ID) instead of with a token.", valueName: "id"))
    var appID: String?

    @Option(name: .customLong("github-app-key"), help: ArgumentHelp("The GitHub App's private key, a PEM file (or GITHUB_APP_PRIVATE_KEY with the PEM text).", valueName: "file"))
    var appKey: String?

    @Option(name: .customLong("github-app-installation"), help: ArgumentHelp("The App's installation to act as (or GITHUB_APP_INSTALLATION_ID); default: looked up from the organization.", valueName: "id"))
    var appInstallation: Int?

    func validate() throws {
        if let shard, GitHubShard(shard) == nil { throw ValidationError("--shard must be K/N with 1 <= K <= N, e.g. 2/4") }
        guard (1...100).contains(graphQLBatchSize) else { throw ValidationError("--graphql-batch-size must be between 1 and 100") }
    }

    /// The GitHub settings beyond the sources, with the config file filling what the command line leaves out.
    func settings(config: AuditConfig = AuditConfig()) -> GitHubLiveSettings {
        GitHubLiveSettings(reposFrom: reposFrom, shard: shard.flatMap(GitHubShard.init), restOnly: restOnly, graphQLBatchSize: graphQLBatchSize,
                           appID: appID ?? config.githubAppID, appKeyFile: appKey ?? config.githubAppKey,
                           appInstallation: appInstallation ?? config.githubAppInstallation)
    }
}

/// How to collect from GitHub, besides what to collect.
struct GitHubLiveSettings {
    var reposFrom: String?
    var shard: GitHubShard?
    var restOnly = false
    var graphQLBatchSize = 25
    var appID: String?
    var appKeyFile: String?
    var appInstallation: Int?
}

/// `--octopus-url` (repeatable).
struct OctopusSourceOptions: ParsableArguments {
    @Option(name: .customLong("octopus-url"), help: ArgumentHelp("Collect this Octopus Deploy server live (repeatable; API key from OCTOPUS_API_KEY).", valueName: "url"))
    var octopusURLs: [String] = []
}

/// How the live collectors behave and talk.
struct LiveOptions: ParsableArguments {
    @Option(help: "Live API requests in flight at once.")
    var concurrency: Int = 8

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Seconds a live API request may go unanswered before it is retried.", valueName: "seconds"))
    var requestTimeout: Double = 30

    @Option(name: .customLong("request-deadline"), help: ArgumentHelp("Seconds one live API request may take in all, however slowly its answer arrives (not retried).", valueName: "seconds"))
    var requestDeadline: Double = 300

    @Option(name: .customLong("max-response-mib"), help: ArgumentHelp("Largest live API response read, in MiB; a larger one is refused as it arrives.", valueName: "MiB"))
    var maxResponseMiB: Int = 32

    @Flag(name: .customLong("allow-insecure"), help: "Allow sending tokens to http:// URLs (a trusted local server only).")
    var allowInsecure = false

    @Flag(name: .shortAndLong, help: "No progress output (waits, warnings and errors still go to standard error).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Log every API request (credentials are never shown).")
    var verbose = false

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 64") }
        guard requestTimeout > 0 else { throw ValidationError("--request-timeout must be positive") }
        guard requestDeadline > 0 else { throw ValidationError("--request-deadline must be positive") }
        guard (1...4096).contains(maxResponseMiB) else { throw ValidationError("--max-response-mib must be between 1 and 4096") }
    }

    func clientOptions() -> HTTPClientOptions {
        var options = HTTPClientOptions()
        options.concurrency = concurrency
        options.timeout = requestTimeout
        options.deadline = requestDeadline
        options.maxResponseBytes = maxResponseMiB << 20
        options.allowInsecure = allowInsecure
        return options
    }
}

/// Shows live collection progress on standard error: one updating line on a terminal, plain
/// lines otherwise; nothing but waits and warnings with --quiet. Every line is redacted.
final class LiveReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let quiet: Bool
    private let verbose: Bool
    private let terminal = isatty(STDERR_FILENO) == 1
    let redaction: SecretRedaction
    private var lineShown = false
    private var started: [String: Date] = [:]
    private var lastLogged: [String: Int] = [:]

    init(quiet: Bool, verbose: Bool, secrets: [String]) {
        self.quiet = quiet
        self.verbose = verbose
        self.redaction = SecretRedaction(secrets: secrets)
    }

    func handle(_ event: LiveEvent) {
        lock.withLock {
            switch event {
            case .progress(let progress):
                guard !quiet else { return }
                let start = started[progress.service] ?? Date()
                started[progress.service] = start
                var text = "\(progress.service): \(progress.done)/\(progress.total) \(progress.service == "github" ? "repositories" : "service accounts")"
                if let remaining = progress.rateRemaining {
                    text += ", rate limit \(remaining)/\(progress.rateLimit.map(String.init) ?? "?") left"
                }
                if progress.done > 0, progress.done < progress.total {
                    let elapsed = Date().timeIntervalSince(start)
                    let eta = elapsed / Double(progress.done) * Double(progress.total - progress.done)
                    text += ", about \(Self.duration(eta)) to go"
                }
                if terminal {
                    emit("\r\u{1B}[K" + text, newline: progress.done == progress.total)
                    lineShown = progress.done != progress.total
                } else {
                    // A log line per tenth of the work, and at the start and end.
                    let step = max(1, progress.total / 10)
                    let bucket = progress.done / step
                    if progress.done == 0 || progress.done == progress.total || lastLogged[progress.service] != bucket {
                        lastLogged[progress.service] = bucket
                        emit("trustaudit: " + text, newline: true)
                    }
                }
            case .wait(let message):
                line("trustaudit: " + message)
            case .warning(let message):
                guard !quiet else { return }
                line("trustaudit: warning: " + message)
            case .verbose(let message):
                guard verbose else { return }
                line("trustaudit: " + message)
            }
        }
    }

    /// A whole line, clearing the progress line first and redrawing nothing (the next progress
    /// event redraws it).
    private func line(_ text: String) {
        if terminal && lineShown {
            emit("\r\u{1B}[K", newline: false)
            lineShown = false
        }
        emit(text, newline: true)
    }

    private func emit(_ text: String, newline: Bool) {
        FileHandle.standardError.write(Data((redaction.redact(text) + (newline ? "\n" : "")).utf8))
    }

    func message(_ text: String) {
        lock.withLock { line(text) }
    }

    func redact(_ text: String) -> String { redaction.redact(text) }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole < 60 ? "\(whole) s" : whole < 3600 ? "\(whole / 60) min \(whole % 60) s" : "\(whole / 3600) h \(whole / 60 % 60) min"
    }
}

/// What the live collectors gave a scan: the same values offline inputs become.
struct LiveInputs: Sendable {
    var github: GitHubCollection?
    var octopus: [OctopusCollection] = []
    var coverage = CollectionCoverage()
}

/// Runs the collectors a command asked for. Usage and credential problems (no token, 401, an
/// http:// URL, not an Octopus server) exit 2 before anything is scanned.
func collectLive(
    githubOrgs: [String], githubRepos: [String], githubAPIURL: String?, includeArchived: Bool, includeForks: Bool,
    octopusURLs: [String], live: LiveOptions, cache: (any HTTPCache)?, github settings: GitHubLiveSettings = GitHubLiveSettings()
) throws -> LiveInputs {
    let environment = ProcessInfo.processInfo.environment
    let githubToken = GitHubCollector.token(from: environment)
    let octopusKey = OctopusCollector.apiKey(from: environment)
    let reporter = LiveReporter(quiet: live.quiet, verbose: live.verbose, secrets: [githubToken, octopusKey].compactMap { $0 })
    let handle: @Sendable (LiveEvent) -> Void = { reporter.handle($0) }
    var inputs = LiveInputs()
    do {
        var github: GitHubCollector?
        var repositories = githubRepos
        if let file = settings.reposFrom {
            repositories += try repositoryList(file)
        }
        if !githubOrgs.isEmpty || !repositories.isEmpty {
            var options = GitHubCollectorOptions()
            options.organizations = githubOrgs
            options.repositories = repositories
            if let githubAPIURL {
                guard let url = URL(string: githubAPIURL) else { throw LiveCollectionError.invalidURL(HTTPClient.withoutUserInfo(githubAPIURL)) }
                options.apiURL = url
            }
            options.includeArchived = includeArchived
            options.includeForks = includeForks
            options.useGraphQL = !settings.restOnly
            options.graphQLBatchSize = settings.graphQLBatchSize
            options.shard = settings.shard
            let client: HTTPClient
            if let app = try GitHubAppCredentials.resolve(settings, environment: environment) {
                // The installation token is renewed as it nears expiry; GITHUB_TOKEN is not used.
                let exchange = try HTTPClient(service: "GitHub", baseURL: options.apiURL, credential: nil, options: live.clientOptions(),
                                              cache: nil, redaction: reporter.redaction, onEvent: handle)
                let authenticator = try GitHubAppAuthenticator(identity: app, apiURL: options.apiURL,
                                                               installationOwner: githubOrgs.first ?? repositories.first,
                                                               client: exchange, redaction: reporter.redaction, onEvent: handle)
                client = try HTTPClient(service: "GitHub", baseURL: options.apiURL, credential: nil, credentialProvider: authenticator,
                                        options: live.clientOptions(), cache: cache, redaction: reporter.redaction, onEvent: handle)
            } else {
                guard let githubToken else {
                    throw LiveCollectionError.missingCredential(service: "GitHub", variables: ["GITHUB_TOKEN", "GH_TOKEN", "or --github-app-id with --github-app-key"])
                }
                client = try HTTPClient(service: "GitHub", baseURL: options.apiURL, credential: .githubToken(githubToken),
                                        options: live.clientOptions(), cache: cache, redaction: reporter.redaction, onEvent: handle)
            }
            github = GitHubCollector(client: client, options: options, onEvent: handle)
        }
        var octopus: [OctopusCollector] = []
        if !octopusURLs.isEmpty {
            guard let octopusKey else { throw LiveCollectionError.missingCredential(service: "Octopus Deploy", variables: ["OCTOPUS_API_KEY"]) }
            for text in octopusURLs {
                guard let url = URL(string: text) else { throw LiveCollectionError.invalidURL(HTTPClient.withoutUserInfo(text)) }
                let client = try HTTPClient(service: "Octopus Deploy", baseURL: url, credential: .octopusAPIKey(octopusKey),
                                            options: live.clientOptions(), cache: cache, onEvent: handle)
                octopus.append(OctopusCollector(client: client, server: url, onEvent: handle))
            }
        }
        let githubCollector = github
        let octopusCollectors = octopus
        // Octopus first: its checks are cheap, and a bad key should fail before a long GitHub run.
        inputs.octopus = try BlockingRun.run {
            var results: [OctopusCollection] = []
            for collector in octopusCollectors { results.append(try await collector.collect()) }
            return results
        }
        let started = Date()
        inputs.github = try githubCollector.map { collector in try BlockingRun.run { try await collector.collect() } }
        inputs.github?.usage.seconds = Date().timeIntervalSince(started)
        if let github = githubCollector, let usage = inputs.github?.usage {
            let stats = github.client.statistics
            reporter.handle(.verbose(String(format: "github: %@ in %.1f s (%d retries, %d rate-limit waits)", usage.line, usage.seconds ?? 0,
                                            stats.retries, stats.rateLimitWaits)))
        }
    } catch let error as LiveCollectionError {
        throw fail(reporter.redact(error.description))
    }
    for collection in inputs.octopus { inputs.coverage.append(collection.coverage) }
    if let github = inputs.github { inputs.coverage.append(github.coverage) }
    return inputs
}

/// `--repos-from FILE`: one `owner/name` per line; blank lines and `#` comments are skipped.
func repositoryList(_ file: String) throws -> [String] {
    guard let handle = FileHandle(forReadingAtPath: file), let data = try? handle.readToEnd() ?? Data(),
          let text = String(data: data, encoding: .utf8) else {
        throw fail("cannot read --repos-from \(file)")
    }
    var names: [String] = []
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !line.isEmpty else { continue }
        let parts = line.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !line.contains(where: \.isWhitespace) else {
            throw fail("\(file):\(number + 1): \(line.debugDescription) is not OWNER/NAME")
        }
        names.append(line)
    }
    return names
}

/// Prints what could not be collected and says which exit code follows.
func reportIncompleteCoverage(_ coverage: CollectionCoverage) {
    guard !coverage.isComplete else { return }
    FileHandle.standardError.write(Data(
        "trustaudit: live collection incomplete: \(coverage.failures.count) part(s) could not be collected (see COVERAGE); exit code \(incompleteCoverageExitCode)\n".utf8))
}

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Save live GitHub or Octopus data as exports that `trustaudit scan` reads offline.",
        discussion: """
            Exit codes: 0 everything collected; 2 usage or credential error (e.g. HTTP 401: nothing \
            is written); 3 written, but some parts could not be collected (listed on standard error \
            and in exports/collection-coverage.json).
            """,
        subcommands: [CollectGitHubCommand.self, CollectOctopusCommand.self]
    )
}

struct CollectGitHubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github",
        abstract: "Collect organizations' and repositories' workflows and settings into a folder.",
        discussion: """
            Writes DIR/exports/github-settings/*.json (the README's export shapes, one file per repository and \
            organization) and each repository's default-branch workflows as \
            DIR/OWNER/REPO/.github/workflows/*, so `trustaudit scan DIR` reads it all offline. \
            Conditional requests use the ETags cached in the database (--db).
            """
    )

    @OptionGroup var github: GitHubSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The folder to write to.", valueName: "dir"))
    var out: String

    func validate() throws {
        guard !github.githubOrgs.isEmpty || !github.githubRepos.isEmpty || github.reposFrom != nil else {
            throw ValidationError("give --github-org ORG, --github-repo OWNER/NAME or --repos-from FILE")
        }
    }

    func run() throws {
        let audit = try database.open()
        let inputs = try collectLive(
            githubOrgs: github.githubOrgs, githubRepos: github.githubRepos, githubAPIURL: github.githubAPIURL,
            includeArchived: github.includeArchived, includeForks: github.includeForks, octopusURLs: [], live: live,
            cache: DatabaseHTTPCache(database: audit), github: github.settings())
        guard let collection = inputs.github else { return }
        do {
            try LiveExportWriter.write(collection, to: URL(fileURLWithPath: out))
        } catch {
            throw fail("cannot write \(out): \(error)")
        }
        if !live.quiet {
            FileHandle.standardError.write(Data("trustaudit: wrote \(collection.repositories.count) repositories and \(collection.organizations.count) organization(s) to \(out)\n".utf8))
        }
        if !inputs.coverage.isComplete {
            for failure in inputs.coverage.sorted {
                FileHandle.standardError.write(Data("trustaudit: coverage: \(failure.line)\n".utf8))
            }
            reportIncompleteCoverage(inputs.coverage)
            throw ExitCode(incompleteCoverageExitCode)
        }
    }
}

struct CollectOctopusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octopus",
        abstract: "Collect an Octopus Deploy server's service accounts and OIDC identities into an export file.",
        discussion: "Writes the Octopus export (README, “The trust graph”) that `trustaudit scan --octopus FILE` reads. API key from OCTOPUS_API_KEY."
    )

    @OptionGroup var octopus: OctopusSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The export file to write.", valueName: "file"))
    var out: String

    func validate() throws {
        guard octopus.octopusURLs.count == 1 else { throw ValidationError("give exactly one --octopus-url (one export file per server)") }
    }

    func run() throws {
        let audit = try database.open()
        let inputs = try collectLive(
            githubOrgs: [], githubRepos: [], githubAPIURL: nil, includeArchived: false, includeForks: false,
            octopusURLs: octopus.octopusURLs, live: live, cache: DatabaseHTTPCache(database: audit))
        guard let collection = inputs.octopus.first else { return }
        do {
            let url = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try collection.document.data.write(to: url, options: .atomic)
        } catch {
            throw fail("cannot write \(out): \(error.localizedDescription)")
        }
        if !inputs.coverage.isComplete {
            for failure in inputs.coverage.sorted {
                FileHandle.standardError.write(Data("trustaudit: coverage: \(failure.line)\n".utf8))
            }
            reportIncompleteCoverage(inputs.coverage)
            throw ExitCode(incompleteCoverageExitCode)
        }
    }
}

/// The GitHub App to collect as, from the options, the config file and the environment
/// (`GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY` with the PEM text or `GITHUB_APP_KEY_FILE`,
/// `GITHUB_APP_INSTALLATION_ID`); nil when no App is configured.
enum GitHubAppCredentials {
    static func resolve(_ settings: GitHubLiveSettings, environment: [String: String]) throws -> GitHubAppIdentity? {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let id = settings.appID ?? value("GITHUB_APP_ID")
        let keyFile = settings.appKeyFile ?? value("GITHUB_APP_KEY_FILE")
        guard id != nil || keyFile != nil else { return nil }
        guard let id else { throw LiveCollectionError.invalidAppKey("--github-app-key needs --github-app-id (or GITHUB_APP_ID)") }
        let pem: String
        if let keyFile {
            guard let handle = FileHandle(forReadingAtPath: keyFile), let data = try? handle.readToEnd(), let text = String(data: data, encoding: .utf8) else {
                throw LiveCollectionError.invalidAppKey("cannot read the private key file \(keyFile)")
            }
            pem = text
        } else if let text = value("GITHUB_APP_PRIVATE_KEY") {
            pem = text
        } else {
            throw LiveCollectionError.invalidAppKey("--github-app-id needs --github-app-key FILE (or GITHUB_APP_PRIVATE_KEY)")
        }
        var installation = settings.appInstallation
        if installation == nil, let text = value("GITHUB_APP_INSTALLATION_ID") {
            guard let number = Int(text), number > 0 else { throw LiveCollectionError.invalidAppKey("GITHUB_APP_INSTALLATION_ID is not an installation id") }
            installation = number
        }
        return GitHubAppIdentity(appID: id, privateKeyPEM: pem, installationID: installation)
    }
}

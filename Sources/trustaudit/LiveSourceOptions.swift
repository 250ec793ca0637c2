import ArgumentParser
import Foundation
import TrustAuditCore

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

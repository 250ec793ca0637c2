import ArgumentParser
import Foundation
import TrustAuditCore

/// Exit code of a scan or collection that completed, but could not collect everything from the
/// live APIs (the coverage says what and why). Findings at or above --fail-on take precedence (1).
let incompleteCoverageExitCode: Int32 = 3

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

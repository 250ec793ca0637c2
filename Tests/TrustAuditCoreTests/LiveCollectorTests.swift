import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// The live collectors against real HTTP on 127.0.0.1 (``LoopbackHTTPServer``) serving the demo
/// organization through GitHub- and Octopus-shaped APIs (``FakeAPIs``).
@Suite("Live GitHub and Octopus collectors", .serialized)
struct LiveCollectorTests {
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [LiveEvent] = []
        func add(_ event: LiveEvent) { lock.withLock { events.append(event) } }
        var lines: [String] {
            lock.withLock {
                events.compactMap {
                    switch $0 {
                    case .wait(let text), .verbose(let text), .warning(let text): return text
                    case .progress(let p): return "progress \(p.service) \(p.done)/\(p.total)"
                    }
                }
            }
        }
        var waits: [String] { lock.withLock { events.compactMap { if case .wait(let text) = $0 { return text } else { return nil } } } }
    }

    static func options(timeout: TimeInterval = 5, attempts: Int = 4) -> HTTPClientOptions {
        var options = HTTPClientOptions()
        options.allowInsecure = true
        options.timeout = timeout
        options.maxAttempts = attempts
        options.backoffBase = 0.05
        options.backoffCap = 0.2
        options.maxRateLimitWait = 5
        return options
    }

    struct Live {
        var github: GitHubCollection
        var octopus: OctopusCollection
        var githubStatistics: HTTPStatistics
    }

    static func collect(_ fakes: FakeAPIs, cache: any HTTPCache, events: Events, organizations: [String] = ["acme"],
                        options: HTTPClientOptions = options()) async throws -> Live {
        var githubOptions = GitHubCollectorOptions()
        githubOptions.organizations = organizations
        githubOptions.apiURL = fakes.github.baseURL
        let githubClient = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: .githubToken(FakeAPIs.token),
                                          options: options, cache: cache, onEvent: events.add)
        let github = try await GitHubCollector(client: githubClient, options: githubOptions, onEvent: events.add).collect()
        let octopusClient = try HTTPClient(service: "Octopus Deploy", baseURL: fakes.octopus.baseURL, credential: .octopusAPIKey(FakeAPIs.apiKey),
                                           options: options, cache: cache, onEvent: events.add)
        let octopus = try await OctopusCollector(client: octopusClient, server: fakes.octopus.baseURL, take: 2, onEvent: events.add).collect()
        return Live(github: github, octopus: octopus, githubStatistics: githubClient.statistics)
    }

    static func scan(_ live: Live, database: AuditDatabase) throws -> ScanOutcome {
        var coverage = live.github.coverage
        coverage.append(live.octopus.coverage)
        let collected = CollectedInputs(repositories: live.github.repositorySources, githubSettings: live.github.settingsDocuments,
                                        octopus: [live.octopus.document], coverage: coverage)
        return try ScanPlan(paths: [], policies: TestSupport.builtInPolicies(), collected: collected).run(database: database)
    }

    /// Every byte of the database files (main file, WAL, shared memory).
    static func databaseBytes(_ directory: URL) throws -> Data {
        var data = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("audit.db") {
            data += try Data(contentsOf: directory.appendingPathComponent(name))
        }
        return data
    }

    static func containsSecret(_ data: Data) -> Bool {
        data.range(of: Data(FakeAPIs.token.utf8)) != nil || data.range(of: Data(FakeAPIs.apiKey.utf8)) != nil
    }

    @Test("the demo org collected live through faults equals the offline exports, scans to the same findings, and a rescan is conditional")
    func demoOrgLive() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults {
            $0.environments502 = 2
            $0.secondaryRateLimit = 1
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trustaudit-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try TestSupport.openDatabase(in: directory)
        let events = Events()

        let live = try await Self.collect(fakes, cache: DatabaseHTTPCache(database: database), events: events)
        #expect(live.github.coverage.isComplete, "\(live.github.coverage.failures.map(\.line))")
        #expect(live.octopus.coverage.isComplete, "\(live.octopus.coverage.failures.map(\.line))")

        // Pagination: all 10 listed (3 pages), archived and fork skipped.
        let checked1 = fakes.github.count { $0.path == "/orgs/acme/repos" } == 3
        #expect(checked1)
        let checked2 = live.github.repositories.map(\.fullName) == fakes.repositories.map { "acme/\($0)" }
        #expect(checked2)
        // Retries: two 502s then success; a 403 secondary limit with Retry-After: 1, then success.
        let checked3 = fakes.github.count { $0.path == "/repos/acme/api/environments" } == 3
        #expect(checked3)
        let checked4 = fakes.github.count { $0.path == "/repos/acme/web/actions/oidc/customization/sub" } == 2
        #expect(checked4)
        let checked5 = events.waits.contains { $0.contains("rate limit (Retry-After)") }
        #expect(checked5, "\(events.waits)")
        let checked6 = events.waits.contains { $0.contains("HTTP 502") }
        #expect(checked6)
        // Octopus skip/take: 9 users in pages of 2, identities paged too.
        let checked7 = fakes.octopus.count { $0.path == "/api/users" } == 5
        #expect(checked7)

        // The collected documents are exactly what the offline decoders read, and say the same.
        let offlineFolder = fakes.demo.appendingPathComponent("exports/github-settings")
        for repository in live.github.repositories {
            let decoded = try GitHubSettingsExport.decode(repository.settings.data, file: "live")
            #expect(decoded.problems.isEmpty, "\(repository.fullName): \(decoded.problems)")
            let name = String(repository.fullName.split(separator: "/")[1])
            let offline = try GitHubSettingsExport.load(contentsOf: offlineFolder.appendingPathComponent("\(name).json"))
            guard case .repository(let mine) = decoded.document, case .repository(let theirs) = offline.document else {
                Issue.record("not a repository document")
                continue
            }
            #expect(mine.environments == theirs.environments, "\(name)")
            #expect(mine.oidcSubjectClaim == theirs.oidcSubjectClaim, "\(name)")
            #expect(mine.workflowPermissions == theirs.workflowPermissions, "\(name)")
            #expect(mine.defaultBranch == theirs.defaultBranch && mine.visibility == theirs.visibility)
            #expect(mine.ownerId == theirs.ownerId && mine.repositoryId == theirs.repositoryId)
            // Branch policies are fetched where an environment has custom ones, as GitHub serves them.
            for environment in mine.environments ?? [] {
                if case .restricted(_, true)? = environment.deploymentBranchPolicy {
                    #expect(mine.deploymentBranchPolicies?[environment.name] == theirs.deploymentBranchPolicies?[environment.name])
                }
            }
            let files = repository.snapshot.files.map(\.path)
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: fakes.demo.appendingPathComponent(name).appendingPathComponent(".github/workflows").path)
            let checked8 = files == onDisk.sorted().map { ".github/workflows/\($0)" }
            #expect(checked8)
        }
        let octopus = try OctopusExport.decode(live.octopus.document.data, file: "live")
        let offlineOctopus = try OctopusExport.load(contentsOf: fakes.demo.appendingPathComponent("exports/octopus/acme.octopus.app.json"))
        #expect(octopus.problems.isEmpty, "\(octopus.problems)")
        #expect(octopus.serviceAccounts == offlineOctopus.serviceAccounts)

        // A scan of the live inputs finds what the demo's offline scan finds.
        let outcome = try Self.scan(live, database: database)
        let keys = Set(outcome.findings.filter { !$0.waived }.map(TestSupport.key))
        #expect(keys == DemoOrgTests.expected, "missing \(DemoOrgTests.expected.subtracting(keys)); extra \(keys.subtracting(DemoOrgTests.expected))")
        #expect(outcome.coverage.isEmpty)

        // The nightly rescan: root trees and settings are conditional (304s, free on GitHub's
        // primary limit); subtrees and blobs by SHA are not asked for at all.
        let before = fakes.github.requests.count
        let answered304 = fakes.notModifiedAnswers
        let second = try await Self.collect(fakes, cache: DatabaseHTTPCache(database: database), events: events)
        let rescan = Array(fakes.github.requests.dropFirst(before))
        let checked9 = !rescan.contains { $0.path.contains("/git/blobs/") }
        #expect(checked9)
        let checked10 = !rescan.contains { $0.path.hasSuffix(FakeAPIs.treeSHA("gh-api")) || $0.path.hasSuffix(FakeAPIs.treeSHA("wf-api")) }
        #expect(checked10)
        let conditional = rescan.filter { $0.headers["if-none-match"] != nil }
        #expect(conditional.count == rescan.count - 1, "all but /rate_limit are conditional")
        #expect(fakes.notModifiedAnswers - answered304 >= conditional.count)
        #expect(second.githubStatistics.cacheHits > 0)
        #expect(second.githubStatistics.notModified == conditional.count)
        let again = try Self.scan(second, database: database)
        #expect(again.reusedSnapshot, "unchanged inputs share the previous snapshot")

        // No credential anywhere: not in the database, not in any log line.
        #expect(!Self.containsSecret(try Self.databaseBytes(directory)))
        let checked11 = !events.lines.contains { $0.contains(FakeAPIs.token) || $0.contains(FakeAPIs.apiKey) }
        #expect(checked11)
        #expect(try database.count("SELECT COUNT(*) FROM http_cache WHERE CAST(body AS TEXT) LIKE '%[REDACTED]%'") ?? 0 > 0,
                "the echoed API key was redacted before caching")
    }

    @Test("what fails is recorded as coverage with the reason, and the scan completes")
    func failuresBecomeCoverage() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults {
            $0.slowBlobDelay = 2.5
            $0.malformedDocsEnvironments = true
            $0.infraPermissionsForbidden = true
            $0.octopusPermissions500 = true
        }
        try await TestSupport.withTemporaryDirectoryAsync { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let events = Events()
            let live = try await Self.collect(fakes, cache: DatabaseHTTPCache(database: database), events: events,
                                              organizations: ["acme", "ghost"], options: Self.options(timeout: 1, attempts: 2))
            let lines = (live.github.coverage.failures + live.octopus.coverage.failures).map(\.line)
            func has(_ parts: String...) -> Bool { lines.contains { line in parts.allSatisfy(line.contains) } }
            #expect(has("github ghost", "not found", "404"), "\(lines)")
            #expect(has("acme/web", "workflows/.github/workflows/deploy.yml", "timed out", "after 2 attempts"), "\(lines)")
            #expect(has("acme/docs", "environments", "malformed JSON"), "\(lines)")
            #expect(has("acme/infra", "workflow_permissions", "403", "administration=read"), "\(lines)")
            #expect(has("octopus", "permissions.Users-109", "HTTP 500"), "\(lines)")
            let checked12 = fakes.octopus.count { $0.path == "/api/users/Users-109/permissions" } == 2
            #expect(checked12, "retried once")
            #expect(lines.count == 5, "\(lines)")

            let outcome = try Self.scan(live, database: database)
            #expect(outcome.coverage.count == 5)
            let coverage = try database.strings("SELECT status || ' ' || COALESCE(subject, '') || ' ' || COALESCE(detail, '') FROM coverage")
            let checked13 = coverage.contains { $0.hasPrefix("unreadable ghost not collected:") }
            #expect(checked13, "\(coverage)")
            let checked14 = coverage.contains { $0.hasPrefix("problem") && $0.contains("environments: not collected") }
            #expect(checked14)
            let incomplete = try database.strings("SELECT repository || ': ' || collection_error FROM repositories WHERE collection_error IS NOT NULL")
            #expect(incomplete.count == 1 && incomplete[0].hasPrefix("acme/web: "), "\(incomplete)")
            let unread = try database.strings("SELECT file || ' ' || parse_error FROM workflows WHERE repository = 'acme/web'")
            let checked15 = unread.contains { $0.hasPrefix(".github/workflows/deploy.yml not collected") }
            #expect(checked15, "\(unread)")
            // Missing keys stay "not collected": infra still has its environments, but no permissions row.
            #expect(try database.count("SELECT COUNT(*) FROM repositories WHERE repository = 'acme/infra' AND default_workflow_permissions = 'read'") == 1,
                    "the organization's default fills in")
            #expect(!Self.containsSecret(try Self.databaseBytes(directory)))
        }
    }

    @Test("without rulesets (404), branch protection falls back to the classic endpoint; its review requirement stays not collected")
    func classicProtectionFallback() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.noRulesets = true }
        try await TestSupport.withTemporaryDirectoryAsync { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let live = try await Self.collect(fakes, cache: MemoryHTTPCache(), events: Events())
            #expect(live.github.coverage.isComplete, "\(live.github.coverage.failures.map(\.line))")
            let required16 = live.github.repositories.first { $0.fullName == "acme/web" }
            let web = try #require(required16)
            let settings = try GitHubSettingsExport.decode(web.settings.data, file: "web")
            guard case .repository(let repository) = settings.document else {
                Issue.record("acme/web's settings are not a repository's")
                return
            }
            let main = try #require(repository.branchProtections?["main"])
            #expect(main.isProtected && main.source == "classic" && main.requiredApprovals == nil, "\(main)")
            let checked17 = fakes.github.count { $0.path == "/repos/acme/web/branches/main" } == 1
            #expect(checked17)

            let outcome = try Self.scan(live, database: database)
            let reasons = try database.strings("SELECT reachable_reason FROM trust_graph WHERE repository = 'acme/web'", snapshot: outcome.scanID)
            let checked18 = !reasons.contains { $0.contains("requires 1 approving review") }
            #expect(checked18, "a review requirement nobody could read is not claimed")
            let rules = try database.strings("""
                SELECT source || ' ' || is_protected || ' ' || COALESCE(required_approvals, 'unknown') FROM ref_rules
                WHERE repository = 'acme/web' AND kind = 'branch' AND name = 'main'
                """, snapshot: outcome.scanID)
            #expect(rules == ["classic 1 unknown"], "\(rules)")
        }
    }

    @Test("a rejected token stops before anything is collected; a non-Octopus URL and plain HTTP are refused")
    func credentialsAndServers() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        var options = GitHubCollectorOptions()
        options.organizations = ["acme"]
        options.apiURL = fakes.github.baseURL
        let wrongToken = "ghp_WRONGTOKEN000000000000"
        let client = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: .githubToken(wrongToken),
                                    options: Self.options(), cache: MemoryHTTPCache())
        do {
            _ = try await GitHubCollector(client: client, options: options).collect()
            Issue.record("a 401 must throw")
        } catch let error as LiveCollectionError {
            guard case .unauthorized = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("Bad credentials") && !error.description.contains(wrongToken))
        }
        #expect(fakes.github.requests.map(\.path) == ["/rate_limit"], "one request, no retries, nothing collected")

        // GitHub's API is not Octopus.
        let notOctopus = try HTTPClient(service: "Octopus Deploy", baseURL: fakes.github.baseURL, credential: .octopusAPIKey(FakeAPIs.apiKey),
                                        options: Self.options(), cache: nil)
        do {
            _ = try await OctopusCollector(client: notOctopus, server: fakes.github.baseURL).collect()
            Issue.record("must be refused")
        } catch let error as LiveCollectionError {
            guard case .notTheExpectedServer = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("is not an Octopus Deploy server"))
        }
        // A wrong Octopus key: 401 before any listing.
        let badKey = try HTTPClient(service: "Octopus Deploy", baseURL: fakes.octopus.baseURL, credential: .octopusAPIKey("API-WRONGKEY0000"),
                                    options: Self.options(), cache: nil)
        await #expect(throws: LiveCollectionError.self) { _ = try await OctopusCollector(client: badKey, server: fakes.octopus.baseURL).collect() }
        let checked19 = fakes.octopus.count { $0.path == "/api/users" } == 0
        #expect(checked19)

        // Plain HTTP with a credential, without allowInsecure.
        #expect(throws: LiveCollectionError.self) {
            _ = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: .githubToken(FakeAPIs.token), cache: nil)
        }
    }

    @Test("primary rate limit: a spent budget waits for the reset with a message", .timeLimit(.minutes(1)))
    func primaryRateLimit() async throws {
        let calls = Events()
        let reset = Int(Date().timeIntervalSince1970) + 2
        let server = try LoopbackHTTPServer { request in
            let first = request.path == "/first"
            return .json("{}", headers: ["X-RateLimit-Limit": "60", "X-RateLimit-Remaining": first ? "0" : "59", "X-RateLimit-Reset": String(reset)])
        }
        defer { server.stop() }
        let client = try HTTPClient(service: "GitHub", baseURL: server.baseURL, credential: .githubToken(FakeAPIs.token),
                                    options: Self.options(), cache: nil, onEvent: calls.add)
        _ = try await client.getOK(server.baseURL.appendingPathComponent("first"))
        let started = Date()
        _ = try await client.getOK(server.baseURL.appendingPathComponent("second"))
        #expect(Date().timeIntervalSince(started) >= 0.5, "waited for the reset")
        let checked20 = calls.waits.contains { $0.contains("primary rate limit: 0 of 60") }
        #expect(checked20, "\(calls.waits)")
    }

    @Test("the CLI: live scan with --verbose never prints or stores the token; exit 3 for incomplete coverage, 2 for a 401; collect writes what scan reads",
          .enabled(if: CLI.executable != nil), .timeLimit(.minutes(2)))
    func commandLine() throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.infraPermissionsForbidden = true }
        try CLI.inTemporaryDirectory { directory in
            let environment = ["GITHUB_TOKEN": FakeAPIs.token, "OCTOPUS_API_KEY": FakeAPIs.apiKey, "GH_TOKEN": ""]
            let live = ["--github-api-url", fakes.github.baseURL.absoluteString, "--octopus-url", fakes.octopus.baseURL.absoluteString,
                        "--allow-insecure", "--request-timeout", "5"]
            let scan = try CLI.run(["scan", "--github-org", "acme", "--db", "audit.db", "--verbose"] + live, in: directory, environment: environment)
            #expect(scan.status == 3, "\(scan.stderr)")
            #expect(scan.stderr.contains("POST \(fakes.github.baseURL.absoluteString)/graphql"), "verbose logs requests")
            #expect(scan.stderr.contains("REST requests (") && scan.stderr.contains("GraphQL queries costing"), "and what they cost")
            #expect(scan.stdout.contains("COVERAGE"), "\(scan.stdout)")
            #expect(scan.stdout.contains("workflow_permissions: not collected"), "\(scan.stdout)")
            #expect(scan.stdout.contains("permissions-write-all"))
            for text in [scan.stdout, scan.stderr] {
                #expect(!text.contains(FakeAPIs.token) && !text.contains(FakeAPIs.apiKey))
            }
            #expect(!Self.containsSecret(try Self.databaseBytes(directory)))
            // `scans` shows what the collection cost.
            let scans = try CLI.run(["scans", "--db", "audit.db"], in: directory, environment: environment)
            #expect(scans.stdout.contains("[github: ") && scans.stdout.contains("REST/repo") && scans.stdout.contains("GraphQL 4 pts"), "\(scans.stdout)")
            let scansJSON = try CLI.run(["scans", "--db", "audit.db", "--format", "json"], in: directory, environment: environment)
            let entries = try JSONSerialization.jsonObject(with: Data(scansJSON.stdout.utf8)) as? [[String: Any]]
            let usage = (entries?.first?["api_usage"] as? [String: Any])?["github"] as? [String: Any]
            #expect(usage?["repositories"] as? Int == 8 && usage?["graphql_requests"] as? Int == 4, "\(scansJSON.stdout)")
            #expect((usage?["rest_requests"] as? Int ?? 0) > 8)

            let rejected = try CLI.run(["scan", "--github-org", "acme", "--db", "audit.db"] + live, in: directory,
                                       environment: ["GITHUB_TOKEN": "ghp_EXPIRED00000000000000", "OCTOPUS_API_KEY": FakeAPIs.apiKey])
            #expect(rejected.status == 2)
            #expect(rejected.stderr.contains("HTTP 401") && rejected.stderr.contains("Nothing was scanned"), "\(rejected.stderr)")
            #expect(!rejected.stderr.contains("ghp_EXPIRED00000000000000") && rejected.stdout.isEmpty)

            fakes.setFaults { $0.infraPermissionsForbidden = false }
            let collected = try CLI.run(["collect", "github", "--github-org", "acme", "--out", "org", "--db", "audit.db", "--quiet",
                                         "--github-api-url", fakes.github.baseURL.absoluteString, "--allow-insecure"], in: directory, environment: environment)
            #expect(collected.status == 0, "\(collected.stderr)")
            let octopusFile = try CLI.run(["collect", "octopus", "--octopus-url", fakes.octopus.baseURL.absoluteString, "--out", "org/exports/octopus/acme.json",
                                           "--db", "audit.db", "--allow-insecure"], in: directory, environment: environment)
            #expect(octopusFile.status == 0, "\(octopusFile.stderr)")
            let offline = try CLI.run(["scan", "org", "--db", "offline.db", "--format", "json"], in: directory, environment: ["GITHUB_TOKEN": ""])
            #expect(offline.status == 0, "\(offline.stderr)")
            let findings = try JSONSerialization.jsonObject(with: Data(offline.stdout.utf8)) as? [String: Any]
            let list = findings?["findings"] as? [[String: Any]] ?? []
            let unwaived = list.filter { ($0["waived"] as? Bool) != true }
            #expect(unwaived.count == DemoOrgTests.expected.count, "the offline scan of the collected folder finds what the demo does")
        }
    }
}

extension TestSupport {
    static func withTemporaryDirectoryAsync(_ body: (URL) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trustaudit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(url)
    }
}

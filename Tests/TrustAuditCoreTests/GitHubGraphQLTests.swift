import Foundation
import Testing
@testable import TrustAuditCore

/// GraphQL collection against the loopback fake's `/graphql`, which serves the demo organization
/// as GitHub's schema shapes it: the same organization collected through REST alone and through
/// GraphQL must scan to the same findings, with far fewer REST requests.
@Suite("GitHub GraphQL collection", .serialized)
struct GitHubGraphQLTests {
    typealias Events = LiveCollectorTests.Events

    static func collect(_ fakes: FakeAPIs, cache: any HTTPCache, graphQL: Bool = true, organizations: [String] = ["acme"],
                        repositories: [String] = [], shard: GitHubShard? = nil, batch: Int = 4,
                        events: Events = Events()) async throws -> (collection: GitHubCollection, statistics: HTTPStatistics) {
        var options = GitHubCollectorOptions()
        options.organizations = organizations
        options.repositories = repositories
        options.apiURL = fakes.github.baseURL
        options.useGraphQL = graphQL
        options.graphQLBatchSize = batch
        options.shard = shard
        let client = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: .githubToken(FakeAPIs.token),
                                    options: LiveCollectorTests.options(), cache: cache, onEvent: events.add)
        let collection = try await GitHubCollector(client: client, options: options, onEvent: events.add).collect()
        return (collection, client.statistics)
    }

    static func files(_ collection: GitHubCollection) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for repository in collection.repositories {
            for file in repository.snapshot.files {
                if case .success(let bytes) = file.content { result["\(repository.fullName)/\(file.path)"] = bytes }
            }
        }
        return result
    }

    @Test("the demo org through GraphQL: the same workflows and findings as REST, fewer REST requests, and a nightly rescan answered by 304s")
    func demoOrg() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        try await TestSupport.withTemporaryDirectoryAsync { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let rest = try await Self.collect(fakes, cache: MemoryHTTPCache(), graphQL: false)
            let restRequests = fakes.github.requests.count
            let graph = try await Self.collect(fakes, cache: DatabaseHTTPCache(database: database))
            let graphRequests = Array(fakes.github.requests.dropFirst(restRequests))

            #expect(graph.collection.coverage.isComplete, "\(graph.collection.coverage.failures.map(\.line))")
            #expect(graph.collection.repositories.map(\.fullName) == rest.collection.repositories.map(\.fullName))
            #expect(Self.files(graph.collection) == Self.files(rest.collection))
            let checked1 = !graphRequests.contains { $0.path.contains("/git/") }
            #expect(checked1, "no trees or blobs: GraphQL gave the text, verified by its SHA")
            let checked2 = !graphRequests.contains { $0.path == "/orgs/acme/repos" }
            #expect(checked2)

            // Lists of 3 per page for 8 repositories (archived and forks filtered by GitHub), batches of 4.
            let queries = graphRequests.filter { $0.path == "/graphql" }
            #expect(queries.count == 3 + 2, "\(queries.count)")
            #expect(graph.collection.usage.graphQLRequests == 5 && graph.collection.usage.graphQLCost == 5)
            let repositories = graph.collection.repositories.count
            let restPerRepository = Double(graphRequests.count - queries.count) / Double(repositories)
            let restOnlyPerRepository = Double(restRequests) / Double(repositories)
            #expect(restPerRepository <= 3.25 && restPerRepository < restOnlyPerRepository - 1,
                    "REST per repository: \(restPerRepository) with GraphQL, \(restOnlyPerRepository) without")
            #expect(graph.collection.usage.repositories == repositories)

            // Settings say the same: environments without rules come from GraphQL, the rest from REST.
            for (mine, theirs) in zip(graph.collection.repositories, rest.collection.repositories) {
                let left = try GitHubSettingsExport.decode(mine.settings.data, file: "graphql")
                let right = try GitHubSettingsExport.decode(theirs.settings.data, file: "rest")
                #expect(left.problems.isEmpty, "\(left.problems)")
                guard case .repository(let a) = left.document, case .repository(let b) = right.document else { continue }
                #expect(a.environments?.map(\.name) == b.environments?.map(\.name), "\(mine.fullName)")
                #expect(a.environments?.map(\.protectionRules) == b.environments?.map(\.protectionRules), "\(mine.fullName)")
                #expect(a.environments?.map(\.deploymentBranchPolicy) == b.environments?.map(\.deploymentBranchPolicy), "\(mine.fullName)")
                #expect(a.deploymentBranchPolicies == b.deploymentBranchPolicies && a.oidcSubjectClaim == b.oidcSubjectClaim)
                #expect(a.defaultBranch == b.defaultBranch && a.visibility == b.visibility && a.repositoryId == b.repositoryId && a.ownerId == b.ownerId)
                #expect(a.branchProtections == b.branchProtections, "\(mine.fullName): branch rules differ")
                #expect(a.tagRulesets != nil && b.tagRulesets == nil, "\(mine.fullName): tag rulesets come with the GraphQL batch only")
                if let branch = a.defaultBranch {
                    let asked = graphRequests.contains { $0.path.hasPrefix("/repos/\(mine.fullName)/rules/branches/\(branch)") }
                    #expect(!asked, "\(mine.fullName): GraphQL gave the default branch's rules, REST asked again")
                }
            }

            let live = LiveCollectorTests.Live(github: graph.collection, octopus: try await Self.octopus(fakes), githubStatistics: graph.statistics)
            let outcome = try LiveCollectorTests.scan(live, database: database)
            let keys = Set(outcome.findings.filter { !$0.waived }.map(TestSupport.key))
            #expect(keys == DemoOrgTests.expected, "missing \(DemoOrgTests.expected.subtracting(keys)); extra \(keys.subtracting(DemoOrgTests.expected))")

            // The nightly rescan: every REST request but the free /rate_limit is answered 304.
            let before = fakes.github.requests.count
            let night = try await Self.collect(fakes, cache: DatabaseHTTPCache(database: database))
            let rescan = fakes.github.requests.dropFirst(before).filter { $0.path != "/graphql" && $0.path != "/rate_limit" }
            #expect(night.statistics.notModified == rescan.count && !rescan.isEmpty, "\(night.statistics)")
        }
    }

    static func octopus(_ fakes: FakeAPIs) async throws -> OctopusCollection {
        let client = try HTTPClient(service: "Octopus Deploy", baseURL: fakes.octopus.baseURL, credential: .octopusAPIKey(FakeAPIs.apiKey),
                                    options: LiveCollectorTests.options(), cache: nil)
        return try await OctopusCollector(client: client, server: fakes.octopus.baseURL).collect()
    }

    @Test("a batch that fails is split until single repositories succeed; text that does not hash to its oid is fetched by REST")
    func failingBatchesAndWrongText() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults {
            $0.graphQLBatches502 = true
            $0.graphQLWrongText = true
        }
        let events = Events()
        let (collection, _) = try await Self.collect(fakes, cache: MemoryHTTPCache(), events: events)
        #expect(collection.coverage.isComplete, "\(collection.coverage.failures.map(\.line))")
        #expect(collection.repositories.count == fakes.repositories.count)
        let checked3 = events.lines.contains { $0.contains("GraphQL batch of 4 failed") }
        #expect(checked3)
        let honest = fakes.workflowBytes("web", "deploy.yml")
        #expect(Self.files(collection)["acme/web/.github/workflows/deploy.yml"] == honest)
        let checked4 = fakes.github.count { $0.path == "/repos/acme/web/git/blobs/\(GitObjectID.blob(honest))" } == 1
        #expect(checked4)
    }

    @Test("without a GraphQL API the collection falls back to REST, with a warning")
    func noGraphQL() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.noGraphQL = true }
        let events = Events()
        let (collection, _) = try await Self.collect(fakes, cache: MemoryHTTPCache(), events: events)
        #expect(collection.coverage.isComplete)
        #expect(collection.repositories.count == fakes.repositories.count)
        let checked5 = events.lines.contains { $0.contains("GraphQL API cannot be used") && $0.contains("REST only") }
        #expect(checked5)
    }

    @Test("named repositories are fetched by alias; an unknown one and an unknown organization are coverage")
    func namedRepositories() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        let (collection, _) = try await Self.collect(fakes, cache: MemoryHTTPCache(), organizations: ["ghost"],
                                                     repositories: ["acme/api", "acme/web", "acme/nosuch", "acme/old"])
        #expect(collection.repositories.map(\.fullName) == ["acme/api", "acme/old", "acme/web"], "named archived repositories are collected")
        let lines = collection.coverage.failures.map(\.line)
        let checked6 = lines.contains { $0.hasPrefix("github acme/nosuch") && $0.contains("not found") }
        #expect(checked6, "\(lines)")
        let checked7 = lines.contains { $0.hasPrefix("github ghost") && $0.contains("not found") }
        #expect(checked7, "\(lines)")
        let checked8 = collection.organizations.map(\.name).contains { $0.hasSuffix("/orgs/acme") }
        #expect(checked8, "the named repositories' organization settings")
    }

    @Test("shards split the repositories disjointly and completely; organization settings go with shard 1")
    func shards() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        var seen: [String] = []
        for index in 1...3 {
            let shard = try #require(GitHubShard("\(index)/3"))
            let (collection, _) = try await Self.collect(fakes, cache: MemoryHTTPCache(), shard: shard)
            #expect(collection.coverage.isComplete)
            let checked9 = collection.repositories.allSatisfy { shard.contains($0.fullName) }
            #expect(checked9)
            #expect(collection.organizations.isEmpty == (index != 1))
            seen += collection.repositories.map(\.fullName)
        }
        let checked10 = seen.sorted() == fakes.repositories.map { "acme/\($0)" }.sorted()
        #expect(checked10)
        #expect(GitHubShard("0/3") == nil && GitHubShard("4/3") == nil && GitHubShard("x") == nil)
        // Spread: 1,000 names over 4 shards, none empty or holding more than a third.
        let names = (0..<1000).map { "acme/repo-\($0)" }
        for index in 1...4 {
            let count = names.filter { GitHubShard(index: index, count: 4)!.contains($0) }.count
            #expect((150...333).contains(count), "shard \(index): \(count)")
        }
    }

    @Test("the CLI: --repos-from collects the listed repositories; a bad line is exit 2 naming the file and line; --shard is validated",
          .enabled(if: CLI.executable != nil), .timeLimit(.minutes(2)))
    func reposFromCommandLine() throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        try CLI.inTemporaryDirectory { directory in
            let environment = ["GITHUB_TOKEN": FakeAPIs.token, "GH_TOKEN": ""]
            let common = ["--github-api-url", fakes.github.baseURL.absoluteString, "--allow-insecure", "--db", "audit.db", "--quiet"]
            try "# deploy targets\nacme/api\n\nacme/web   # the site\n".write(to: directory.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
            let good = try CLI.run(["collect", "github", "--repos-from", "list.txt", "--out", "org"] + common, in: directory, environment: environment)
            #expect(good.status == 0, "\(good.stderr)")
            let written = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("org/acme").path).sorted()
            #expect(written == ["api", "web"])

            try "acme/api\nnot a name\n".write(to: directory.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
            let bad = try CLI.run(["collect", "github", "--repos-from", "bad.txt", "--out", "org2"] + common, in: directory, environment: environment)
            #expect(bad.status == 2 && bad.stderr.contains("bad.txt:2"), "\(bad.stderr)")

            let shard = try CLI.run(["collect", "github", "--github-org", "acme", "--shard", "3/2", "--out", "org3"] + common, in: directory, environment: environment)
            #expect(shard.status == 2 && shard.stderr.contains("--shard must be K/N"), "\(shard.stderr)")
        }
    }

    @Test("batches are sized within GraphQL's node limit")
    func batchSizing() {
        #expect(GitHubGraphQL.batchSize(requested: 100) == 100)
        #expect(GitHubGraphQL.nodes(batch: GitHubGraphQL.batchSize(requested: 100)) <= GitHubGraphQL.nodeLimit)
        #expect(GitHubGraphQL.batchSize(requested: 0) == 1)
        #expect(GitHubGraphQL.endpoint(forAPI: "https://api.github.com")?.absoluteString == "https://api.github.com/graphql")
        #expect(GitHubGraphQL.endpoint(forAPI: "https://ghe.example.com/api/v3")?.absoluteString == "https://ghe.example.com/api/graphql")
    }

    @Test("tag rulesets from GraphQL read as GitHub's REST ruleset bodies; an answer missing rulesets or rules is not collected")
    func tagRulesets() throws {
        let node: [String: Any] = [
            "totalCount": 1,
            "nodes": [["databaseId": 42, "name": "release tags", "target": "TAG", "enforcement": "ACTIVE",
                       "conditions": ["refName": ["include": ["refs/tags/v*"], "exclude": [String]()]],
                       "rules": ["totalCount": 2, "nodes": [["type": "CREATION"], ["type": "UPDATE"]]]]],
        ]
        let parsed = try #require(GitHubGraphQL.tagRulesets(node))
        let body = try #require(parsed.first?.restBody)
        var reader = JSONTreeReader(file: "graphql")
        let protections = try #require(GitHubRefRulesExport.tagRulesets(["rulesets": [body]], reader: &reader))
        #expect(protections.count == 1)
        #expect(protections.first?.include == ["refs/tags/v*"])
        #expect(protections.first?.restrictsCreation == true && protections.first?.restrictsUpdates == true)

        var partial = node
        partial["totalCount"] = 2
        #expect(GitHubGraphQL.tagRulesets(partial) == nil, "one ruleset of two is not all of them")
        var manyRules = (node["nodes"] as? [[String: Any]])?.first ?? [:]
        manyRules["rules"] = ["totalCount": 60, "nodes": [["type": "CREATION"]]]
        #expect(GitHubGraphQL.tagRulesets(["totalCount": 1, "nodes": [manyRules]]) == nil)
        #expect(GitHubGraphQL.tagRulesets(nil) == nil)
    }
}

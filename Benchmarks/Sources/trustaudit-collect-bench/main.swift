import Foundation
import TrustAuditCore

// Live collection against a loopback GitHub with real latency: how many REST requests per
// repository a cold collection needs beside its GraphQL queries, and how many of a nightly
// unchanged collection's REST requests GitHub answers 304 (free on its primary rate limit).
//
//   trustaudit-collect-bench [--repos N] [--latency-ms MS] [--concurrency N] [--batch N] [--json FILE]

var arguments = CommandLine.arguments.dropFirst().makeIterator()
var repositoryCount = 10_000
var latency = 0.05
var concurrency = 8
var batch = 25
var jsonFile: String?
while let argument = arguments.next() {
    switch argument {
    case "--repos": repositoryCount = arguments.next().flatMap(Int.init) ?? repositoryCount
    case "--latency-ms": latency = (arguments.next().flatMap(Double.init) ?? 50) / 1000
    case "--concurrency": concurrency = arguments.next().flatMap(Int.init) ?? concurrency
    case "--batch": batch = arguments.next().flatMap(Int.init) ?? batch
    case "--json": jsonFile = arguments.next()
    default:
        FileHandle.standardError.write(Data("usage: trustaudit-collect-bench [--repos N] [--latency-ms MS] [--concurrency N] [--batch N] [--json FILE]\n".utf8))
        exit(2)
    }
}

struct Run: Codable {
    var scenario: String
    var seconds: Double
    var repositories: Int
    var restRequests: Int
    var restNotModified: Int
    var graphQLQueries: Int
    var graphQLCost: Int
    var coverageProblems: Int

    var restPerRepository: Double { repositories > 0 ? Double(restRequests) / Double(repositories) : 0 }
    var notModifiedShare: Double { restRequests > 0 ? Double(restNotModified) / Double(restRequests) : 0 }
}

let organization = SyntheticGitHub(count: repositoryCount)
let server = try LatencyHTTPServer(latency: latency) { organization.answer($0) }
let work = FileManager.default.temporaryDirectory.appendingPathComponent("trustaudit-collect-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let database = try AuditDatabase.open(path: work.appendingPathComponent("audit.db").path)

@MainActor
func collect(_ scenario: String) throws -> Run {
    var options = GitHubCollectorOptions()
    options.organizations = [organization.organization]
    options.apiURL = server.baseURL
    options.useGraphQL = true
    options.graphQLBatchSize = batch
    var clientOptions = HTTPClientOptions()
    clientOptions.allowInsecure = true
    clientOptions.concurrency = concurrency
    let client = try HTTPClient(service: "GitHub", baseURL: server.baseURL, credential: .githubToken("ghp_BENCHMARKTOKEN0000000000000000"),
                                options: clientOptions, cache: DatabaseHTTPCache(database: database))
    let before = organization.answered
    let started = Date()
    let collector = GitHubCollector(client: client, options: options)
    let collection = try BlockingRun.run { try await collector.collect() }
    let seconds = Date().timeIntervalSince(started)
    let after = organization.answered
    return Run(scenario: scenario, seconds: seconds, repositories: collection.repositories.count,
               restRequests: after.rest - before.rest, restNotModified: after.notModified - before.notModified,
               graphQLQueries: after.graphQL - before.graphQL, graphQLCost: collection.usage.graphQLCost,
               coverageProblems: collection.coverage.failures.count)
}

FileHandle.standardError.write(Data("collect-bench: \(repositoryCount) repositories, \(Int(latency * 1000)) ms latency, concurrency \(concurrency), GraphQL batches of \(batch)\n".utf8))
let runs = [try collect("cold"), try collect("nightly, unchanged")]
server.stop()

var table = """
    | scenario | repositories | wall time | REST requests | REST / repository | answered 304 | GraphQL queries | GraphQL cost | coverage problems |
    |---|---:|---:|---:|---:|---:|---:|---:|---:|

    """
for run in runs {
    table += String(format: "| %@ | %d | %.1f s | %d | %.2f | %.1f%% | %d | %d | %d |\n", run.scenario, run.repositories, run.seconds, run.restRequests,
                    run.restPerRepository, run.notModifiedShare * 100, run.graphQLQueries, run.graphQLCost, run.coverageProblems)
}
let cold = runs[0], nightly = runs[1]
let pages = (repositoryCount + 99) / 100 + (repositoryCount + batch - 1) / batch
table += String(format: "\nTargets: cold ≤ 2.5 REST requests per repository plus GraphQL pages (%.2f, plus %d GraphQL queries: %@); nightly ≥ 95%% of REST answered 304 (%.1f%%: %@).\n",
                cold.restPerRepository, cold.graphQLQueries, cold.restPerRepository <= 2.5 && cold.graphQLQueries <= pages ? "met" : "missed",
                nightly.notModifiedShare * 100, nightly.notModifiedShare >= 0.95 ? "met" : "missed")
print(table, terminator: "")
if let jsonFile {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(runs).write(to: URL(fileURLWithPath: jsonFile))
}

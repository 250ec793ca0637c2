import Foundation
import Testing
@testable import TrustAuditCore

/// Live APIs that lie, loop, flood or stall, on real loopback HTTP. Every hostile input is made
/// here at test time (a tampered blob, a truncated tree, a self-linking page, bodies larger than
/// the cap, bytes that trickle, headers that never end); nothing large is committed.
@Suite("Hostile live APIs", .serialized)
struct HostileLiveTests {
    typealias Events = LiveCollectorTests.Events

    static func github(_ fakes: FakeAPIs, cache: any HTTPCache, options: HTTPClientOptions = LiveCollectorTests.options(),
                       events: Events = Events()) async throws -> (collection: GitHubCollection, statistics: HTTPStatistics) {
        var githubOptions = GitHubCollectorOptions()
        githubOptions.organizations = ["acme"]
        githubOptions.apiURL = fakes.github.baseURL
        let client = try HTTPClient(service: "GitHub", baseURL: fakes.github.baseURL, credential: .githubToken(FakeAPIs.token),
                                    options: options, cache: cache, onEvent: events.add)
        let collection = try await GitHubCollector(client: client, options: githubOptions, onEvent: events.add).collect()
        return (collection, client.statistics)
    }

    static func lines(_ collection: GitHubCollection) -> [String] { collection.coverage.failures.map(\.line) }

    static func bytes(_ collection: GitHubCollection, _ repository: String, _ file: String) -> [UInt8]? {
        let files = collection.repositories.first { $0.fullName == repository }?.snapshot.files ?? []
        guard case .success(let bytes)? = files.first(where: { $0.path == ".github/workflows/\(file)" })?.content else { return nil }
        return bytes
    }

    @Test("a nightly rescan whose listing pages all answer 304 without Link still lists every repository")
    func notModifiedPagesKeepPaginating() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        let cache = MemoryHTTPCache()
        let first = try await Self.github(fakes, cache: cache)
        let second = try await Self.github(fakes, cache: cache)
        #expect(first.collection.repositories.count == fakes.repositories.count)
        #expect(second.collection.repositories.map(\.fullName) == first.collection.repositories.map(\.fullName))
        #expect(second.collection.coverage.isComplete, "\(Self.lines(second.collection))")
        let listing = fakes.github.requests.filter { $0.path == "/orgs/acme/repos" }
        #expect(listing.count == 6, "three pages each night")
        let checked1 = listing.suffix(3).allSatisfy { $0.headers["if-none-match"] != nil }
        #expect(checked1, "the rescan asked for every page conditionally")
        #expect(second.statistics.notModified >= 3)
    }

    @Test("a `next` link back to a fetched page is reported as incomplete coverage, and the pages read are kept")
    func selfLinkingPage() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.selfLinkingPage = true }
        let (collection, _) = try await Self.github(fakes, cache: MemoryHTTPCache())
        let lines = Self.lines(collection)
        let checked2 = lines.contains { $0.contains("github acme repositories") && $0.contains("pagination loops") }
        #expect(checked2, "\(lines)")
        let checked3 = fakes.github.count { $0.path == "/orgs/acme/repos" } == 2
        #expect(checked3, "page 2 is not fetched twice")
        #expect(collection.repositories.count == min(fakes.repositories.count, 8), "pages 1 and 2 (four each) are kept")
    }

    @Test("a blob that does not hash to its SHA is rejected, reported, never cached; a poisoned cache entry is fetched again")
    func tamperedBlob() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.tamperedBlob = true }
        let cache = MemoryHTTPCache()
        let honest = fakes.workflowBytes("web", "deploy.yml")
        let blobURL = "\(fakes.github.baseURL.absoluteString)/repos/acme/web/git/blobs/\(GitObjectID.blob(honest))"

        let (tampered, _) = try await Self.github(fakes, cache: cache)
        let failure = tampered.coverage.failures.first { $0.subject == "acme/web" }
        #expect(failure?.part == "workflows/.github/workflows/deploy.yml")
        #expect(failure?.reason.contains("does not hash to its SHA") == true, "\(Self.lines(tampered))")
        #expect(failure?.repositoryIncomplete == true, "the repository reads as not covered, not as clean")
        #expect(Self.bytes(tampered, "acme/web", "deploy.yml") == nil)
        #expect(cache.lookup(blobURL) == nil, "a rejected blob is never cached")

        fakes.setFaults { $0.tamperedBlob = false }
        let (repaired, _) = try await Self.github(fakes, cache: cache)
        #expect(repaired.coverage.isComplete, "\(Self.lines(repaired))")
        #expect(Self.bytes(repaired, "acme/web", "deploy.yml") == honest)

        // A cache filled by an earlier version that did not verify is not trusted either.
        let poison = try JSONSerialization.data(withJSONObject: ["encoding": "base64", "content": Data("on: push\n".utf8).base64EncodedString()])
        cache.store(blobURL, entry: HTTPCacheEntry(etag: nil, body: poison))
        let before = fakes.github.count { $0.path.hasSuffix(GitObjectID.blob(honest)) }
        let (again, _) = try await Self.github(fakes, cache: cache)
        #expect(Self.bytes(again, "acme/web", "deploy.yml") == honest)
        let checked4 = fakes.github.count { $0.path.hasSuffix(GitObjectID.blob(honest)) } == before + 1
        #expect(checked4, "fetched again")
        #expect(cache.lookup(blobURL)?.body != poison)
    }

    @Test("a tree entry that is not a plain file name fails the repository's workflows as a coverage problem")
    func unsafeTreeName() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.unsafeTreeName = true }
        let (collection, _) = try await Self.github(fakes, cache: MemoryHTTPCache())
        let failure = collection.coverage.failures.first { $0.subject == "acme/api" }
        #expect(failure?.reason.contains("\"../escape.yml\"") == true && failure?.reason.contains("not a plain file name") == true,
                "\(Self.lines(collection))")
        #expect(failure?.repositoryIncomplete == true)
        let checked5 = !collection.repositories.flatMap(\.snapshot.files).contains { $0.path.contains("..") }
        #expect(checked5)
    }

    @Test("a truncated tree falls back to listing the folder; a listing at GitHub's 1,000 entries is partial coverage")
    func truncatedTree() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.truncatedRootTree = true }
        let (collection, _) = try await Self.github(fakes, cache: MemoryHTTPCache())
        #expect(collection.coverage.isComplete, "\(Self.lines(collection))")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: fakes.demo.appendingPathComponent("api/.github/workflows").path).sorted()
        let files = collection.repositories.first { $0.fullName == "acme/api" }?.snapshot.files ?? []
        let checked6 = files.map(\.path) == onDisk.map { ".github/workflows/\($0)" }
        #expect(checked6)
        let checked7 = files.allSatisfy { if case .success = $0.content { return true } else { return false } }
        #expect(checked7)
        let checked8 = fakes.github.count { $0.path == "/repos/acme/api/contents/.github/workflows" } == 1
        #expect(checked8)

        fakes.setFaults { $0.fullFolderListing = true }
        let (partial, _) = try await Self.github(fakes, cache: MemoryHTTPCache())
        let failure = partial.coverage.failures.first { $0.subject == "acme/api" }
        #expect(failure?.reason.contains("GitHub's most") == true, "\(Self.lines(partial))")
        #expect(failure?.repositoryIncomplete == true)
    }

    @Test("a body over the cap is refused while it arrives, is not retried, and becomes a coverage row", .timeLimit(.minutes(1)))
    func bodyCap() async throws {
        // Announced: a 2 GiB Content-Length is refused before its bytes are read.
        let server = try LoopbackHTTPServer { request in
            var answer = LoopbackHTTPServer.Response(status: 200)
            let announced = request.path == "/announced"
            answer.raw = { send in
                let head = announced ? "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n" : "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
                guard send(Data(head.utf8)) else { return }
                let chunk = Data(repeating: 0x41, count: 1 << 16)
                // At most 256 MiB, far past the cap: the client must hang up long before.
                for _ in 0..<4096 where !send(chunk) { return }
            }
            return answer
        }
        defer { server.stop() }
        var options = LiveCollectorTests.options()
        options.maxResponseBytes = 1 << 20
        let client = try HTTPClient(service: "GitHub", baseURL: server.baseURL, credential: nil, options: options, cache: nil)
        for path in ["announced", "streamed"] {
            do {
                _ = try await client.get(server.baseURL.appendingPathComponent(path))
                Issue.record("\(path): a body over the cap must fail")
            } catch let failure as HTTPFailure {
                #expect(failure.reason.contains("larger than the 1 MiB allowed (--max-response-mib)"), "\(failure)")
            }
            let checked9 = server.count { $0.path == "/\(path)" } == 1
            #expect(checked9, "not retried")
        }

        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        fakes.setFaults { $0.hugeEnvironmentsBytes = 3 << 20 }
        let (collection, _) = try await Self.github(fakes, cache: MemoryHTTPCache(), options: options)
        let checked10 = collection.coverage.failures.contains {
            $0.subject == "acme/docs" && $0.part == "environments" && $0.reason.contains("--max-response-mib")
        }
        #expect(checked10, "\(Self.lines(collection))")
    }

    @Test("--request-deadline ends a trickling body and headers that never end", .timeLimit(.minutes(1)))
    func deadline() async throws {
        let server = try LoopbackHTTPServer { request in
            var answer = LoopbackHTTPServer.Response(status: 200)
            let headers = request.path == "/headers"
            answer.raw = { send in
                guard send(Data((headers ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n").utf8)) else { return }
                // One line or byte every 0.2 s for at most 30 s: never silent long enough for the idle timeout.
                for index in 0..<150 {
                    Thread.sleep(forTimeInterval: 0.2)
                    guard send(Data((headers ? "X-Pad-\(index): y\r\n" : "x").utf8)) else { return }
                }
            }
            return answer
        }
        defer { server.stop() }
        var options = LiveCollectorTests.options(timeout: 1, attempts: 3)
        options.deadline = 2
        let client = try HTTPClient(service: "GitHub", baseURL: server.baseURL, credential: nil, options: options, cache: nil)
        for path in ["body", "headers"] {
            let started = Date()
            do {
                _ = try await client.get(server.baseURL.appendingPathComponent(path))
                Issue.record("\(path): must stop at the deadline")
            } catch let failure as HTTPFailure {
                #expect(failure.reason.contains("no complete response within 2 s (--request-deadline)"), "\(failure)")
            }
            #expect(Date().timeIntervalSince(started) < 30, "\(path) stopped near the deadline (an endless body never ends by itself)")
            let checked11 = server.count { $0.path == "/\(path)" } == 1
            #expect(checked11, "not retried")
        }
    }

    @Test("credentials in an API URL are refused, never repeated in the message")
    func credentialsInURL() throws {
        let secret = "Sup3rSecretPassw0rd"
        #expect(HTTPClient.withoutUserInfo("https://auditor:\(secret)@ghe.example.com/api/v3") == "https://ghe.example.com/api/v3")
        #expect(HTTPClient.withoutUserInfo("https://ghe.example.com/api/v3?x=a@b") == "https://ghe.example.com/api/v3?x=a@b")
        var options = HTTPClientOptions()
        options.allowInsecure = true
        do {
            _ = try HTTPClient(service: "GitHub", baseURL: URL(string: "http://auditor:\(secret)@127.0.0.1:9/")!,
                               credential: .githubToken(FakeAPIs.token), options: options, cache: nil)
            Issue.record("must be refused")
        } catch let error as LiveCollectionError {
            guard case .credentialsInURL = error else { Issue.record("\(error)"); return }
            #expect(!error.description.contains(secret) && error.description.contains("http://127.0.0.1:9/"), "\(error)")
        }
    }

    @Test("the CLI refuses --github-api-url with a password: exit 2, nothing sent, nothing stored or printed",
          .enabled(if: CLI.executable != nil), .timeLimit(.minutes(1)))
    func credentialsInURLCommandLine() throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        let secret = "Sup3rSecretPassw0rd"
        let url = fakes.github.baseURL.absoluteString.replacingOccurrences(of: "http://", with: "http://auditor:\(secret)@")
        try CLI.inTemporaryDirectory { directory in
            let result = try CLI.run(["scan", "--github-org", "acme", "--github-api-url", url, "--allow-insecure", "--db", "audit.db"],
                                     in: directory, environment: ["GITHUB_TOKEN": FakeAPIs.token])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("user name or password"), "\(result.stderr)")
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
            #expect(fakes.github.requests.isEmpty)
            let stored = (try? LiveCollectorTests.databaseBytes(directory)) ?? Data()
            #expect(stored.range(of: Data(secret.utf8)) == nil)
        }
    }

    @Test("Octopus permission bodies as Octopus sends them raise no problem; IsPermissionsComplete false is partial coverage of that account")
    func octopusPermissionBodies() async throws {
        let fakes = try FakeAPIs()
        defer { fakes.stop() }
        func collect() async throws -> OctopusInstance {
            let client = try HTTPClient(service: "Octopus Deploy", baseURL: fakes.octopus.baseURL, credential: .octopusAPIKey(FakeAPIs.apiKey),
                                        options: LiveCollectorTests.options(), cache: nil)
            let collection = try await OctopusCollector(client: client, server: fakes.octopus.baseURL).collect()
            return try OctopusExport.decode(collection.document.data, file: "live")
        }
        let complete = try await collect()
        #expect(complete.problems.isEmpty, "\(complete.problems)")

        fakes.setFaults { $0.incompletePermissions = true }
        let partial = try await collect()
        #expect(partial.problems.map(\.path) == ["permissions.Users-109.IsPermissionsComplete"], "\(partial.problems)")
        #expect(partial.problems.first?.message.contains("only partly covered") == true)
        let checked12 = partial.serviceAccounts.contains { $0.id == "Users-109" && $0.permissions != nil }
        #expect(checked12, "what was seen is still used")
    }
}

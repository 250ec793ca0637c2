import Foundation
import Testing
@testable import TrustAuditCore

@Suite("Batches are prepared ahead of the writer")
struct PreparedBatchFeedTests {
    static func repositories(_ count: Int) -> [RepositorySource] {
        let shared = Array("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n".utf8)
        return (0..<count).map { index in
            let own = Array("on: push\njobs:\n  job\(index):\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \(index)\n".utf8)
            return .memory(RepositorySnapshot(fullName: "acme/repo-\(index)", source: "memory", files: [
                WorkflowFileInput(path: ".github/workflows/shared.yml", content: .success(shared)),
                WorkflowFileInput(path: ".github/workflows/own.yml", content: .success(own)),
            ]))
        }
    }

    @Test("every repository arrives once, in order; content parsed in an earlier batch is not parsed again")
    func orderAndDeduplication() {
        let feed = PreparedBatchFeed(repositories: Self.repositories(25), batchSize: 4, known: [])
        var names: [String] = []
        var parsed: [String: Int] = [:]
        while let batch = feed.next() {
            #expect(batch.snapshots.count == batch.files.count)
            names += batch.snapshots.map(\.fullName)
            for file in batch.files.joined() where file.result != nil {
                parsed[file.path, default: 0] += 1
            }
        }
        let checked1 = names == (0..<25).map { "acme/repo-\($0)" }
        #expect(checked1)
        #expect(parsed[".github/workflows/own.yml"] == 25)
        // The shared file is parsed in the first batch only (its four copies there run in parallel).
        #expect((1...4).contains(parsed[".github/workflows/shared.yml"] ?? 0))
    }

    @Test("content already stored is hashed but not parsed")
    func knownContentSkipped() throws {
        let repositories = Self.repositories(3)
        let required2 = repositories.first.map { source -> String in
            guard case .memory(let snapshot) = source, case .success(let bytes) = snapshot.files[0].content else { return "" }
            return SHA256.hex(bytes)
        }
        let shared = try #require(required2)
        let feed = PreparedBatchFeed(repositories: repositories, batchSize: 2, known: [shared])
        var files: [ScanPipeline.PreparedFile] = []
        while let batch = feed.next() { files += batch.files.joined() }
        #expect(files.count == 6)
        let checked3 = files.filter { $0.hash == shared }.allSatisfy { $0.result == nil && $0.bytes == nil }
        #expect(checked3)
        let checked4 = files.filter { $0.hash != shared }.allSatisfy { $0.result != nil }
        #expect(checked4)
    }

    @Test("a scan of more repositories than one batch stores each distinct content once")
    func scanAcrossBatches() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let count = ScanPipeline.batchSize * 2 + 7
            let outcome = try ScanPipeline(database: database).run(ScanRequest(
                repositories: Self.repositories(count), policies: PolicyLoader.builtIn().policies))
            #expect(outcome.repositories == count)
            #expect(outcome.workflowFiles == count * 2)
            #expect(outcome.parsedFiles == count + 1)
            #expect(try database.count("SELECT COUNT(*) FROM blobs WHERE kind = 'workflow'") == count + 1)
            #expect(try database.count("SELECT COUNT(*) FROM scan_workflow_files WHERE doc IS NOT NULL") == count * 2)
        }
    }

    @Test("cancelling stops the feed even while it waits for room")
    func cancel() {
        let feed = PreparedBatchFeed(repositories: Self.repositories(40), batchSize: 2, known: [])
        _ = feed.next()
        feed.cancel()
        #expect(feed.next() == nil)
    }
}

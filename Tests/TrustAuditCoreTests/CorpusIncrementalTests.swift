import Foundation
import Testing
@testable import TrustAuditCore

/// Incremental derivation and evaluation on real workflows: the shared corpus laid out as the
/// repositories its MANIFEST names, with the demo's Octopus export widened so that identities
/// accept every repository, its branches and its environments. After edits (tokens dropped,
/// `pull_request_target` added, files removed) a rescan into the same database must give exactly
/// the rows and findings a scan into a fresh one gives.
@Suite(.enabled(if: Corpus.isPresent, "needs ../shared/corpus"))
struct CorpusIncrementalTests {
    @Test("after edits to real workflows, an incremental rescan equals a full scan")
    func incrementalEqualsFull() throws {
        try TestSupport.withTemporaryDirectory { work in
            let repos = work.appendingPathComponent("repos")
            let manager = FileManager.default
            let manifest = try String(contentsOf: Corpus.root.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
            for line in manifest.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard fields.count >= 4 else { continue }
                let source = Corpus.root.appendingPathComponent(fields[0]).appendingPathComponent(fields[1])
                let target = repos.appendingPathComponent(fields[2]).appendingPathComponent(fields[3])
                guard manager.fileExists(atPath: source.path), !manager.fileExists(atPath: target.path) else { continue }
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.copyItem(at: source, to: target)
            }
            let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/octopus/acme.octopus.app.json")
            let export = try String(contentsOf: demo, encoding: .utf8)
                .replacingOccurrences(of: "\"repo:acme/api:environment:Production\"", with: "\"repo:*\"")
                .replacingOccurrences(of: "\"repo:acme/web:ref:refs/heads/main\"", with: "\"repo:*:ref:refs/heads/*\"")
                .replacingOccurrences(of: "\"repo:acme/legacy-portal:environment:Staging\"", with: "\"repo:*:environment:*\"")
            #expect(export.contains("\"repo:*\"") && export.contains("\"repo:*:environment:*\""), "the demo export's subjects changed")
            try TestSupport.write(export, to: "octopus/acme.json", in: work)
            let plan = ScanPlan(paths: [repos.path], octopus: [work.appendingPathComponent("octopus").path],
                                policies: TestSupport.builtInPolicies())
            let comparison = IncrementalEvaluationTests()

            let database = try TestSupport.openDatabase(in: work)
            _ = try plan.run(database: database)
            let minting = try workflowFiles(under: repos).filter {
                (try? String(contentsOf: $0, encoding: .utf8))?.contains("id-token: write") == true
            }
            #expect(minting.count > 20, "the corpus has few workflows that mint tokens")
            for file in minting.prefix(4) { try replace(file, "id-token: write", "id-token: read") }
            for file in minting.dropFirst(4).prefix(8) { try replace(file, "\non:\n", "\non:\n  pull_request_target:\n") }
            for file in minting.dropFirst(12).prefix(2) { try manager.removeItem(at: file) }

            let incremental = try plan.run(database: database)
            #expect(incremental.reevaluatedRepositories != nil, "the rescan evaluated everything")
            #expect(try comparison.rederived(database, scanID: incremental.scanID) != nil, "the rescan derived everything")
            let fresh = try TestSupport.openDatabase(in: work, name: "full.db")
            let full = try plan.run(database: fresh)
            comparison.expectSame(incremental, full)
            try comparison.expectSameDerivation((database, incremental), (fresh, full))
        }
    }

    func workflowFiles(under root: URL) throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "yml" || url.pathExtension == "yaml" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    func replace(_ url: URL, _ old: String, _ new: String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let range = text.range(of: old) else { return }
        try text.replacingCharacters(in: range, with: new).write(to: url, atomically: true, encoding: .utf8)
    }
}

import Foundation
import Testing
@testable import TrustAuditCore

/// Incremental derivation and evaluation tell repositories apart the way the rest of a scan does,
/// by names lower-cased by Swift, even where SQLite's lower() (ASCII only) folds them otherwise,
/// and whatever characters a local folder's name holds. (Names equal once lower-cased are one
/// repository: `RepositoryTwinsTests`.)
@Suite struct IncrementalNameFoldingTests {
    /// Repositories named as a local checkout may be, edited one at a time; after each edit the
    /// rescan into the same database must hold exactly what a scan into a fresh one holds.
    @Test("rescans of repositories with unusual names equal full scans", arguments: [
        ["Ärger", "web"],
        ["a_b", "axb", "a%b", "a%%b"],
        ["ΣΑΣ", "İstanbul", "ǅemal", "ÆØÅ"],
    ])
    func unusualNames(_ names: [String]) throws {
        try TestSupport.withTemporaryDirectory { work in
            let repos = work.appendingPathComponent("repos")
            for name in names {
                try TestSupport.write(ReachabilityTests.deploy, to: "repos/acme/\(name)/.github/workflows/deploy.yml", in: work)
            }
            let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/octopus/acme.octopus.app.json")
            try TestSupport.write(try String(contentsOf: demo, encoding: .utf8), to: "octopus/acme.json", in: work)
            let plan = ScanPlan(paths: [repos.path], octopus: [work.appendingPathComponent("octopus").path],
                                policies: TestSupport.builtInPolicies())
            let comparison = IncrementalEvaluationTests()
            let database = try TestSupport.openDatabase(in: work)
            _ = try plan.run(database: database)
            for (round, name) in names.enumerated() {
                try TestSupport.write(ReachabilityTests.deploy.replacingOccurrences(of: "branches: [main]", with: "branches: [main, release-\(round)]"),
                                      to: "repos/acme/\(name)/.github/workflows/deploy.yml", in: work)
                let incremental = try plan.run(database: database)
                let rederived = try comparison.rederived(database, scanID: incremental.scanID)
                #expect(rederived != nil, "the rescan after editing \(name) derived everything")
                let fresh = try TestSupport.openDatabase(in: work, name: "full-\(round).db")
                let full = try plan.run(database: fresh)
                let incrementalRows = try comparison.derived(database, scanID: incremental.scanID)
                let fullRows = try comparison.derived(fresh, scanID: full.scanID)
                let edited = incrementalRows.filter { $0.contains("'acme/\(name)'") && $0.contains("trust_graph") }
                #expect(!edited.isEmpty, "\(name) has no trust graph")
                #expect(incrementalRows == fullRows, "after editing \(name)")
                comparison.expectSame(incremental, full)
            }
        }
    }
}

import Foundation
import Testing
@testable import TrustAuditCore

/// A rescan copies an unchanged Octopus export's rows from the scan that read it, except where
/// that scan found problems in it: those are read again, so every scan lists them.
@Suite struct EarlierExportsTests {
    @Test("an export with a problem is read again by each rescan, which lists the problem too")
    func problemsListedAgain() throws {
        try TestSupport.withTemporaryDirectory { work in
            try TestSupport.write(ReachabilityTests.deploy, to: "repos/acme/api/.github/workflows/deploy.yml", in: work)
            let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/octopus/acme.octopus.app.json")
            let export = try String(contentsOf: demo, encoding: .utf8)
                .replacingOccurrences(of: "\"Id\": \"ServiceAccountOidcIdentitys-12\"", with: "\"Id\": \"ServiceAccountOidcIdentitys-11\"")
            try TestSupport.write(export, to: "octopus/acme.json", in: work)
            let plan = ScanPlan(paths: [work.appendingPathComponent("repos").path], octopus: [work.appendingPathComponent("octopus").path],
                                policies: TestSupport.builtInPolicies())
            let database = try TestSupport.openDatabase(in: work)
            let first = try plan.run(database: database)
            let firstProblems = first.coverage.filter { $0.kind == "octopus" && $0.detail.contains("ServiceAccountOidcIdentitys-11") }
            #expect(firstProblems.count == 1, "\(first.coverage)")

            try TestSupport.write(ReachabilityTests.deploy.replacingOccurrences(of: "branches: [main]", with: "branches: [main, release]"),
                                  to: "repos/acme/api/.github/workflows/deploy.yml", in: work)
            let second = try plan.run(database: database)
            #expect(!second.reusedSnapshot)
            let secondProblems = second.coverage.filter { $0.kind == "octopus" && $0.detail.contains("ServiceAccountOidcIdentitys-11") }
            #expect(secondProblems == firstProblems)
            let reusable = try database.pool.read { db in
                try EarlierOctopusExports.find(db, documents: try plan.readInputs().octopus,
                                               hashes: [SHA256.hex(Array(export.utf8))],
                                               ingestBase: try String.fetchOne(db, sql: "SELECT ingest_base FROM scans WHERE id = ?",
                                                                               arguments: [second.scanID]) ?? "")
            }
            #expect(reusable == nil, "an export with problems would be copied")
        }
    }

    @Test("an unchanged export's rows in a rescan are the rows a fresh scan reads")
    func copiedRowsEqualRead() throws {
        try TestSupport.withTemporaryDirectory { work in
            try TestSupport.write(ReachabilityTests.deploy, to: "repos/acme/api/.github/workflows/deploy.yml", in: work)
            let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/octopus/acme.octopus.app.json")
            try TestSupport.write(try String(contentsOf: demo, encoding: .utf8), to: "octopus/acme.json", in: work)
            let plan = ScanPlan(paths: [work.appendingPathComponent("repos").path], octopus: [work.appendingPathComponent("octopus").path],
                                policies: TestSupport.builtInPolicies())
            let database = try TestSupport.openDatabase(in: work)
            _ = try plan.run(database: database)
            try TestSupport.write(ReachabilityTests.deploy.replacingOccurrences(of: "branches: [main]", with: "branches: [main, release]"),
                                  to: "repos/acme/api/.github/workflows/deploy.yml", in: work)
            let rescan = try plan.run(database: database)
            let fresh = try TestSupport.openDatabase(in: work, name: "fresh.db")
            let full = try plan.run(database: fresh)
            let comparison = IncrementalEvaluationTests()
            let copied = try comparison.ingested(database, scanID: rescan.scanID).filter { !$0.hasPrefix("coverage:") }
            let read = try comparison.ingested(fresh, scanID: full.scanID).filter { !$0.hasPrefix("coverage:") }
            #expect(copied.count > 20)
            #expect(copied == read)
        }
    }
}

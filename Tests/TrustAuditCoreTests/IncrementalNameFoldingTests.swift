import Foundation
import Testing
@testable import TrustAuditCore

/// Incremental derivation tells repositories apart the way the rest of a scan does, by names
/// lower-cased by Swift, even where SQLite's lower() (ASCII only) would not fold them the same.
@Suite struct IncrementalNameFoldingTests {
    static let workflow = """
        on:
          push:
            branches: [main]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            environment: Production
            permissions:
              id-token: write
            steps:
              - uses: OctopusDeploy/login@v1
                with: { server: "https://acme.octopus.app", service_account_id: "6e2b1c7a-4f1d-4c3b-9a57-2d8e0f6b1a01" }

        """

    @Test("a changed repository named with a capital beyond ASCII is derived once, as a full scan derives it")
    func nonASCIICapital() throws {
        try TestSupport.withTemporaryDirectory { work in
            let repos = work.appendingPathComponent("repos")
            try TestSupport.write(Self.workflow, to: "repos/acme/Ärger/.github/workflows/deploy.yml", in: work)
            try TestSupport.write(Self.workflow, to: "repos/acme/web/.github/workflows/deploy.yml", in: work)
            let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme/exports/octopus/acme.octopus.app.json")
            try TestSupport.write(try String(contentsOf: demo, encoding: .utf8), to: "octopus/acme.json", in: work)
            let plan = ScanPlan(paths: [repos.path], octopus: [work.appendingPathComponent("octopus").path],
                                policies: TestSupport.builtInPolicies())
            let comparison = IncrementalEvaluationTests()

            let database = try TestSupport.openDatabase(in: work)
            _ = try plan.run(database: database)
            try TestSupport.write(Self.workflow.replacingOccurrences(of: "branches: [main]", with: "branches: [main, release]"),
                                  to: "repos/acme/Ärger/.github/workflows/deploy.yml", in: work)
            let incremental = try plan.run(database: database)
            let rederived = try comparison.rederived(database, scanID: incremental.scanID)
            #expect(rederived == 1, "the rescan did not derive the one changed repository alone")

            let fresh = try TestSupport.openDatabase(in: work, name: "full.db")
            let full = try plan.run(database: fresh)
            let incrementalRows = try comparison.derived(database, scanID: incremental.scanID)
            let fullRows = try comparison.derived(fresh, scanID: full.scanID)
            let changedRows = incrementalRows.filter { $0.contains("'acme/Ärger'") }
            #expect(!changedRows.isEmpty, "the changed repository has no trust graph")
            #expect(incrementalRows == fullRows)
            comparison.expectSame(incremental, full)
        }
    }
}

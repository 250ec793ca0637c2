import Foundation
import Testing
@testable import TrustAuditCore

/// An organization's default workflow permissions reach its own repositories that have no
/// settings of their own, and no other owner's.
@Suite struct OrganizationDefaultsTests {
    static let workflow = """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: make

        """

    @Test("owners are matched as GitHub names are: `_` is itself, and case folds beyond ASCII")
    func ownersMatchedExactly() throws {
        try TestSupport.withTemporaryDirectory { work in
            for repository in ["my_org/api", "myxorg/web", "Ärger/tools", "other/docs"] {
                try TestSupport.write(Self.workflow, to: "repos/\(repository)/.github/workflows/ci.yml", in: work)
            }
            for owner in ["my_org", "ärger"] {
                try TestSupport.write("""
                    { "organization": "\(owner)", "workflow_permissions": { "default_workflow_permissions": "write" } }
                    """, to: "settings/_org-\(owner).json", in: work)
            }
            let plan = ScanPlan(paths: [work.appendingPathComponent("repos").path],
                                githubSettings: [work.appendingPathComponent("settings").path], policies: [])
            let database = try TestSupport.openDatabase(in: work)
            let outcome = try plan.run(database: database)
            let rows = try database.strings("""
                SELECT repository || ' ' || COALESCE(default_workflow_permissions, '-') FROM repositories ORDER BY repository
                """, snapshot: outcome.scanID)
            #expect(rows == ["my_org/api write", "myxorg/web -", "other/docs -", "Ärger/tools write"])
        }
    }
}

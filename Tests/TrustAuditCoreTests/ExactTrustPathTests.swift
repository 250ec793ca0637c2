import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Exact subjects through reusable workflows and matrices, and bounded answers for what cannot be
/// evaluated, through real scans of small workflows.
@Suite("Exact trust paths")
struct ExactTrustPathTests {
    struct Path: Equatable {
        var repository: String
        var file: String
        var job: String
        var subject: String
        var reason: String
        var calledJob: String?
        var via: String?
    }

    /// Scans `files` (`owner/repo/path` → text) with the given Octopus subjects for one account,
    /// and returns the derived subjects.
    func derive(_ files: [String: String], octopus subjects: [String] = []) throws -> (paths: [Path], edges: [String]) {
        try TestSupport.withTemporaryDirectory { directory in
            for (path, text) in files { try TestSupport.write(text, to: "repos/\(path)", in: directory) }
            if !subjects.isEmpty {
                try TestSupport.write(TrustGraphScanTests.octopus(subjects: subjects), to: "octopus/acme.json", in: directory)
            }
            let database = try TestSupport.openDatabase(in: directory)
            let owners = Set(files.keys.map { String($0.split(separator: "/")[0]) }).sorted()
            let outcome = try ScanPlan(paths: owners.map { directory.appendingPathComponent("repos/\($0)").path },
                                       octopus: subjects.isEmpty ? [] : [directory.appendingPathComponent("octopus").path],
                                       policies: TestSupport.builtInPolicies()).run(database: database)
            let rows = try database.pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT repository, file, job, subject, reason || COALESCE('; ' || note, '') AS reason, called_job, via_json
                    FROM derived_subjects
                    -- Without settings the subject format is not known and the immutable
                    -- `repo:owner@id/name@id` form is derived too; these tests look at the default form.
                    WHERE scan_id = ? AND subject NOT LIKE 'repo:%@%'
                    ORDER BY repository, file, job, subject
                    """, arguments: [outcome.scanID])
            }
            let paths = rows.map { Path(repository: $0[0], file: $0[1], job: $0[2], subject: $0[3], reason: $0[4], calledJob: $0[5], via: $0[6]) }
            let edges = try database.strings("SELECT status || ' ' || via FROM trust_graph ORDER BY repository, job", snapshot: outcome.scanID)
            return (paths, edges)
        }
    }

    static let apply = """
        on:
          workflow_call:
            inputs:
              environment:
                type: string
                default: staging
        jobs:
          apply:
            runs-on: ubuntu-latest
            environment: ${{ inputs.environment }}
            steps:
              - run: make apply
        """

    static func caller(_ with: String, uses: String = "./.github/workflows/apply.yml") -> String {
        """
        on:
          push:
            branches: [main]
        jobs:
          release:
            permissions:
              id-token: write
            uses: \(uses)
        \(with)
        """
    }

    @Test("a call with a literal input presents only that environment's subject, with its call chain")
    func literalInput() throws {
        let (paths, _) = try derive([
            "acme/infra/.github/workflows/apply.yml": Self.apply,
            "acme/infra/.github/workflows/release.yml": Self.caller("    with:\n      environment: production"),
        ])
        #expect(paths.map(\.subject) == ["repo:acme/infra:environment:production"])
        let path = try #require(paths.first)
        #expect(path.file == ".github/workflows/release.yml" && path.job == "release" && path.calledJob == "apply")
        #expect(path.via == #"[{"file":".github/workflows/release.yml","job":"release","repository":"acme/infra"}]"#)
    }

    @Test("an input the caller does not pass takes its default")
    func inputDefault() throws {
        let (paths, _) = try derive([
            "acme/infra/.github/workflows/apply.yml": Self.apply,
            "acme/infra/.github/workflows/release.yml": Self.caller(""),
        ])
        #expect(paths.map(\.subject) == ["repo:acme/infra:environment:staging"])
    }

    @Test("an input that evaluates to empty runs the job without an environment, and the path says why")
    func emptyEnvironment() throws {
        let called = Self.apply.replacingOccurrences(of: "default: staging", with: "required: false")
        let (paths, _) = try derive([
            "acme/infra/.github/workflows/apply.yml": called,
            "acme/infra/.github/workflows/release.yml": Self.caller(""),
        ])
        #expect(paths.map(\.subject) == ["repo:acme/infra:ref:refs/heads/main"])
        #expect(paths.first?.reason.contains("evaluates to empty") == true)
    }

    @Test("a reusable workflow has no paths of its own: only its callers' paths exist")
    func noOwnPaths() throws {
        let (paths, _) = try derive(["acme/infra/.github/workflows/apply.yml": Self.apply])
        #expect(paths.isEmpty)
    }

    @Test("nested calls keep the outermost caller's repository and triggers and list every caller, outermost first")
    func nested() throws {
        let middle = """
            on:
              workflow_call:
                inputs:
                  target: { type: string, required: true }
            jobs:
              hop:
                uses: ./.github/workflows/apply.yml
                with:
                  environment: ${{ inputs.target }}
            """
        let (paths, _) = try derive([
            "acme/infra/.github/workflows/apply.yml": Self.apply,
            "acme/infra/.github/workflows/middle.yml": middle,
            "acme/infra/.github/workflows/release.yml": Self.caller("    with:\n      target: production", uses: "./.github/workflows/middle.yml"),
        ])
        #expect(paths.map(\.subject) == ["repo:acme/infra:environment:production"])
        #expect(paths.first?.via == #"[{"file":".github/workflows/release.yml","job":"release","repository":"acme/infra"},"#
                + #"{"file":".github/workflows/middle.yml","job":"hop","repository":"acme/infra"}]"#)
    }

    @Test("a call to a missing file is an unknown environment with the reason, never an exact path")
    func missingFile() throws {
        let (paths, _) = try derive([
            "acme/infra/.github/workflows/release.yml": Self.caller("    with:\n      environment: production", uses: "./.github/workflows/gone.yml"),
        ])
        #expect(Set(paths.map(\.subject)) == ["repo:acme/infra:environment:*", "repo:acme/infra:ref:refs/heads/main"])
        let checked1 = paths.allSatisfy { $0.reason.contains("is not a workflow file of the scanned acme/infra") }
        #expect(checked1)
    }

    @Test("a call cycle ends as an unknown path naming the cycle")
    func cycle() throws {
        let ping = """
            on:
              push:
              workflow_call:
            jobs:
              again:
                permissions:
                  id-token: write
                uses: ./.github/workflows/pong.yml
            """
        let pong = """
            on: workflow_call
            jobs:
              back:
                uses: ./.github/workflows/ping.yml
            """
        let (paths, _) = try derive([
            "acme/infra/.github/workflows/ping.yml": ping,
            "acme/infra/.github/workflows/pong.yml": pong,
        ])
        #expect(!paths.isEmpty)
        let checked2 = paths.allSatisfy { $0.subject.hasPrefix("repo:acme/infra:") && $0.reason.contains("call cycle") }
        #expect(checked2)
        let checked3 = paths.allSatisfy { $0.subject.contains("*") || $0.subject.contains(":ref:") }
        #expect(checked3)
    }

    @Test("calls nested past GitHub's ten levels end as unknown, the nine levels before are followed")
    func nestingLimit() throws {
        var files: [String: String] = [:]
        for level in 1...11 {
            files["acme/infra/.github/workflows/level\(level).yml"] = """
                on: workflow_call
                jobs:
                  step\(level):
                    uses: ./.github/workflows/level\(level + 1).yml
                """
        }
        files["acme/infra/.github/workflows/level12.yml"] = Self.apply
        files["acme/infra/.github/workflows/release.yml"] = Self.caller("", uses: "./.github/workflows/level1.yml")
        let (paths, _) = try derive(files)
        #expect(!paths.isEmpty)
        let checked4 = paths.allSatisfy { $0.reason.contains("past GitHub's limit of 10") }
        #expect(checked4)
        let checked5 = !paths.contains { $0.subject == "repo:acme/infra:environment:staging" }
        #expect(checked5)
        let checked6 = paths.allSatisfy { $0.via?.contains("level9.yml") == true }
        #expect(checked6)
    }

    @Test("a cross-repository call is followed when the repository is in the scan, noting the ref; else unknown")
    func crossRepository() throws {
        let (paths, _) = try derive([
            "acme/shared/.github/workflows/apply.yml": Self.apply,
            "acme/api/.github/workflows/release.yml": Self.caller("    with:\n      environment: production",
                                                                  uses: "acme/shared/.github/workflows/apply.yml@v1"),
            "acme/web/.github/workflows/release.yml": Self.caller("    with:\n      environment: production",
                                                                  uses: "elsewhere/tools/.github/workflows/apply.yml@v1"),
        ])
        let api = paths.filter { $0.repository == "acme/api" }
        #expect(api.map(\.subject) == ["repo:acme/api:environment:production"])
        #expect(api.first?.reason.contains("calls acme/shared at `v1`") == true)
        let web = paths.filter { $0.repository == "acme/web" }
        #expect(Set(web.map(\.subject)) == ["repo:acme/web:environment:*", "repo:acme/web:ref:refs/heads/main"])
        let checked7 = web.allSatisfy { $0.reason.contains("elsewhere/tools is not in this scan") }
        #expect(checked7)
    }

    static func matrixJob(_ matrix: String) -> String {
        """
        on:
          push:
            branches: [main]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            strategy:
              matrix:
        \(matrix)
            environment: ${{ matrix.env }}
            steps:
              - run: make deploy
        """
    }

    @Test("a literal matrix gives one subject per value, with include and exclude applied")
    func literalMatrix() throws {
        let (paths, _) = try derive(["acme/api/.github/workflows/deploy.yml": Self.matrixJob("""
                    env: [dev, staging, production]
                    region: [eu, us]
                    exclude:
                      - env: dev
                    include:
                      - env: qa
                        region: eu
            """)])
        #expect(paths.map(\.subject) == ["repo:acme/api:environment:production", "repo:acme/api:environment:qa",
                                         "repo:acme/api:environment:staging"])
    }

    @Test("a matrix from fromJSON stays a pattern, with the ungated subject and why")
    func dynamicMatrix() throws {
        let (paths, _) = try derive(["acme/api/.github/workflows/deploy.yml":
            Self.matrixJob("        env: ${{ fromJSON(vars.ENVIRONMENTS) }}")])
        #expect(Set(paths.map(\.subject)) == ["repo:acme/api:environment:*", "repo:acme/api:ref:refs/heads/main"])
        let checked8 = paths.allSatisfy { $0.reason.contains("decided at run time") }
        #expect(checked8)
    }

    @Test("a matrix of 10,000 values is bounded: a pattern naming GitHub's limit, never 10,000 exact paths")
    func hugeMatrix() throws {
        let values = (1...10_000).map { "e\($0)" }.joined(separator: ", ")
        let (paths, _) = try derive(["acme/api/.github/workflows/deploy.yml": Self.matrixJob("        env: [\(values)]")])
        #expect(Set(paths.map(\.subject)) == ["repo:acme/api:environment:*", "repo:acme/api:ref:refs/heads/main"])
        let checked9 = paths.allSatisfy { $0.reason.contains("more than 256 combinations") }
        #expect(checked9)
    }

    @Test("an expression too complex to evaluate is a pattern saying so")
    func tooComplex() throws {
        let deep = String(repeating: "(", count: 60) + "'production'" + String(repeating: ")", count: 60)
        let workflow = Self.matrixJob("        env: [x]").replacingOccurrences(of: "${{ matrix.env }}", with: "${{ \(deep) }}")
        let (paths, _) = try derive(["acme/api/.github/workflows/deploy.yml": workflow])
        #expect(Set(paths.map(\.subject)) == ["repo:acme/api:environment:*", "repo:acme/api:ref:refs/heads/main"])
        let checked10 = paths.allSatisfy { $0.reason.contains("too complex to evaluate") }
        #expect(checked10)
    }

    @Test("a conditional environment gives each name it can take, and no ungated subject")
    func conditional() throws {
        let workflow = Self.matrixJob("        env: [x]").replacingOccurrences(
            of: "${{ matrix.env }}", with: "${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}")
        let (paths, _) = try derive(["acme/api/.github/workflows/deploy.yml": workflow])
        #expect(paths.map(\.subject) == ["repo:acme/api:environment:production", "repo:acme/api:environment:staging"])
    }

    @Test("the login's service_account_id passed as an input makes the called job's path in use")
    func loginThroughInput() throws {
        let account = "6e2b1c7a-4f1d-4c3b-9a57-2d8e0f6b1a01"
        let called = """
            on:
              workflow_call:
                inputs:
                  account: { type: string, required: true }
            jobs:
              deploy:
                environment: Production
                steps:
                  - uses: OctopusDeploy/login@0123456789abcdef0123456789abcdef01234567
                    with:
                      server: https://acme.octopus.app
                      service_account_id: ${{ inputs.account }}
            """
        let (_, edges) = try derive([
            "acme/api/.github/workflows/deploy.yml": called,
            "acme/api/.github/workflows/release.yml": Self.caller("    with:\n      account: \(account)", uses: "./.github/workflows/deploy.yml"),
        ], octopus: ["repo:acme/api:environment:Production"])
        #expect(edges == [#"in use [{"file":".github/workflows/release.yml","job":"release","repository":"acme/api"}]"#])
    }
}

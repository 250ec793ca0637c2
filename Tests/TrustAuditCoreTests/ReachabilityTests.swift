import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// `reachable_by` through real scans: workflows, settings exports and an Octopus export on disk.
@Suite("Who can obtain a token (reachable_by)")
struct ReachabilityTests {
    struct Result {
        var account: (level: String, reason: String)?
        var paths: [(job: String, trigger: String, level: String, reason: String)]
        var json: String
        var filtered: [String]
    }

    static let accountID = "6e2b1c7a-4f1d-4c3b-9a57-2d8e0f6b1a01"

    static func settings(_ extra: String, visibility: String = "private", environments: String? = nil) -> String {
        """
        { "repository": "acme/api", "default_branch": "main", "visibility": "\(visibility)"
          \(environments.map { ", \"environments\": \($0)" } ?? "")
          \(extra.isEmpty ? "" : ", " + extra) }
        """
    }

    func scan(workflows: [String: String], settings: String?, subjects: [String]) throws -> Result {
        try TestSupport.withTemporaryDirectory { directory in
            // The repository must exist for its settings to apply; a workflow that mints no token adds no path.
            let files = workflows.isEmpty ? ["ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"] : workflows
            for (path, text) in files { try TestSupport.write(text, to: "repos/acme/api/.github/workflows/\(path)", in: directory) }
            try TestSupport.write(TrustGraphScanTests.octopus(subjects: subjects), to: "octopus/acme.json", in: directory)
            if let settings { try TestSupport.write(settings, to: "settings/api.json", in: directory) }
            let database = try TestSupport.openDatabase(in: directory)
            let outcome = try ScanPlan(
                paths: [directory.appendingPathComponent("repos/acme").path],
                githubSettings: settings == nil ? [] : [directory.appendingPathComponent("settings").path],
                octopus: [directory.appendingPathComponent("octopus").path], policies: TestSupport.builtInPolicies()).run(database: database)
            return try database.read(snapshot: outcome.scanID) { db in
                let account = try Row.fetchOne(db, sql: "SELECT reachable_by, reason FROM service_account_reach")
                let paths = try Row.fetchAll(db, sql: """
                    SELECT DISTINCT job, trigger, reachable_by, reachable_reason FROM trust_graph ORDER BY job, trigger
                    """).map { (job: $0[0] as String, trigger: $0[1] as String, level: $0[2] as String, reason: $0[3] as String) }
                let summary = try ScanCatalog.resolve(outcome.scanID, db: db)
                let report = try TrustGraphReport.load(db: db, scan: summary, serviceAccount: nil, repository: nil)
                let filtered = try TrustGraphReport.load(db: db, scan: summary, serviceAccount: nil, repository: nil, reachableBy: .write)
                return Result(account: account.map { (level: $0[0] as String, reason: $0[1] as String) }, paths: paths,
                              json: report.renderJSON(), filtered: filtered.accounts.compactMap(\.username))
            }
        }
    }

    static let deploy = """
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
              - run: make deploy
        """

    static func environment(reviewers: Bool, preventSelfReview: Bool = true, policy: String = "null") -> String {
        let rules = reviewers
            ? #"[{"type": "required_reviewers", "prevent_self_review": \#(preventSelfReview), "reviewers": [{"type": "Team", "reviewer": {"slug": "release"}}]}]"#
            : "[]"
        return #"{"total_count": 1, "environments": [{"name": "Production", "can_admins_bypass": false, "protection_rules": \#(rules), "deployment_branch_policy": \#(policy)}]}"#
    }

    static let reviewRule = #""branch_rules": {"main": [{"type": "pull_request", "parameters": {"required_approving_review_count": 1}, "ruleset_source_type": "Repository", "ruleset_source": "acme/api", "ruleset_id": 3}]}"#

    @Test("an environment whose reviewers must approve is `approve`; the reason names them and self-review")
    func approve() throws {
        let result = try scan(workflows: ["deploy.yml": Self.deploy],
                              settings: Self.settings(Self.reviewRule, environments: Self.environment(reviewers: true)),
                              subjects: ["repo:acme/api:environment:Production"])
        #expect(result.account?.level == "approve")
        #expect(result.account?.reason.contains("requires approval by team release (self-review prevented)") == true)
        #expect(result.paths.map(\.level) == ["approve"])
        #expect(result.filtered.isEmpty)
    }

    @Test("an environment without reviewers but limited to protected branches whose rule requires review is `merge`")
    func mergeThroughEnvironment() throws {
        let result = try scan(workflows: ["deploy.yml": Self.deploy],
                              settings: Self.settings(Self.reviewRule, environments: Self.environment(
                                reviewers: false, policy: #"{"protected_branches": true, "custom_branch_policies": false}"#)),
                              subjects: ["repo:acme/api:environment:Production"])
        #expect(result.account?.level == "merge")
        #expect(result.account?.reason.contains("requires 1 approving review") == true)
    }

    @Test("an environment with no protection rule is `write`, and the account is listed by --reachable-by write")
    func unprotectedEnvironment() throws {
        let result = try scan(workflows: ["deploy.yml": Self.deploy],
                              settings: Self.settings("", environments: Self.environment(reviewers: false)),
                              subjects: ["repo:acme/api:environment:Production"])
        #expect(result.account?.level == "write")
        #expect(result.account?.reason.contains("has no protection rule") == true)
        #expect(result.filtered == ["gh-api"])
    }

    @Test("an environment not defined, or environments not collected, count as unprotected and say so")
    func notCollected() throws {
        let undefined = try scan(workflows: ["deploy.yml": Self.deploy],
                                 settings: Self.settings("", environments: #"{"total_count": 0, "environments": []}"#),
                                 subjects: ["repo:acme/api:environment:Production"])
        #expect(undefined.account?.level == "write")
        #expect(undefined.account?.reason.contains("not defined in acme/api") == true)
        let missing = try scan(workflows: ["deploy.yml": Self.deploy], settings: nil, subjects: ["repo:acme/api:environment:Production"])
        #expect(missing.account?.level == "write")
        #expect(missing.account?.reason.contains("not collected") == true)
    }

    @Test("a branch subject is `merge` when a rule requires review, `write` when not, from rulesets or classic protection")
    func branchSubjects() throws {
        let subjects = ["repo:acme/api:ref:refs/heads/main"]
        let ruled = try scan(workflows: [:], settings: Self.settings(Self.reviewRule), subjects: subjects)
        #expect(ruled.account?.level == "merge")
        let classic = try scan(workflows: [:], settings: Self.settings(
            #""branches": {"main": {"name": "main", "protected": true}}, "branch_protection": {"main": {"required_pull_request_reviews": {"required_approving_review_count": 2}, "restrictions": null}}"#),
            subjects: subjects)
        #expect(classic.account?.level == "merge")
        #expect(classic.account?.reason.contains("requires 2 approving reviews (classic)") == true)
        let open = try scan(workflows: [:], settings: Self.settings(#""branch_rules": {"main": [{"type": "deletion"}]}"#), subjects: subjects)
        #expect(open.account?.level == "write")
        #expect(open.account?.reason.contains("is protected but requires no approving review") == true)
        let missing = try scan(workflows: [:], settings: Self.settings(""), subjects: subjects)
        #expect(missing.account?.level == "write")
        #expect(missing.account?.reason.contains("not collected") == true)
        // Classic protection seen by a reader: protected, but how it protects was not readable.
        let unreadable = try scan(workflows: [:], settings: Self.settings(#""branches": {"main": {"name": "main", "protected": true}}"#),
                                  subjects: subjects)
        #expect(unreadable.account?.level == "write")
        #expect(unreadable.account?.reason.contains("classic branch protection") == true, "\(String(describing: unreadable.account))")
        #expect(unreadable.account?.reason.contains("not collected") == true)
        #expect(unreadable.account?.reason.contains("requires no approving review") == false)
    }

    @Test("a tag subject is `merge` when an active tag ruleset restricts creating and moving those tags")
    func tagSubjects() throws {
        let ruleset = #""rulesets": [{"id": 9, "name": "release tags", "target": "tag", "enforcement": "active", "conditions": {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}}, "rules": [{"type": "creation"}, {"type": "update"}, {"type": "deletion"}]}]"#
        let protected = try scan(workflows: [:], settings: Self.settings(ruleset), subjects: ["repo:acme/api:ref:refs/tags/v1.2.0"])
        #expect(protected.account?.level == "merge")
        let other = try scan(workflows: [:], settings: Self.settings(ruleset), subjects: ["repo:acme/api:ref:refs/tags/nightly"])
        #expect(other.account?.level == "write")
    }

    @Test("a pull_request subject and a repository wildcard are `write`")
    func writeSubjects() throws {
        let pr = try scan(workflows: [:], settings: Self.settings(Self.reviewRule), subjects: ["repo:acme/api:pull_request"])
        #expect(pr.account?.level == "write")
        let wildcard = try scan(workflows: [:], settings: Self.settings(Self.reviewRule), subjects: ["repo:acme/*"])
        #expect(wildcard.account?.level == "write")
        #expect(wildcard.account?.reason.contains("including ones members may create") == true)
    }

    static let preview = """
        on: pull_request_target
        jobs:
          preview:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: actions/checkout@v4
                with:
                  ref: ${{ github.event.pull_request.head.sha }}
              - run: npm ci && npm test
        """

    @Test("outsider input under a trigger outsiders fire: `anyone` in a public repository, `read` in a private one")
    func outsiders() throws {
        let subjects = ["repo:acme/api:pull_request"]
        let open = try scan(workflows: ["preview.yml": Self.preview], settings: Self.settings(Self.reviewRule, visibility: "public"),
                            subjects: subjects)
        #expect(open.account?.level == "anyone")
        let checked1 = open.paths.contains { $0.trigger == "pull_request_target" && $0.level == "anyone"
                                      && $0.reason.contains("github.event.pull_request.head.sha") }
        #expect(checked1)
        let closed = try scan(workflows: ["preview.yml": Self.preview], settings: Self.settings(Self.reviewRule), subjects: subjects)
        #expect(closed.account?.level == "read")
        let safe = Self.preview.replacingOccurrences(of: "ref: ${{ github.event.pull_request.head.sha }}", with: "ref: main")
        let checked = try scan(workflows: ["preview.yml": safe], settings: Self.settings(Self.reviewRule, visibility: "public"),
                               subjects: subjects)
        #expect(checked.account?.level == "write")
    }

    static let afterCI = """
        on:
          workflow_run:
            workflows: ["CI"]
            types: [completed]
        jobs:
          deploy:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: actions/checkout@v4
                with:
                  ref: ${{ github.event.workflow_run.head_sha }}
              - run: make deploy
        """

    static func ci(_ trigger: String) -> String {
        "name: CI\non: \(trigger)\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
    }

    @Test("workflow_run is as open as the runs it follows: a pull-request workflow makes it `anyone`, a push-only one does not")
    func workflowRunChain() throws {
        let subjects = ["repo:acme/api:ref:refs/heads/main"]
        let settings = Self.settings(Self.reviewRule, visibility: "public")
        let fromPullRequests = try scan(workflows: ["ci.yml": Self.ci("pull_request"), "after.yml": Self.afterCI],
                                        settings: settings, subjects: subjects)
        #expect(fromPullRequests.account?.level == "anyone", "\(String(describing: fromPullRequests.account))")
        let checked2 = fromPullRequests.paths.contains { $0.trigger == "workflow_run" && $0.level == "anyone" && $0.reason.contains("`CI`") }
        #expect(checked2)

        // Two levels: a workflow_run that follows a workflow_run that follows pull requests.
        let middle = Self.afterCI.replacingOccurrences(of: "\"CI\"", with: "\"Middle\"")
        let chained = "name: Middle\non:\n  workflow_run:\n    workflows: [CI]\njobs:\n  relay:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"
        let twoLevels = try scan(workflows: ["ci.yml": Self.ci("pull_request"), "middle.yml": chained, "after.yml": middle],
                                 settings: settings, subjects: subjects)
        #expect(twoLevels.account?.level == "anyone")

        // Only a push starts CI, so only someone who can push starts the follow-up: the branch decides.
        let fromPushes = try scan(workflows: ["ci.yml": Self.ci("push"), "after.yml": Self.afterCI], settings: settings, subjects: subjects)
        #expect(fromPushes.account?.level == "merge", "\(String(describing: fromPushes.account))")
        let checked3 = fromPushes.paths.allSatisfy { $0.level == "merge" }
        #expect(checked3, "\(fromPushes.paths)")

        // A followed workflow that is not in the scan counts as the worse case, and says so.
        let unknown = try scan(workflows: ["after.yml": Self.afterCI], settings: settings, subjects: subjects)
        #expect(unknown.account?.level == "anyone")
        let checked4 = unknown.paths.contains { $0.reason.contains("not in this scan") }
        #expect(checked4)
    }

    @Test("an outsider path into an environment whose reviewers must approve stays `approve`")
    func outsiderBehindReviewers() throws {
        let gated = Self.preview.replacingOccurrences(of: "    runs-on: ubuntu-latest", with: "    runs-on: ubuntu-latest\n    environment: Production")
        let result = try scan(workflows: ["preview.yml": gated],
                              settings: Self.settings(Self.reviewRule, visibility: "public", environments: Self.environment(reviewers: true)),
                              subjects: ["repo:acme/api:environment:Production"])
        #expect(result.account?.level == "approve")
        let checked5 = result.paths.allSatisfy { $0.level == "approve" }
        #expect(checked5)
    }

    @Test("trust --format json carries reachable_by on every account and path, and via on every path")
    func json() throws {
        let result = try scan(workflows: ["deploy.yml": Self.deploy],
                              settings: Self.settings(Self.reviewRule, environments: Self.environment(reviewers: true)),
                              subjects: ["repo:acme/api:environment:Production"])
        guard case .object(let root)? = JSONValue.parse(result.json), case .array(let accounts)? = root["service_accounts"] else {
            Issue.record("not a trust report: \(result.json)")
            return
        }
        for case .object(let account) in accounts {
            #expect(account["reachable_by"] == .string("approve"))
            guard case .array(let paths)? = account["paths"] else { continue }
            #expect(!paths.isEmpty)
            for case .object(let path) in paths {
                #expect(path["reachable_by"] == .string("approve"))
                #expect(path["via"] == .array([]))
            }
        }
    }
}

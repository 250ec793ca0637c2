import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Incremental derivation and evaluation must give exactly the rows and findings a full one gives. The benchmark
/// generator's organization (reusable-workflow callers of a shared workflow, settings, Octopus
/// identities with wildcards) is scanned, edited at random (workflows, a shared workflow, settings,
/// repositories added and removed), and rescanned into the same database, which evaluates
/// incrementally; a scan of the same files into a fresh database evaluates everything. Skipped
/// when the `trustaudit-bench` executable has not been built next to the tests.
@Suite("incremental evaluation", .enabled(if: BenchExecutable.url != nil, "the trustaudit-bench executable was not found in the build folder"))
struct IncrementalEvaluationTests {
    static let generator = BenchExecutable.url

    static let waivers = [Waiver(policy: "oidc-action-unpinned", repository: "acme/billing*", reason: "pinned by the platform team")]

    func scan(_ dir: URL, database: AuditDatabase) throws -> ScanOutcome {
        try ScanPlan(paths: [dir.appendingPathComponent("repos").path], githubSettings: [dir.appendingPathComponent("github-settings").path],
                     octopus: [dir.appendingPathComponent("octopus").path], policies: TestSupport.builtInPolicies(),
                     settings: PolicySettings(waivers: Self.waivers)).run(database: database)
    }

    /// Every field of every finding, in report order, plus the policy errors.
    func rendered(_ outcome: ScanOutcome) -> [String] {
        outcome.findings.map { finding in
            [finding.fingerprint, finding.policy, finding.severity.rawValue, finding.message, finding.resource ?? "",
             finding.repository ?? "", finding.file ?? "", finding.line.map(String.init) ?? "", finding.job ?? "",
             finding.serviceAccount ?? "", finding.evidence.jsonText, "\(finding.waived)", finding.waiverReason ?? ""]
                .joined(separator: " | ")
        } + outcome.policyErrors.map { "error \($0.policy): \($0.message)" }
    }

    /// Expects both evaluations to render the same rows in the same order; on failure names only
    /// the rows that differ, which a whole-array comparison buries in thousands of equal ones.
    func expectSame(_ incremental: ScanOutcome, _ full: ScanOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
        let left = rendered(incremental), right = rendered(full)
        guard left != right else { return }
        let onlyIncremental = Set(left).subtracting(right).sorted(), onlyFull = Set(right).subtracting(left).sorted()
        Issue.record("""
            incremental and full evaluation differ (\(left.count) vs \(right.count) rows)
            only incremental: \(onlyIncremental.joined(separator: "\n"))
            only full: \(onlyFull.joined(separator: "\n"))
            """, sourceLocation: sourceLocation)
    }

    /// Every derived row the views show, as sorted text: the trust graph with reachability, the
    /// accounts' levels, the job environments and the credential jobs.
    func derived(_ database: AuditDatabase, scanID: Int64) throws -> [String] {
        let views = [
            "trust_graph": "repository, file, job, trigger, subject, server, account_id, identity_id, match_kind, status, environment, gate, called_file, called_job, reason, via, reachable_by, reachable_reason",
            "service_account_reach": "server, account_id, reachable_by, reason",
            "job_environments": "repository, file, job, line, written, environment, dynamic, via, minting, logs_in",
            "credential_jobs": "repository, file, job, credential",
        ]
        var rows: [String] = []
        for (view, columns) in views.sorted(by: { $0.key < $1.key }) {
            let quoted = columns.split(separator: ",").map { "quote(\($0.trimmingCharacters(in: .whitespaces)))" }.joined(separator: " || ' | ' || ")
            rows += try database.strings("SELECT '\(view): ' || \(quoted) FROM \(view)", snapshot: scanID).sorted()
        }
        return rows + (try ingested(database, scanID: scanID))
    }

    /// What the scan ingested from settings and exports, every column of the views that show it
    /// (rows of unchanged settings documents and Octopus exports are copied from the earlier scan).
    func ingested(_ database: AuditDatabase, scanID: Int64) throws -> [String] {
        var rows: [String] = []
        for view in ["github_organizations", "github_repositories", "environments", "environment_branch_policies", "ref_rules",
                     "repositories", "service_accounts", "oidc_identities", "octopus_api_keys", "octopus_permissions", "octopus_teams",
                     "coverage"] {
            let columns = try database.pool.read { db in
                // `repositories.repository_id` is the database's own row number, not GitHub's id.
                try Row.fetchAll(db, sql: "PRAGMA table_info(\(view))").map { $0["name"] as String }
                    .filter { !(view == "repositories" && $0 == "repository_id") }.map { "quote(\"\($0)\")" }
            }
            rows += try database.strings("SELECT '\(view): ' || \(columns.joined(separator: " || ' | ' || ")) FROM \(view)", snapshot: scanID)
                .sorted()
        }
        return rows
    }

    /// How many repositories the scan derived: nil when it derived all of them.
    func rederived(_ database: AuditDatabase, scanID: Int64) throws -> Int? {
        try database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT rederived_repositories FROM scans WHERE id = ?", arguments: [scanID])
        }
    }

    /// Expects the incremental scan's derived rows to equal a full derivation's, naming the rows
    /// that differ.
    func expectSameDerivation(_ incremental: (AuditDatabase, ScanOutcome), _ full: (AuditDatabase, ScanOutcome),
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let left = try derived(incremental.0, scanID: incremental.1.scanID), right = try derived(full.0, scanID: full.1.scanID)
        #expect(left.count > 100, sourceLocation: sourceLocation)
        guard left != right else { return }
        Issue.record("""
            incremental and full derivation differ (\(left.count) vs \(right.count) rows)
            only incremental: \(Set(left).subtracting(right).sorted().prefix(20).joined(separator: "\n"))
            only full: \(Set(right).subtracting(left).sorted().prefix(20).joined(separator: "\n"))
            """, sourceLocation: sourceLocation)
    }

    /// The distinct `ingest_base` values of these scans.
    func ingestBases(_ database: AuditDatabase, _ scans: Int64...) throws -> Set<String> {
        try database.pool.read { db in
            Set(try scans.map { try String.fetchOne(db, sql: "SELECT ingest_base FROM scans WHERE id = ?", arguments: [$0]) ?? "" })
        }
    }

    /// Changes what the organization's settings say of subject claims and default permissions.
    func replace(_ organization: URL, in edits: OrgEdits) throws {
        let before = try String(contentsOf: organization, encoding: .utf8)
        try edits.replace(organization, "\"read\"", "\"write\"")
        try edits.replace(organization, "\"repo\", \"context\"", "\"repo\", \"context\", \"job_workflow_ref\"")
        #expect(try String(contentsOf: organization, encoding: .utf8) != before, "the organization document was not changed")
    }

    func fullEvaluation(_ dir: URL, in work: URL, name: String) throws -> (AuditDatabase, ScanOutcome) {
        let fresh = try TestSupport.openDatabase(in: work, name: name)
        let outcome = try scan(dir, database: fresh)
        #expect(outcome.reevaluatedRepositories == nil)
        #expect(try rederived(fresh, scanID: outcome.scanID) == nil)
        return (fresh, outcome)
    }

    @Test("after random edits, an incremental rescan reports exactly what a full evaluation reports")
    func incrementalEqualsFull() throws {
        try TestSupport.withTemporaryDirectory { work in
            let dir = work.appendingPathComponent("org")
            let generate = try CLI.run(["generate", "--repos", "150", "--out", dir.path, "--seed", "3"], in: work,
                                       executable: Self.generator)
            #expect(generate.status == 0, "\(generate.stderr)")
            let database = try TestSupport.openDatabase(in: work)
            let cold = try scan(dir, database: database)
            #expect(cold.reevaluatedRepositories == nil)
            #expect(cold.findings.count > 100)

            var random = SeededGenerator(seed: 20261129)
            let edits = try OrgEdits(root: dir)
            let mutate = try CLI.run(["mutate", "--dir", dir.path, "--percent", "3", "--seed", "9"], in: work, executable: Self.generator)
            #expect(mutate.status == 0, "\(mutate.stderr)")
            try edits.apply(count: 12, random: &random)
            // One repository outsiders can now reach a service account from; later rounds leave it
            // alone, so its level is carried over rather than derived again.
            let exposed = try #require(try edits.exposeToOutsiders(), "no workflow of the generated org mints a token")

            let incremental = try scan(dir, database: database)
            let reevaluated = try #require(incremental.reevaluatedRepositories, "the rescan evaluated everything")
            #expect(reevaluated > 0 && reevaluated < incremental.repositories)
            let derivedCount = try #require(try rederived(database, scanID: incremental.scanID), "the rescan derived everything")
            #expect(derivedCount > 0 && derivedCount < incremental.repositories)
            let full = try fullEvaluation(dir, in: work, name: "full-1.db")
            expectSame(incremental, full.1)
            try expectSameDerivation((database, incremental), full)
            #expect(incremental.findings.count != cold.findings.count || rendered(incremental) != rendered(cold),
                    "the edits changed no finding, so the comparison proves little")

            // A second round on top of the incremental result.
            try edits.apply(count: 6, random: &random, sparing: exposed)
            let again = try scan(dir, database: database)
            #expect(again.reevaluatedRepositories != nil)
            #expect(try rederived(database, scanID: again.scanID) != nil)
            let fullAgain = try fullEvaluation(dir, in: work, name: "full-2.db")
            expectSame(again, fullAgain.1)
            try expectSameDerivation((database, again), fullAgain)
            #expect(try database.count("SELECT count(*) FROM service_account_reach WHERE reachable_by IN ('anyone', 'read')",
                                       snapshot: again.scanID) ?? 0 > 0)

            // Settings: unchanged repository documents are copied from the earlier scan, not
            // decoded; a second document about one of those repositories makes both unusable; an
            // edited organization document (subject templates, default permissions) has every
            // document decoded again.
            let settingsFolder = dir.appendingPathComponent("github-settings")
            let repositoryDocuments = try FileManager.default.contentsOfDirectory(atPath: settingsFolder.path).filter { !$0.hasPrefix("_") }.sorted()
            let twin = try #require(repositoryDocuments.first)
            try FileManager.default.copyItem(at: settingsFolder.appendingPathComponent(twin), to: settingsFolder.appendingPathComponent("zz-\(twin)"))
            let inputs = try ScanPlan(paths: [], githubSettings: [settingsFolder.path], policies: []).readInputs()
            let reusable = try database.pool.read { db in
                try EarlierSettings.find(db, documents: inputs.githubSettings, hashes: inputs.githubSettings.map { SHA256.hex([UInt8]($0.data)) })
            }
            #expect(reusable?.reusable.count ?? 0 > repositoryDocuments.count / 2, "few settings documents could be copied")
            // The Octopus export, unchanged too, is copied rather than decoded.
            let exportInputs = try ScanPlan(paths: [], octopus: [dir.appendingPathComponent("octopus").path], policies: []).readInputs()
            let copiedExports = try database.pool.read { db in
                try EarlierOctopusExports.find(db, documents: exportInputs.octopus, hashes: exportInputs.octopus.map { SHA256.hex([UInt8]($0.data)) },
                                               ingestBase: try String.fetchOne(db, sql: "SELECT ingest_base FROM scans WHERE id = ?",
                                                                               arguments: [again.scanID]) ?? "")
            }
            #expect(copiedExports?.reusable.count == exportInputs.octopus.count)
            let duplicated = try scan(dir, database: database)
            #expect(try ingestBases(database, again.scanID, duplicated.scanID).count == 1, "the organization documents changed")
            let checked1 = duplicated.coverage.filter { $0.detail.contains("is also described by") }.count == 2
            #expect(checked1)
            let fullDuplicated = try fullEvaluation(dir, in: work, name: "full-3.db")
            expectSame(duplicated, fullDuplicated.1)
            try expectSameDerivation((database, duplicated), fullDuplicated)
            #expect(duplicated.coverage == fullDuplicated.1.coverage)

            let organization = settingsFolder.appendingPathComponent("_org-acme.json")
            try replace(organization, in: edits)
            let afterOrganization = try scan(dir, database: database)
            #expect(try ingestBases(database, duplicated.scanID, afterOrganization.scanID).count == 2)
            let fullOrganization = try fullEvaluation(dir, in: work, name: "full-4.db")
            expectSame(afterOrganization, fullOrganization.1)
            try expectSameDerivation((database, afterOrganization), fullOrganization)

            // An edited Octopus export changes what every repository's jobs can reach: no
            // incremental evaluation then.
            let export = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("octopus").path).first)
            let exportURL = dir.appendingPathComponent("octopus").appendingPathComponent(export)
            try (String(contentsOf: exportURL, encoding: .utf8) + "\n").write(to: exportURL, atomically: true, encoding: .utf8)
            let afterExport = try scan(dir, database: database)
            #expect(afterExport.reevaluatedRepositories == nil)
            #expect(try rederived(database, scanID: afterExport.scanID) == nil)
            expectSame(afterExport, afterOrganization)
        }
    }
}

/// The benchmark's `trustaudit-bench` executable, which generates the synthetic organization.
enum BenchExecutable {
    static let url: URL? = {
        let candidates = [CLI.executable?.deletingLastPathComponent().appendingPathComponent("trustaudit-bench"),
                          TestSupport.packageRoot.appendingPathComponent(".build/debug/trustaudit-bench")]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()
}

/// Edits of the generated organization that change findings: tokens, environments, triggers,
/// the shared reusable workflow, settings, and whole repositories added or removed.
struct OrgEdits {
    let root: URL
    let repos: URL

    init(root: URL) throws {
        self.root = root
        repos = root.appendingPathComponent("repos/acme")
    }

    func workflowFiles() throws -> [URL] {
        var files: [URL] = []
        for repository in try FileManager.default.contentsOfDirectory(atPath: repos.path).sorted() {
            let folder = repos.appendingPathComponent(repository).appendingPathComponent(".github/workflows")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? [] {
                files.append(folder.appendingPathComponent(name))
            }
        }
        return files
    }

    func replace(_ url: URL, _ old: String, _ new: String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard text.contains(old) else { return }
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
    }

    /// Runs outsider input under `pull_request_target` in one job that mints a token, in a
    /// repository that calls no shared workflow and names no environment (whose reviewers would gate
    /// it); returns that repository's folder name.
    func exposeToOutsiders() throws -> String? {
        for file in try workflowFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard text.contains("id-token: write"), text.contains("    steps:\n"), !text.contains("shared-workflows"), !text.contains("environment"),
                  !text.contains("pull_request_target"),
                  text.contains("\non:\n") else { continue }
            try replace(file, "\non:\n", "\non:\n  pull_request_target:\n")
            try replace(file, "    steps:\n", "    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n")
            return repository(of: file).lastPathComponent
        }
        return nil
    }

    func repository(of file: URL) -> URL {
        file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func apply(count: Int, random: inout SeededGenerator, sparing: String? = nil) throws {
        let manager = FileManager.default
        for _ in 0..<count {
            let files = try workflowFiles().filter { repository(of: $0).lastPathComponent != sparing }
            guard let file = files.randomElement(using: &random) else { return }
            switch Int.random(in: 0..<9, using: &random) {
            case 0: try replace(file, "id-token: write", "id-token: read")
            case 1: try replace(file, "environment: Production", "environment: Prod-2")
            case 2: try replace(file, "on:\n", "on:\n  pull_request_target:\n")
            case 3: try manager.removeItem(at: file)
            case 4:
                let shared = repos.appendingPathComponent("shared-workflows/.github/workflows/octopus-deploy.yml")
                if manager.fileExists(atPath: shared.path) {
                    try replace(shared, "environment: ${{ inputs.environment }}", "environment: staging")
                    try replace(shared, "id-token: write", "id-token: write\n      actions: write")
                }
            case 5:
                let settings = root.appendingPathComponent("github-settings")
                if let name = try manager.contentsOfDirectory(atPath: settings.path).filter({ !$0.hasPrefix("_") && $0 != "\(sparing ?? "").json" }).sorted()
                    .randomElement(using: &random) {
                    let url = settings.appendingPathComponent(name)
                    if Bool.random(using: &random) {
                        try manager.removeItem(at: url)
                    } else {
                        try replace(url, "\"prevent_self_review\": true", "\"prevent_self_review\": false")
                        try replace(url, "\"prevent_self_review\":true", "\"prevent_self_review\":false")
                    }
                }
            case 6:
                let repository = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                if repository.lastPathComponent != "shared-workflows" { try manager.removeItem(at: repository) }
            case 7:
                // Outsider input run in a job that may hold credentials.
                try replace(file, "    steps:\n", """
                        steps:
                          - run: echo "${{ github.event.pull_request.title }}"
                          - uses: actions/checkout@v4
                            with:
                              ref: ${{ github.event.pull_request.head.sha }}

                    """)
            default:
                let repository = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                let copy = repos.appendingPathComponent(repository.lastPathComponent + "-copy\(Int.random(in: 0..<1000, using: &random))")
                if !manager.fileExists(atPath: copy.path) { try manager.copyItem(at: repository, to: copy) }
            }
        }
    }
}

/// SplitMix64: the same edits for the same seed on every machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

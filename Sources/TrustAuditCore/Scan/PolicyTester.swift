import Foundation

/// Runs a policy's own examples: each example is scanned into a fresh database and the policy
/// must report exactly the expected number of (unwaived) findings, and, where the example lists
/// them, findings matching that list one for one.
public enum PolicyTester {
    /// The result of one example.
    public struct ExampleResult: Sendable {
        public var policy: String
        public var example: String
        public var expected: Int
        public var actual: Int
        public var findings: [Finding]
        public var error: String?
        /// Expected rows no finding matched, when the example lists its findings.
        public var unmatched: [PolicyExampleRow] = []

        public var passed: Bool { error == nil && expected == actual && unmatched.isEmpty }

        /// Why the example failed, in words; nil when it passed.
        public var failure: String? {
            if let error { return error }
            if expected != actual { return "expected \(expected) finding(s), got \(actual)" }
            if !unmatched.isEmpty {
                return "no finding matches " + unmatched.map(\.description).joined(separator: ", ")
                    + " (found: " + findings.map { "{job: \($0.job ?? "-"), line: \($0.line.map(String.init) ?? "-")}" }.joined(separator: ", ") + ")"
            }
            return nil
        }
    }

    public static func run(_ policy: Policy, settings: PolicySettings = PolicySettings()) -> [ExampleResult] {
        policy.examples.map { run(example: $0, of: policy, settings: settings) }
    }

    static func run(example: PolicyExample, of policy: Policy, settings: PolicySettings) -> ExampleResult {
        var result = ExampleResult(policy: policy.id, example: example.name, expected: example.expect, actual: 0, findings: [])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trustaudit-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = try AuditDatabase.open(path: directory.appendingPathComponent("example.db").path)
            var exampleSettings = settings
            var override = settings.overrides[policy.id] ?? PolicyOverride()
            override.enabled = true
            override.params.merge(example.params) { _, new in new }
            exampleSettings.overrides[policy.id] = override
            let collected = CollectedInputs(
                repositories: repositories(of: example).map(RepositorySource.memory),
                githubSettings: example.githubSettings.enumerated().map { InputDocument(name: "\(policy.source) example `\(example.name)` github_settings[\($0.offset)]", data: Data($0.element.jsonText.utf8)) },
                octopus: example.octopus.enumerated().map { InputDocument(name: "\(policy.source) example `\(example.name)` octopus[\($0.offset)]", data: Data($0.element.jsonText.utf8)) })
            let outcome = try ScanPlan(paths: [], label: "example: \(example.name)", policies: [policy], settings: exampleSettings,
                                       collected: collected).run(database: database)
            if let error = outcome.policyErrors.first { result.error = error.message }
            result.findings = outcome.findings.filter { $0.policy == policy.id && !$0.waived }
            result.actual = result.findings.count
            if let rows = example.expectedRows { result.unmatched = PolicyExampleRow.unmatched(rows, in: result.findings) }
        } catch {
            result.error = "\(error)"
        }
        return result
    }

    /// Groups `owner/repo/path` keys into one in-memory repository per `owner/repo`. A file outside
    /// `.github/workflows/` is a local action's metadata (`.github/actions/x/action.yml`).
    static func repositories(of example: PolicyExample) -> [RepositorySnapshot] {
        var files: [String: [WorkflowFileInput]] = [:]
        for (key, text) in example.workflows {
            let parts = key.split(separator: "/", maxSplits: 2)
            let name = "\(parts[0])/\(parts[1])"
            let path = String(parts[2])
            let kind: WorkflowFileKind = path.hasPrefix(".github/workflows/") ? .workflow : .action
            files[name, default: []].append(WorkflowFileInput(path: path, content: .success(Array(text.utf8)), kind: kind))
        }
        return files.keys.sorted().map {
            RepositorySnapshot(fullName: $0, source: "example", files: files[$0]!.sorted { $0.path < $1.path })
        }
    }
}

import ArgumentParser
import Foundation
import TrustAuditCore

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "List, show, test and validate policies.",
        subcommands: [List.self, Show.self, Test.self, Validate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every policy: id, severity, category and title.")
        @OptionGroup var policyOptions: PolicyOptions

        func run() throws {
            let loaded = policyOptions.loadPolicies(config: try policyOptions.loadConfig())
            let width = loaded.policies.map(\.id.count).max() ?? 0
            for policy in loaded.policies {
                let id = policy.id.padding(toLength: width, withPad: " ", startingAt: 0)
                let severity = policy.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                let category = policy.category.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                try say("\(id)  \(severity)  \(category)  \(policy.title)")
            }
            try reportLoadErrors(loaded.errors)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one policy in full: why it matters, how to fix, its query.")
        @Argument(help: "The policy id.") var id: String
        @OptionGroup var policyOptions: PolicyOptions

        func run() throws {
            let loaded = policyOptions.loadPolicies(config: try policyOptions.loadConfig())
            guard let policy = loaded.policies.first(where: { $0.id == id }) else {
                let suggestion = Suggestion.closest(to: id, among: loaded.policies.map(\.id)).map { "did you mean `\($0)`? " } ?? ""
                throw fail("no policy `\(id)`; \(suggestion)`trustaudit policy list` shows them all")
            }
            try say("\(policy.id): \(policy.title)")
            try say("severity: \(policy.severity.rawValue)    category: \(policy.category.rawValue)    source: \(policy.source)")
            try say("\n\(policy.description)\n\nRemediation: \(policy.remediation)")
            if !policy.references.isEmpty { try say("\nReferences:\n" + policy.references.map { "  \($0)" }.joined(separator: "\n")) }
            if !policy.controls.isEmpty { try say("Controls: \(policy.controls.joined(separator: ", "))") }
            if !policy.params.isEmpty {
                try say("\nParameters:")
                for key in policy.params.keys.sorted() { try say("  \(key): \(policy.params[key]!.jsonText)") }
            }
            try say("\nQuery:\n" + policy.query.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(separator: "\n"))
            try say("\nExamples: " + policy.examples.map { "\($0.name) (expect \($0.expect))" }.joined(separator: "; "))
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every policy's own examples; fail on any mismatch.",
            discussion: "Each example is scanned into a fresh temporary database and must produce exactly its `expect` findings.")
        @OptionGroup var policyOptions: PolicyOptions
        @Option(help: "Test only this policy.") var only: String?
        @OptionGroup var limits: LimitOptions

        // The config file is ignored here on purpose: examples prove each policy as written.

        func run() throws {
            let loaded = policyOptions.loadPolicies(config: AuditConfig())
            if let only, !loaded.policies.contains(where: { $0.id == only }) {
                let ids = loaded.policies.map(\.id)
                let suggestion = Suggestion.closest(to: only, among: ids).map { "did you mean `\($0)`? " } ?? ""
                throw fail("no policy `\(only)` to test; \(suggestion)`trustaudit policy list` shows them all")
            }
            var failures = 0
            var passes = 0
            for policy in loaded.policies where only == nil || policy.id == only {
                for result in PolicyTester.run(policy, settings: PolicySettings(limits: limits.applied(to: ScanLimits()))) {
                    if result.passed {
                        passes += 1
                        try say("ok    \(policy.id): \(result.example)")
                    } else {
                        failures += 1
                        try say("FAIL  \(policy.id): \(result.example): \(result.failure ?? "")")
                        for finding in result.findings {
                            try say("        \(finding.repository ?? "")/\(finding.file ?? ""):\(finding.line.map(String.init) ?? "-") \(finding.message)")
                        }
                    }
                }
            }
            for error in loaded.errors { try say("FAIL  \(error)") }
            failures += loaded.errors.count
            try say("\(passes) passed, \(failures) failed")
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check policy files: schema, SQL and examples.")
        @Argument(help: "Policy files to validate.") var files: [String]
        @OptionGroup var limits: LimitOptions

        func run() throws {
            var bad = 0
            let missing = files.filter { !FileManager.default.fileExists(atPath: $0) }
            if !missing.isEmpty {
                throw fail("no such file: \(missing.joined(separator: ", "))")
            }
            for file in files {
                let loaded = PolicyLoader.load(path: file)
                for error in loaded.errors {
                    bad += 1
                    try say("invalid  \(error)")
                }
                for policy in loaded.policies {
                    let failures = PolicyTester.run(policy, settings: PolicySettings(limits: limits.applied(to: ScanLimits()))).filter { !$0.passed }
                    if failures.isEmpty {
                        try say("valid    \(file): \(policy.id) (\(policy.examples.count) examples pass)")
                    } else {
                        bad += 1
                        for failure in failures {
                            try say("invalid  \(file): example `\(failure.example)`: \(failure.failure ?? "")")
                        }
                    }
                }
            }
            if bad > 0 { throw ExitCode(1) }
        }
    }
}

private func reportLoadErrors(_ errors: [PolicyLoadError]) throws {
    guard !errors.isEmpty else { return }
    for error in errors { StandardStreams.writeError("trustaudit: policy not loaded: \(error)\n") }
    throw ExitCode(2)
}

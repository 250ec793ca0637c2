import Foundation
import Testing
@testable import TrustAuditCore

/// Every built-in policy is proved by its own examples (the same check as `trustaudit policy
/// test`), and every policy has examples of both kinds.
@Suite("Built-in policy examples")
struct PolicyExamplesTests {
    static let policies = PolicyLoader.builtIn().policies

    @Test("every built-in policy file loads, and every file in Policies/ is built in")
    func allLoad() throws {
        let loaded = PolicyLoader.builtIn()
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        let folder = TestSupport.packageRoot.appendingPathComponent("Policies")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }
            .map { ($0 as NSString).deletingPathExtension }
        // A mismatch here during development usually means a stale build plugin output:
        // `rm -rf .build/plugins` once after deleting a policy file.
        #expect(Set(loaded.policies.map(\.id)) == Set(files))
        #expect(Set(loaded.policies.map(\.id)).count == loaded.policies.count)
    }

    @Test("the policy's examples all pass", arguments: policies.map(\.id))
    func examplesPass(id: String) throws {
        let required1 = Self.policies.first { $0.id == id }
        let policy = try #require(required1)
        let results = PolicyTester.run(policy)
        #expect(results.count == policy.examples.count)
        for result in results {
            #expect(result.error == nil, "\(id): example `\(result.example)`: \(result.error ?? "")")
            #expect(result.passed, "\(id): example `\(result.example)`: \(result.failure ?? ""): \(result.findings.map(\.message))")
        }
    }

    /// A message names the first repositories only; an auditor reads the full list in the evidence.
    @Test("service-account-shared: the evidence lists every repository when the message names only the first")
    func sharedAccountEvidenceListsAll() throws {
        let found = Self.policies.first { $0.id == "service-account-shared" }
        let policy = try #require(found)
        let example = policy.examples.first { $0.params["listed_repositories"] != nil }
        let truncated = try #require(example)
        let result = PolicyTester.run(example: truncated, of: policy, settings: PolicySettings())
        let finding = try #require(result.findings.first)
        #expect(finding.message.contains("acme/api and 1 more"))
        #expect(!finding.message.contains("acme/web"))
        guard case .object(let evidence) = finding.evidence, case .array(let listed)? = evidence["repositories"] else {
            Issue.record("no repository list in \(finding.evidenceJSON)")
            return
        }
        #expect(listed.compactMap(\.stringValue) == ["acme/api", "acme/web"])
    }

    @Test("the policy has at least one triggering and one non-triggering example", arguments: policies.map(\.id))
    func bothKinds(id: String) throws {
        let required2 = Self.policies.first { $0.id == id }
        let policy = try #require(required2)
        let checked3 = policy.examples.contains { $0.expect > 0 }
        #expect(checked3, "\(id) has no example that triggers it")
        let checked4 = policy.examples.contains { $0.expect == 0 }
        #expect(checked4, "\(id) has no example that does not trigger it")
        #expect(Set(policy.examples.map(\.name)).count == policy.examples.count, "\(id) has two examples with the same name")
    }

    @Test("the policy's metadata is complete", arguments: policies.map(\.id))
    func metadata(id: String) throws {
        let required5 = Self.policies.first { $0.id == id }
        let policy = try #require(required5)
        #expect(policy.source == "Policies/\(id).yml")
        #expect(!policy.title.isEmpty && !policy.description.isEmpty && !policy.remediation.isEmpty)
        #expect(!policy.references.isEmpty, "\(id) has no references")
        for reference in policy.references {
            #expect(reference.hasPrefix("https://"), "\(id): reference `\(reference)` is not an https URL")
        }
    }
}

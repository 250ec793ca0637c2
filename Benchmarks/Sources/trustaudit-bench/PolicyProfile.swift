import Foundation
import TrustAuditCore

/// `policy-profile`: scans DIR with no policies (so the facts and trust graph are stored), then
/// evaluates each built-in policy alone and reports its wall time: finds the policy queries that
/// dominate the evaluate phase and how they scale with the organization's size.
enum PolicyProfile {
    static func main(dir: String, databasePath: String, only: Set<String>?) throws {
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) }
        let root = URL(fileURLWithPath: dir)
        var start = now()
        let repositories = try RepositoryDiscovery.discover(paths: [root.appendingPathComponent("repos").path], owner: nil)
        let settings = try InputDocument.load(path: root.appendingPathComponent("github-settings").path)
        let octopus = try InputDocument.load(path: root.appendingPathComponent("octopus").path)
        let audit = try AuditDatabase.open(path: databasePath)
        let outcome = try ScanPipeline(database: audit).run(ScanRequest(
            repositories: repositories.map(RepositorySource.disk), label: "facts only", policies: [],
            settings: PolicySettings(), stages: StandardStages.make(githubSettings: settings, octopus: octopus)))
        print(String(format: "facts-only scan: %.2f s, %d repositories, %d files; phases: %@", now() - start,
                     outcome.repositories, outcome.workflowFiles,
                     outcome.timings.map { String(format: "%@ %.2f", $0.phase, $0.seconds) }.joined(separator: ", ")))
        let policies = PolicyLoader.builtIn().policies.filter { only?.contains($0.id) ?? true }
        var rows: [(String, Double, Int, Int)] = []
        for policy in policies {
            start = now()
            let result = PolicyEngine.evaluate(database: audit, scanID: outcome.scanID, policies: [policy], settings: PolicySettings())
            let seconds = now() - start
            rows.append((policy.id, seconds, result.findings.count, result.errors.count))
            FileHandle.standardError.write(Data(String(format: "  %-45@ %8.3f s %6d findings\n", policy.id, seconds, result.findings.count).utf8))
        }
        print("| policy | seconds | findings | errors |\n|---|---:|---:|---:|")
        for row in rows.sorted(by: { $0.1 > $1.1 }) {
            print(String(format: "| %@ | %.3f | %d | %d |", row.0, row.1, row.2, row.3))
        }
    }
}

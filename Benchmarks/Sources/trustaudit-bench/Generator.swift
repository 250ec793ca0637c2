import Foundation

/// `generate`: writes the synthetic organization; `mutate`: changes a share of its workflow files.
enum Generator {
    struct Summary {
        var repositories = 0
        var workflowFiles = 0
        var workflowBytes = 0
        var settingsFiles = 0
        var identities = 0
        var accounts = 0
    }

    static func generate(repoCount: Int, out: String, seed: UInt64) throws -> Summary {
        let root = URL(fileURLWithPath: out)
        let fileManager = FileManager.default
        for folder in ["repos", "github-settings", "octopus"] {
            try? fileManager.removeItem(at: root.appendingPathComponent(folder))
        }
        let org = OrgPlan(repoCount: repoCount, seed: seed)
        let reposRoot = root.appendingPathComponent("repos/\(OrgPlan.organization)")
        let settingsRoot = root.appendingPathComponent("github-settings")
        let octopusRoot = root.appendingPathComponent("octopus")
        for folder in [reposRoot, settingsRoot, octopusRoot] {
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        // Repositories are independent: write them on every core, in chunks.
        let chunks = 64
        let counts = LockedCounts()
        let failure = LockedError()
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var files = 0
            var bytes = 0
            var index = chunk
            while index < org.repos.count {
                let repo = org.repos[index]
                do {
                    let folder = reposRoot.appendingPathComponent("\(repo.name)/.github/workflows")
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    var writer = WorkflowWriter(plan: repo, org: org)
                    for (name, text) in writer.files() {
                        let data = Data(text.utf8)
                        try data.write(to: folder.appendingPathComponent(name))
                        files += 1
                        bytes += data.count
                    }
                    try Data(Exports.repositorySettings(repo, org: org).utf8)
                        .write(to: settingsRoot.appendingPathComponent("\(repo.name).json"))
                } catch {
                    failure.set(error)
                }
                index += chunks
            }
            counts.add(files: files, bytes: bytes)
        }
        if let error = failure.value { throw error }
        try Data(Exports.organizationSettings().utf8).write(to: settingsRoot.appendingPathComponent("_org-\(OrgPlan.organization).json"))
        try Data(Exports.octopus(org).utf8).write(to: octopusRoot.appendingPathComponent("\(OrgPlan.organization).json"))
        var summary = Summary()
        summary.repositories = org.repos.count
        summary.workflowFiles = counts.files
        summary.workflowBytes = counts.bytes
        summary.settingsFiles = org.repos.count + 1
        summary.identities = org.identityCount
        summary.accounts = org.accounts.count
        return summary
    }

    /// All workflow files under `DIR/repos`, sorted, as paths relative to `DIR/repos`.
    static func workflowFiles(dir: String) -> [String] {
        let reposRoot = URL(fileURLWithPath: dir).appendingPathComponent("repos").path
        var result: [String] = []
        let fileManager = FileManager.default
        for org in ((try? fileManager.contentsOfDirectory(atPath: reposRoot)) ?? []).sorted() {
            let orgPath = "\(reposRoot)/\(org)"
            for repo in ((try? fileManager.contentsOfDirectory(atPath: orgPath)) ?? []).sorted() {
                let workflows = "\(orgPath)/\(repo)/.github/workflows"
                for name in ((try? fileManager.contentsOfDirectory(atPath: workflows)) ?? []).sorted()
                where name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
                    result.append("\(org)/\(repo)/.github/workflows/\(name)")
                }
            }
        }
        return result
    }

    /// Changes `percent`% of the workflow files, chosen by `seed`: a realistic edit (a runner
    /// label, a timeout) plus a comment, so the content hash changes and the file still parses.
    /// Returns how many files changed.
    static func mutate(dir: String, percent: Double, seed: UInt64) throws -> Int {
        var files = workflowFiles(dir: dir)
        let count = Int((Double(files.count) * percent / 100).rounded())
        var rng = SplitMix64(seed: seed, stream: "mutate")
        // Partial Fisher–Yates: the first `count` entries are the sample.
        for index in 0..<min(count, files.count) {
            let other = index + rng.int(files.count - index)
            files.swapAt(index, other)
        }
        let reposRoot = URL(fileURLWithPath: dir).appendingPathComponent("repos")
        for (index, relative) in files.prefix(count).enumerated() {
            let url = reposRoot.appendingPathComponent(relative)
            var text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            if text.contains("runs-on: ubuntu-latest") {
                text = text.replacingFirst("runs-on: ubuntu-latest", with: "runs-on: ubuntu-24.04")
            } else if text.contains("runs-on: ubuntu-24.04") {
                text = text.replacingFirst("runs-on: ubuntu-24.04", with: "runs-on: ubuntu-latest")
            }
            let newline = text.contains("\r\n") ? "\r\n" : "\n"
            text += "# edited by trustaudit-bench mutate (seed \(seed), change \(index))\(newline)"
            try Data(text.utf8).write(to: url)
        }
        return count
    }
}

/// The first error thrown by any worker of a parallel loop.
final class LockedError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?

    var value: Error? { lock.withLock { stored } }

    func set(_ error: Error) { lock.withLock { if stored == nil { stored = error } } }
}

/// Totals added from the workers of a parallel loop.
final class LockedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var storedFiles = 0
    private var storedBytes = 0

    var files: Int { lock.withLock { storedFiles } }
    var bytes: Int { lock.withLock { storedBytes } }

    func add(files: Int, bytes: Int) {
        lock.withLock {
            storedFiles += files
            storedBytes += bytes
        }
    }
}

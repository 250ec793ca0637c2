/// What changed between two scans: findings introduced, resolved and persisting (by
/// fingerprint), the configuration changes that matter, and what one side did not cover.
///
/// A repository or Octopus instance present in only one scan is "not covered": its findings are
/// neither introduced nor resolved, because absence of data is not absence of risk.
public struct DriftReport: Sendable {
    /// One configuration change, with its before and after values (nil when absent).
    public struct Change: Sendable, Equatable {
        public var kind: String
        public var repository: String?
        public var file: String?
        public var subject: String
        public var before: String?
        public var after: String?
    }

    public struct NotCovered: Sendable, Equatable {
        public var kind: String
        public var name: String
        public var reason: String
    }

    public var from: ScanSummary
    public var to: ScanSummary
    public var introduced: [Finding]
    public var resolved: [Finding]
    public var persisting: [Finding]
    public var changes: [Change]
    public var notCovered: [NotCovered]

    /// Compares two complete scans of one database.
    public static func compute(database: AuditDatabase, from: ScanSummary, to: ScanSummary) throws -> DriftReport {
        let before = try DriftFacts.load(database: database, scan: from)
        let after = try DriftFacts.load(database: database, scan: to)
        var notCovered: [NotCovered] = []
        for name in before.repositories.subtracting(after.repositories).sorted() {
            notCovered.append(NotCovered(kind: "repository", name: name, reason: "not in scan \(to.id); its findings are neither resolved nor introduced"))
        }
        for name in after.repositories.subtracting(before.repositories).sorted() {
            notCovered.append(NotCovered(kind: "repository", name: name, reason: "not in scan \(from.id); its findings are neither resolved nor introduced"))
        }
        for name in before.servers.subtracting(after.servers).sorted() {
            notCovered.append(NotCovered(kind: "octopus", name: name, reason: "no Octopus export for it in scan \(to.id)"))
        }
        for name in after.servers.subtracting(before.servers).sorted() {
            notCovered.append(NotCovered(kind: "octopus", name: name, reason: "no Octopus export for it in scan \(from.id)"))
        }
        let bothRepositories = before.repositories.intersection(after.repositories)
        let bothServers = before.servers.intersection(after.servers)
        // Settings read in one scan and not the other (an export missing or unreadable): the
        // environment findings of that repository cannot be compared either.
        let settingsCovered = before.environmentsCollected.intersection(after.environmentsCollected)
        for name in before.environmentsCollected.symmetricDifference(after.environmentsCollected).intersection(bothRepositories).sorted() {
            let missingIn = before.environmentsCollected.contains(name) ? to.id : from.id
            notCovered.append(NotCovered(kind: "github-settings", name: name,
                                         reason: "no usable GitHub settings for it in scan \(missingIn); its environment findings are neither resolved nor introduced"))
        }
        func comparable(_ finding: Finding) -> Bool {
            // A finding about an Octopus account (an identity, or a trust path from a job) exists
            // only while that instance's export was read: compare it only where both scans read it.
            if case .object(let evidence) = finding.evidence, case .string(let server)? = evidence["server"] {
                guard bothServers.contains(server) else { return false }
            }
            if let resource = finding.resource, resource.hasPrefix("octopus:") || resource.contains("→ octopus:") {
                guard bothServers.contains(where: { resource.contains("octopus:\($0)") }) else { return false }
                if finding.repository == nil { return true }
            }
            if finding.policy.hasPrefix("environment-"), let repository = finding.repository,
               !settingsCovered.contains(repository.lowercased()) {
                return false
            }
            guard let repository = finding.repository else { return true }
            return bothRepositories.contains(repository.lowercased()) || !(before.repositories.union(after.repositories)).contains(repository.lowercased())
        }
        let beforeByPrint = Dictionary(before.findings.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        let afterByPrint = Dictionary(after.findings.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
        let introduced = after.findings.filter { beforeByPrint[$0.fingerprint] == nil && comparable($0) }
        let resolved = before.findings.filter { afterByPrint[$0.fingerprint] == nil && comparable($0) }
        let persisting = after.findings.filter { beforeByPrint[$0.fingerprint] != nil }

        var changes: [Change] = []
        func compare(_ kind: String, _ old: [DriftFacts.Key: String], _ new: [DriftFacts.Key: String], covered: (DriftFacts.Key) -> Bool,
                     describe: (String?, String?) -> String) {
            for key in Set(old.keys).union(new.keys).sorted() where covered(key) && old[key] != new[key] {
                changes.append(Change(kind: kind + describe(old[key], new[key]), repository: key.repository, file: key.file,
                                      subject: key.subject, before: old[key], after: new[key]))
            }
        }
        let repoCovered: (DriftFacts.Key) -> Bool = { key in key.repository.map { bothRepositories.contains($0.lowercased()) } ?? false }
        compare("permission", before.permissions, after.permissions, covered: repoCovered) { old, new in
            let rank = ["none": 0, "read": 1, "write": 2]
            switch (old, new) {
            case (nil, _): return "-added"
            case (_, nil): return "-removed"
            default: return (rank[new!] ?? 0) > (rank[old!] ?? 0) ? "-widened" : "-narrowed"
            }
        }
        compare("id-token", before.idTokens, after.idTokens, covered: repoCovered) { old, new in
            new == "write" ? "-gained" : old == "write" ? "-lost" : "-changed"
        }
        compare("action-pin", before.pins, after.pins, covered: repoCovered) { old, new in
            if old == "sha" && new != nil && new != "sha" { return "-unpinned" }
            if new == "sha" && old != nil && old != "sha" { return "-pinned" }
            return old == nil ? "-added" : new == nil ? "-removed" : "-changed"
        }
        let environmentCovered: (DriftFacts.Key) -> Bool = { key in
            key.repository.map { before.environmentsCollected.contains($0.lowercased()) && after.environmentsCollected.contains($0.lowercased()) } ?? false
        }
        compare("environment-reviewers", before.reviewers, after.reviewers, covered: environmentCovered) { old, new in
            (Int(new ?? "0") ?? 0) < (Int(old ?? "0") ?? 0) ? "-removed" : (Int(new ?? "0") ?? 0) > (Int(old ?? "0") ?? 0) ? "-added" : "-changed"
        }
        compare("environment-branch-policy", before.branchPolicies, after.branchPolicies, covered: environmentCovered) { old, new in
            new == nil || new == "all" ? "-removed" : old == nil || old == "all" ? "-added" : "-changed"
        }
        let serverCovered: (DriftFacts.Key) -> Bool = { key in key.server.map(bothServers.contains) ?? false }
        compare("identity", before.identities, after.identities, covered: serverCovered) { old, new in
            old == nil ? "-added" : new == nil ? "-removed" : "-changed"
        }
        compare("trust-edge", before.edges, after.edges, covered: { repoCovered($0) && serverCovered($0) }) { old, new in
            old == nil ? "-added" : new == nil ? "-removed" : "-changed"
        }
        // Who can obtain an account's token: `-lowered` means fewer people stand in the way now.
        compare("reachable-by", before.reach, after.reach, covered: serverCovered) { old, new in
            guard let old, let new, let from = ReachLevel(word: old), let to = ReachLevel(word: new) else {
                return old == nil ? "-added" : "-removed"
            }
            return to < from ? "-lowered" : "-raised"
        }
        return DriftReport(from: from, to: to, introduced: introduced, resolved: resolved, persisting: persisting,
                           changes: changes, notCovered: notCovered)
    }
}

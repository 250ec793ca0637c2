import Foundation
import GRDB

/// Everything an audit report shows about one stored scan, read from the database only: the
/// findings (via `findingsScanID`), the snapshot's coverage, trust graph and repositories (via
/// `dataScanID`), drift since the previous complete scan and the trend over every complete scan.
///
/// The HTML, Markdown, SARIF, CSV and JUnit renderings all start from this one value, so they
/// agree on what they say; each renderer escapes the scanned text for its own format.
public struct AuditReportData: Sendable {
    public typealias Repository = AuditReportRows.Repository
    public typealias OctopusInstance = AuditReportRows.OctopusInstance
    public typealias TrendPoint = AuditReportRows.TrendPoint
    public typealias InputCount = AuditReportRows.InputCount

    public var scan: ScanSummary
    /// Every finding of the scan (waived ones too), in report order; only `repositoryFilter`'s when set.
    public var findings: [Finding]
    /// Policy metadata by id (title, description, remediation, references).
    public var policies: [String: Policy]
    public var policyErrors: [PolicyRunError]
    public var coverage: [CoverageNote]
    public var repositories: [Repository]
    public var octopus: [OctopusInstance]
    public var inputs: [InputCount]
    public var trend: [TrendPoint]
    /// Nil when there is no complete scan before this one.
    public var drift: DriftReport?
    public var trustGraph: TrustGraphReport
    /// The `--repo` the report is limited to, if any.
    public var repositoryFilter: String?

    /// Reads the report for scan `scanID` (the latest complete scan when nil).
    ///
    /// `policies` supplies the metadata findings do not carry (description, remediation); a
    /// finding whose policy is not among them still renders, with its own title. `repository`
    /// limits findings, drift, the trust graph, coverage rows and the trend to one repository.
    /// Throws `ScanCatalog.LookupError` when there is no such complete scan.
    public static func load(database: AuditDatabase, scanID: Int64?, policies: [Policy], repository: String? = nil) throws -> AuditReportData {
        let scan = try database.pool.read { db in try ScanCatalog.resolve(scanID, db: db) }
        let previous: ScanSummary? = try database.pool.read { db in
            do {
                return try ScanCatalog.previous(before: scan.id, db: db)
            } catch ScanCatalog.LookupError.noEarlierScan {
                return nil
            }
        }
        var drift = try previous.map { try DriftReport.compute(database: database, from: $0, to: scan) }
        let wanted = repository?.lowercased()
        func keep(_ name: String?) -> Bool { wanted == nil || name?.lowercased() == wanted }

        var data = try database.checkedRead(snapshot: scan.dataScanID) { db -> AuditReportData in
            let findings = try FindingStore.load(scanID: scan.findingsScanID, db: db).filter { keep($0.repository) }
            let errors = try FindingStore.loadErrors(scanID: scan.findingsScanID, db: db)
            let coverage = try ScanInputStore.coverageNotes(scanID: scan.dataScanID, db: db)
            let repositories = try AuditReportRows.repositories(db, scanID: scan.dataScanID).filter { keep($0.name) }
            let octopus = try AuditReportRows.octopusInstances(db, scanID: scan.dataScanID)
            let inputs = try AuditReportRows.inputCounts(db, scanID: scan.dataScanID)
            let trust = try TrustGraphReport.load(db: db, scan: scan, serviceAccount: nil, repository: repository)
            return AuditReportData(
                scan: scan, findings: findings,
                policies: Dictionary(policies.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
                policyErrors: errors, coverage: coverage, repositories: repositories, octopus: octopus, inputs: inputs,
                trend: try AuditReportRows.trend(db, upTo: scan.id, repository: wanted), drift: nil, trustGraph: trust,
                repositoryFilter: repository)
        }
        if wanted != nil, var report = drift {
            report.introduced = report.introduced.filter { keep($0.repository) }
            report.resolved = report.resolved.filter { keep($0.repository) }
            report.persisting = report.persisting.filter { keep($0.repository) }
            report.changes = report.changes.filter { keep($0.repository) }
            report.notCovered = report.notCovered.filter { $0.kind != "repository" || keep($0.name) }
            drift = report
        }
        data.drift = drift
        return data
    }

    // MARK: Derived views shared by the renderers

    public var openFindings: [Finding] { findings.filter { !$0.waived } }
    public var waivedFindings: [Finding] { findings.filter(\.waived) }

    /// Open findings per severity.
    public var counts: [Severity: Int] { ScanSummary.counts(findings) }

    /// The policy ids with findings, most severe first, then by id.
    public var policyIDs: [String] {
        var severity: [String: Severity] = [:]
        for finding in findings { severity[finding.policy] = max(severity[finding.policy] ?? .info, finding.severity) }
        return severity.keys.sorted { (severity[$0]!, $1) > (severity[$1]!, $0) }
    }

    /// Findings grouped by repository (nil: findings about no repository, e.g. an Octopus identity):
    /// the repository with the worst open finding first, then the one with most open findings,
    /// then by name (`svc2` before `svc10`).
    public var byRepository: [(repository: String?, findings: [Finding])] {
        let groups = Dictionary(grouping: findings) { $0.repository }
        func rank(_ key: String?) -> (Int, Int) {
            let open = groups[key]!.filter { !$0.waived }
            return (open.map { Severity.allCases.firstIndex(of: $0.severity)! + 1 }.max() ?? 0, open.count)
        }
        return groups.keys.sorted { lhs, rhs in
            let (left, right) = (rank(lhs), rank(rhs))
            if left != right { return left > right }
            if (lhs == nil) != (rhs == nil) { return rhs == nil }
            return (lhs ?? "").localizedStandardCompare(rhs ?? "") == .orderedAscending
        }.map { ($0, groups[$0]!) }
    }

    /// Findings grouped by policy, most severe policy first.
    public var byPolicy: [(policy: String, findings: [Finding])] {
        let groups = Dictionary(grouping: findings) { $0.policy }
        return policyIDs.map { ($0, groups[$0]!) }
    }

    /// Title, description, remediation and references of a policy, falling back to what the finding carries.
    public func info(policy id: String, finding: Finding? = nil) -> PolicyInfo {
        if let policy = policies[id] {
            return PolicyInfo(id: id, title: policy.title, description: policy.description, remediation: policy.remediation,
                              references: policy.references, severity: finding?.severity ?? policy.severity,
                              category: policy.category)
        }
        let sample = finding ?? findings.first { $0.policy == id }
        if id == FindingWaivers.expiredPolicyID {
            return PolicyInfo(id: id, title: sample?.title ?? "A configured waiver has expired",
                              description: "A waiver in the configuration file has passed its expiry date, so the findings it covered count again.",
                              remediation: "Fix the findings, or renew the waiver with a new expiry date and a current reason.",
                              references: [], severity: sample?.severity ?? .low, category: sample?.category ?? .hygiene)
        }
        return PolicyInfo(id: id, title: sample?.title ?? id, description: "", remediation: "", references: [],
                          severity: sample?.severity ?? .info, category: sample?.category ?? .hygiene)
    }

    /// A link to a finding's file and line on GitHub, when its repository looks like `owner/name`.
    public static func githubURL(_ finding: Finding) -> String? {
        guard let repository = finding.repository, let file = finding.file, !file.isEmpty,
              repository.range(of: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", options: .regularExpression) != nil,
              !repository.hasPrefix("."), !file.hasPrefix("/"), !file.contains("..") else { return nil }
        let path = file.split(separator: "/", omittingEmptySubsequences: true)
            .map { $0.addingPercentEncoding(withAllowedCharacters: pathSegmentAllowed) ?? "" }.joined(separator: "/")
        return "https://github.com/\(repository)/blob/HEAD/\(path)" + (finding.line.map { "#L\($0)" } ?? "")
    }

    private static let pathSegmentAllowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        set.insert(charactersIn: "!$&'()*+,;=:@")
        set.remove(charactersIn: "'")
        return set
    }()

    /// How a waived finding was waived: `inline` (a comment in the file) or `config` (trustaudit.yml).
    public static func waiverKind(_ finding: Finding) -> String {
        (finding.waiverReason ?? "").hasPrefix("inline") ? "inline" : "config"
    }

    /// The expiry date a configured waiver's reason records (`… (expires YYYY-MM-DD)`), if any.
    public static func waiverExpiry(_ finding: Finding) -> String? {
        guard let reason = finding.waiverReason,
              let range = reason.range(of: "\\(expires [0-9]{4}-[0-9]{2}-[0-9]{2}\\)$", options: .regularExpression) else { return nil }
        return String(reason[range].dropFirst("(expires ".count).dropLast())
    }

    /// The waiver's reason without its `inline: `/`config: ` prefix and expiry suffix.
    public static func waiverReason(_ finding: Finding) -> String {
        var reason = finding.waiverReason ?? ""
        for prefix in ["inline: ", "config: "] where reason.hasPrefix(prefix) { reason.removeFirst(prefix.count) }
        if let range = reason.range(of: " \\(expires [0-9]{4}-[0-9]{2}-[0-9]{2}\\)$", options: .regularExpression) {
            reason.removeSubrange(range)
        }
        return reason
    }

    /// `repository/file:line`, or `(organization)` for findings about no file.
    public static func location(_ finding: Finding) -> String {
        var place = finding.repository ?? ""
        if let file = finding.file { place += (place.isEmpty ? "" : "/") + file }
        if let line = finding.line { place += ":\(line)" }
        if place.isEmpty, let account = finding.serviceAccount { place = "service account \(account)" }
        return place.isEmpty ? "(organization)" : place
    }
}

/// The metadata of one policy as reports show it.
public struct PolicyInfo: Sendable, Equatable {
    public var id: String
    public var title: String
    public var description: String
    public var remediation: String
    public var references: [String]
    public var severity: Severity
    public var category: PolicyCategory
}

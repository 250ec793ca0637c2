import Foundation

/// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: one run, one rule per policy,
/// one result per finding that has a file.
///
/// Decisions:
/// - Locations are the `file` column, relative to the repository root (percent-encoded as a URI
///   reference), with `region.startLine` when the line is known.
/// - A finding without a file (an Octopus identity, a repository-level setting, an expired waiver
///   with no file) cannot be placed in the code, and GitHub rejects results without a location.
///   Such findings are left out of `results` and reported instead as run-level
///   `invocations[0].toolExecutionNotifications` (level `note`, one per finding, with the policy
///   as `descriptor.id`); `run.properties.findingsWithoutFile` counts them.
/// - Waived findings are kept as results with a `suppressions` entry: `inSource` for an inline
///   `# trustaudit: ignore[…]` comment, `external` for a waiver in the configuration file.
/// - One repository per document: GitHub code scanning takes one repository per upload, so
///   callers pass a `repository` (and `renderPerRepository` writes one document per repository).
public enum AuditSARIFReport {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let informationURI = "https://github.com/trustaudit/trustaudit"

    /// GitHub's `security-severity` scores by trustaudit severity.
    public static func securitySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: return "9.5"
        case .high: return "8.0"
        case .medium: return "5.5"
        case .low: return "3.0"
        case .info: return "0.0"
        }
    }

    /// The SARIF `level` of a severity.
    public static func level(_ severity: Severity) -> String {
        switch severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low, .info: return "note"
        }
    }

    /// One SARIF document for `data`'s findings; `repository` limits it to one repository
    /// (case-insensitive), nil keeps every finding that has a file.
    public static func render(_ data: AuditReportData, repository: String? = nil) -> String {
        let findings = repository.map { wanted in data.findings.filter { $0.repository?.lowercased() == wanted.lowercased() } } ?? data.findings
        return document(data, findings: findings, repository: repository).jsonText + "\n"
    }

    /// One document per scanned repository, keyed by file name (`owner__name.sarif`). Every
    /// repository gets a file, even without results, so an upload also closes fixed alerts.
    public static func renderPerRepository(_ data: AuditReportData) -> [(fileName: String, repository: String, text: String)] {
        // Only repositories the scan read: a finding may name one it never saw (an identity
        // trusting a deleted repository), and a file for it would claim a code-scanning upload
        // for a repository that has no code here.
        let names = data.repositories.map(\.name)
        var used: Set<String> = []
        return names.map { name in
            var fileName = splitFileName(name)
            var counter = 2
            while used.contains(fileName.lowercased()) {
                fileName = splitFileName(name).replacingOccurrences(of: ".sarif", with: "-\(counter).sarif")
                counter += 1
            }
            used.insert(fileName.lowercased())
            return (fileName, name, render(data, repository: name))
        }
    }

    /// `owner/name` → `owner__name.sarif`, with anything outside `[A-Za-z0-9._-]` made `_`.
    public static func splitFileName(_ repository: String) -> String {
        let joined = repository.replacingOccurrences(of: "/", with: "__")
        var out = String(joined.unicodeScalars.map { scalar -> Character in
            let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
            return allowed.contains(scalar) ? Character(scalar) : "_"
        })
        if out.isEmpty || out.hasPrefix(".") { out = "_" + out }
        return out + ".sarif"
    }

    static func document(_ data: AuditReportData, findings: [Finding], repository: String?) -> JSONValue {
        // Every known policy is a rule (so a tool's coverage is visible), plus any policy id that
        // only appears in findings (e.g. waiver-expired, or a policy no longer loaded).
        var ruleIDs = data.policies.keys.sorted()
        for id in Set(findings.map(\.policy)).subtracting(ruleIDs).sorted() { ruleIDs.append(id) }
        let ruleIndex = Dictionary(uniqueKeysWithValues: ruleIDs.enumerated().map { ($1, $0) })
        let rules: [JSONValue] = ruleIDs.map { id in rule(data.info(policy: id, finding: findings.first { $0.policy == id })) }

        var results: [JSONValue] = []
        var notifications: [JSONValue] = []
        for finding in findings {
            guard let file = finding.file, !file.isEmpty else {
                notifications.append(.object([
                    "level": .string("note"),
                    "message": .object(["text": .string("\(finding.policy) (\(finding.severity.rawValue)) has no file location and is not a result: \(AuditReportData.location(finding)): \(finding.message)")]),
                    "descriptor": .object(["id": .string(finding.policy)]),
                ]))
                continue
            }
            results.append(result(finding, file: file, ruleIndex: ruleIndex[finding.policy]!))
        }

        var run: [String: JSONValue] = [
            "tool": .object(["driver": .object([
                "name": .string("trustaudit"),
                "version": .string(ToolVersion.current),
                "semanticVersion": .string(ToolVersion.current),
                "informationUri": .string(informationURI),
                "rules": .array(rules),
            ])]),
            "results": .array(results),
            "columnKind": .string("unicodeCodePoints"),
            "invocations": .array([.object([
                "executionSuccessful": .bool(data.policyErrors.isEmpty),
                "toolExecutionNotifications": .array(notifications + data.policyErrors.map { error in
                    .object(["level": .string("error"), "message": .object(["text": .string("policy \(error.policy) failed to run (\(error.source)): \(error.message)")]),
                             "descriptor": .object(["id": .string(error.policy)])])
                }),
            ])]),
            // GitHub takes what precedes the last `/` as the analysis category: it must stay the same
            // from night to night, or every upload opens a new category and fixed alerts never close.
            "automationDetails": .object(["id": .string("trustaudit/scan-\(data.scan.id)")]),
            "properties": .object([
                "scanId": .number(Double(data.scan.id)),
                "scanStartedAt": .string(data.scan.startedAt),
                "findingsWithoutFile": .number(Double(notifications.count)),
                "repository": repository.map(JSONValue.string) ?? .null,
            ]),
        ]
        if let repository, repository.range(of: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", options: .regularExpression) != nil {
            run["versionControlProvenance"] = .array([.object(["repositoryUri": .string("https://github.com/\(repository)")])])
        }
        return .object([
            "$schema": .string(schemaURI),
            "version": .string("2.1.0"),
            "runs": .array([.object(run)]),
        ])
    }

    static func rule(_ info: PolicyInfo) -> JSONValue {
        var help = info.remediation.isEmpty ? "See the policy's description." : info.remediation
        var markdown = "**Remediation.** " + MarkdownEscaping.cell(help)
        let links = info.references.filter { $0.hasPrefix("https://") || $0.hasPrefix("http://") }
        if !links.isEmpty {
            help += "\n\nReferences:\n" + links.map { "- \($0)" }.joined(separator: "\n")
            markdown += "\n\nReferences:\n\n" + links.map { "- <\($0.replacingOccurrences(of: ">", with: "%3E"))>" }.joined(separator: "\n")
        }
        return .object([
            "id": .string(info.id),
            "name": .string(camelName(info.id)),
            "shortDescription": .object(["text": .string(info.title)]),
            "fullDescription": .object(["text": .string(info.description.isEmpty ? info.title : info.description)]),
            "help": .object(["text": .string(help), "markdown": .string(markdown)]),
            "defaultConfiguration": .object(["level": .string(level(info.severity))]),
            "properties": .object([
                "security-severity": .string(securitySeverity(info.severity)),
                "tags": .array([.string("security"), .string(info.category.rawValue)]),
                "precision": .string("high"),
                "problem.severity": .string(level(info.severity) == "note" ? "recommendation" : level(info.severity)),
            ]),
        ])
    }

    static func result(_ finding: Finding, file: String, ruleIndex: Int) -> JSONValue {
        var physical: [String: JSONValue] = ["artifactLocation": .object(["uri": .string(uri(file))])]
        if let line = finding.line, line >= 1 {
            physical["region"] = .object(["startLine": .number(Double(line))])
        }
        var properties: [String: JSONValue] = [
            "severity": .string(finding.severity.rawValue),
            "category": .string(finding.category.rawValue),
            "security-severity": .string(securitySeverity(finding.severity)),
        ]
        if let repository = finding.repository { properties["repository"] = .string(repository) }
        if let job = finding.job { properties["job"] = .string(job) }
        if let account = finding.serviceAccount { properties["serviceAccount"] = .string(account) }
        if let resource = finding.resource { properties["resource"] = .string(resource) }
        var result: [String: JSONValue] = [
            "ruleId": .string(finding.policy),
            "ruleIndex": .number(Double(ruleIndex)),
            "level": .string(level(finding.severity)),
            "message": .object(["text": .string(finding.message)]),
            "locations": .array([.object(["physicalLocation": .object(physical)])]),
            "partialFingerprints": .object(["trustaudit/v1": .string(finding.fingerprint)]),
            "properties": .object(properties),
        ]
        if finding.waived {
            result["suppressions"] = .array([.object([
                "kind": .string(AuditReportData.waiverKind(finding) == "inline" ? "inSource" : "external"),
                "status": .string("accepted"),
                "justification": .string(AuditReportData.waiverReason(finding)),
            ])])
        }
        return .object(result)
    }

    /// A relative URI reference for a repository path: each segment percent-encoded.
    static func uri(_ path: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=@")
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
            .joined(separator: "/")
    }

    /// `id-token-unused` → `IdTokenUnused` (SARIF's optional rule name).
    static func camelName(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

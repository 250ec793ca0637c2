/// What one expected finding of a policy example must say, for examples where a count alone could
/// hide the wrong row (two jobs, one flagged: `expect: [{job: release}]` fails if the other is).
///
/// Every field given must equal the finding's; fields left out are not compared.
public struct PolicyExampleRow: Sendable, Equatable {
    public var job: String?
    public var repository: String?
    public var file: String?
    public var line: Int?
    public var serviceAccount: String?
    public var severity: Severity?
    public var resource: String?
    /// A substring the message must contain.
    public var messageContains: String?

    /// The keys an expected row may carry in a policy file.
    static let keys: Set<String> = ["job", "repository", "file", "line", "service_account", "severity", "resource", "message_contains"]

    public init(job: String? = nil, repository: String? = nil, file: String? = nil, line: Int? = nil, serviceAccount: String? = nil,
                severity: Severity? = nil, resource: String? = nil, messageContains: String? = nil) {
        self.job = job
        self.repository = repository
        self.file = file
        self.line = line
        self.serviceAccount = serviceAccount
        self.severity = severity
        self.resource = resource
        self.messageContains = messageContains
    }

    public func matches(_ finding: Finding) -> Bool {
        if let job, finding.job != job { return false }
        if let repository, finding.repository != repository { return false }
        if let file, finding.file != file { return false }
        if let line, finding.line != line { return false }
        if let serviceAccount, finding.serviceAccount != serviceAccount { return false }
        if let severity, finding.severity != severity { return false }
        if let resource, finding.resource != resource { return false }
        if let messageContains, !finding.message.contains(messageContains) { return false }
        return true
    }

    /// How the row reads in a failure message: `{job: release, line: 7}`.
    public var description: String {
        let fields: [(String, String?)] = [
            ("job", job), ("repository", repository), ("file", file), ("line", line.map(String.init)),
            ("service_account", serviceAccount), ("severity", severity?.rawValue), ("resource", resource),
            ("message_contains", messageContains),
        ]
        return "{" + fields.compactMap { name, value in value.map { "\(name): \($0)" } }.joined(separator: ", ") + "}"
    }

    /// Pairs every expected row with a distinct finding it matches, trying other pairings when a
    /// loose row took the finding a stricter one needed. Returns the rows left without a finding.
    static func unmatched(_ rows: [PolicyExampleRow], in findings: [Finding]) -> [PolicyExampleRow] {
        var owner = [Int?](repeating: nil, count: findings.count)
        var missing: [PolicyExampleRow] = []
        for (index, row) in rows.enumerated() {
            var visited = Set<Int>()
            if !assign(index, rows: rows, findings: findings, owner: &owner, visited: &visited) { missing.append(row) }
        }
        return missing
    }

    private static func assign(_ row: Int, rows: [PolicyExampleRow], findings: [Finding], owner: inout [Int?], visited: inout Set<Int>) -> Bool {
        for (index, finding) in findings.enumerated() where !visited.contains(index) && rows[row].matches(finding) {
            visited.insert(index)
            if let current = owner[index] {
                if !assign(current, rows: rows, findings: findings, owner: &owner, visited: &visited) { continue }
            }
            owner[index] = row
            return true
        }
        return false
    }
}

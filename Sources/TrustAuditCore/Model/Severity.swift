/// How bad a finding is, ordered from `info` to `critical`.
public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case info, low, medium, high, critical

    /// Position from least to most severe.
    var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Which of trustaudit's concerns a policy belongs to.
public enum PolicyCategory: String, Sendable, CaseIterable, Codable {
    case leastPrivilege = "least-privilege"
    case environmentProtection = "environment-protection"
    case subjectScoping = "subject-scoping"
    /// Code or text chosen by someone outside the repository runs in a privileged job.
    case untrustedInput = "untrusted-input"
    case hygiene
}

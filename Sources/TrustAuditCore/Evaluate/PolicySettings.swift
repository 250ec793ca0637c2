import Foundation

/// What a configuration file may change about one policy.
public struct PolicyOverride: Sendable, Equatable {
    public var enabled: Bool = true
    public var severity: Severity?
    public var params: [String: JSONValue] = [:]

    public init(enabled: Bool = true, severity: Severity? = nil, params: [String: JSONValue] = [:]) {
        self.enabled = enabled
        self.severity = severity
        self.params = params
    }
}

/// A waiver from the configuration file: accepted risk, with a reason and an expiry date.
public struct Waiver: Sendable, Equatable {
    public var policy: String
    public var repository: String
    public var file: String?
    public var reason: String
    /// `YYYY-MM-DD`; after this day the waiver stops applying and is reported.
    public var expires: String?

    public init(policy: String, repository: String, file: String? = nil, reason: String, expires: String? = nil) {
        self.policy = policy
        self.repository = repository
        self.file = file
        self.reason = reason
        self.expires = expires
    }

    /// True once `expires` is before `today` (both `YYYY-MM-DD`, which sort as text).
    public func isExpired(today: String) -> Bool {
        guard let expires else { return false }
        return expires < today
    }

    /// Whether this waiver covers a finding (repository may be `*` or end in `*`).
    public func covers(_ finding: Finding) -> Bool {
        guard finding.policy == policy || policy == "*" else { return false }
        let repository = finding.repository ?? ""
        let repositoryMatches = self.repository == "*" || self.repository == repository
            || (self.repository.hasSuffix("*") && repository.hasPrefix(String(self.repository.dropLast())))
        guard repositoryMatches else { return false }
        if let file { return file == finding.file }
        return true
    }
}

/// Per-policy overrides, waivers and the scan's limits, as read from `trustaudit.yml`.
public struct PolicySettings: Sendable, Equatable {
    public var overrides: [String: PolicyOverride]
    public var waivers: [Waiver]
    public var limits: ScanLimits

    public init(overrides: [String: PolicyOverride] = [:], waivers: [Waiver] = [], limits: ScanLimits = ScanLimits()) {
        self.overrides = overrides
        self.waivers = waivers
        self.limits = limits
    }

    /// The parameters a policy's query sees: its defaults with the overrides laid over them.
    public func params(for policy: Policy) -> [String: JSONValue] {
        policy.params.merging(overrides[policy.id]?.params ?? [:]) { _, override in override }
    }

    public func isEnabled(_ policy: Policy) -> Bool { overrides[policy.id]?.enabled ?? true }
}

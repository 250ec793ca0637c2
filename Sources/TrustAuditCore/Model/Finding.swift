/// One policy violation in one scan, as stored in `findings` and printed by every report.
public struct Finding: Sendable, Equatable {
    /// Stable across scans and line moves: policy, repository, file, resource and evidence.
    public var fingerprint: String
    public var policy: String
    public var severity: Severity
    public var category: PolicyCategory
    public var title: String
    public var message: String
    /// The structural location, e.g. `jobs.deploy.permissions`.
    public var resource: String?
    public var repository: String?
    public var file: String?
    public var line: Int?
    public var job: String?
    public var serviceAccount: String?
    /// The evidence as compact JSON text with sorted keys, as stored and as reports write it: a
    /// report of tens of thousands of findings copies it instead of building each value.
    public var evidenceJSON: String
    /// The evidence as a value, parsed from `evidenceJSON` on each read.
    public var evidence: JSONValue {
        get { JSONValue.parse(evidenceJSON) ?? .object([:]) }
        set { evidenceJSON = newValue.jsonText }
    }
    public var waived: Bool
    public var waiverReason: String?

    public init(
        fingerprint: String, policy: String, severity: Severity, category: PolicyCategory, title: String,
        message: String, resource: String? = nil, repository: String? = nil, file: String? = nil,
        line: Int? = nil, job: String? = nil, serviceAccount: String? = nil, evidence: JSONValue = .object([:]),
        waived: Bool = false, waiverReason: String? = nil
    ) {
        self.fingerprint = fingerprint
        self.policy = policy
        self.severity = severity
        self.category = category
        self.title = title
        self.message = message
        self.resource = resource
        self.repository = repository
        self.file = file
        self.line = line
        self.job = job
        self.serviceAccount = serviceAccount
        // The empty default, spelled out: stored findings are loaded by the tens of thousands
        // with their evidence text set afterwards.
        if case .object(let fields) = evidence, fields.isEmpty {
            self.evidenceJSON = "{}"
        } else {
            self.evidenceJSON = evidence.jsonText
        }
        self.waived = waived
        self.waiverReason = waiverReason
    }
}

/// A policy that could not run in a scan; its findings are missing, the others stand.
public struct PolicyRunError: Error, Sendable, Equatable, CustomStringConvertible {
    public var policy: String
    public var source: String
    public var message: String

    public init(policy: String, source: String, message: String) {
        self.policy = policy
        self.source = source
        self.message = message
    }

    public var description: String { "policy \(policy) (\(source)): \(message)" }
}

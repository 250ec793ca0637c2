import Foundation

/// Everything one scan needs.
public struct ScanRequest: Sendable {
    public var repositories: [RepositorySource]
    public var label: String?
    public var policies: [Policy]
    public var settings: PolicySettings
    /// Extra ingestion and derivation steps (settings, Octopus, trust graph), in order.
    public var stages: [any ScanStage]
    /// `YYYY-MM-DD`, for waiver expiry.
    public var today: String
    /// Read every file, even those the `FileStampCache` knows unchanged.
    public var rereadFiles: Bool
    /// Files read that changed after this (nanoseconds since 1970) are not recorded in the
    /// `FileStampCache`; nil: `FileStamp.settleNanoseconds` before the scan starts.
    var filesSettledBefore: Int64?

    public init(
        repositories: [RepositorySource], label: String? = nil, policies: [Policy],
        settings: PolicySettings = PolicySettings(), stages: [any ScanStage] = [], today: String = ScanRequest.todayUTC(),
        rereadFiles: Bool = false
    ) {
        self.rereadFiles = rereadFiles
        self.repositories = repositories
        self.label = label
        self.policies = policies
        self.settings = settings
        self.stages = stages
        self.today = today
    }

    public static func todayUTC() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}

/// What a finished scan reports back to the command that ran it.
public struct ScanOutcome: Sendable {
    public var scanID: Int64
    public var startedAt: String
    public var finishedAt: String
    public var label: String?
    public var findings: [Finding]
    public var policyErrors: [PolicyRunError]
    /// Input documents, or parts of them, that could not be read.
    public var coverage: [CoverageNote]
    public var repositories: Int
    public var workflowFiles: Int
    /// Files whose content had not been seen before and so were parsed in this scan.
    public var parsedFiles: Int
    /// True when the inputs equalled an earlier snapshot, which this scan shares.
    public var reusedSnapshot: Bool
    /// Repositories whose findings were recomputed when the evaluation was incremental (the
    /// others were carried over from the previous scan); nil after a full evaluation or a reuse.
    public var reevaluatedRepositories: Int? = nil
    /// Seconds per phase: read, parse, store, derive, evaluate.
    public var timings: [(phase: String, seconds: Double)]
}

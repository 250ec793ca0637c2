/// The scan a report describes, as the JSON contract names its fields.
public struct ScanSummary: Sendable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var label: String?

    public init(id: Int64, startedAt: String, finishedAt: String?, label: String?) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.label = label
    }

    /// Counts of findings that are not waived, per severity.
    public static func counts(_ findings: [Finding]) -> [Severity: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        for finding in findings where !finding.waived { counts[finding.severity, default: 0] += 1 }
        return counts
    }
}

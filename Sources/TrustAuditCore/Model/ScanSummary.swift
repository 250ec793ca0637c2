/// The scan a report describes, as the JSON contract names its fields.
public struct ScanSummary: Sendable {
    public var id: Int64
    public var startedAt: String
    public var finishedAt: String?
    public var label: String?
    /// The scan whose stored rows hold this scan's snapshot (itself unless the inputs were unchanged).
    public var dataScanID: Int64
    /// The scan whose findings this scan shares (itself unless nothing that decides them changed).
    public var findingsScanID: Int64

    public init(id: Int64, startedAt: String, finishedAt: String?, label: String?, dataScanID: Int64? = nil, findingsScanID: Int64? = nil) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.label = label
        self.dataScanID = dataScanID ?? id
        self.findingsScanID = findingsScanID ?? id
    }

    /// Counts of findings that are not waived, per severity.
    public static func counts(_ findings: [Finding]) -> [Severity: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        findings.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where !buffer[index].waived { counts[buffer[index].severity, default: 0] += 1 }
        }
        return counts
    }
}

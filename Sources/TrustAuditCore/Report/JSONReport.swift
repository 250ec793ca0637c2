/// The JSON findings document (DESIGN §8, a contract: field names and shapes do not change).
public enum JSONReport {
    public static func render(scan: ScanSummary, findings: [Finding]) -> String {
        let counts = ScanSummary.counts(findings)
        let document = JSONValue.object([
            "tool": .object(["name": .string("trustaudit"), "version": .string(ScanPipeline.toolVersion)]),
            "scan": .object([
                "id": .number(Double(scan.id)), "started_at": .string(scan.startedAt),
                "finished_at": scan.finishedAt.map(JSONValue.string) ?? .null,
                "label": scan.label.map(JSONValue.string) ?? .null,
            ]),
            "summary": .object(Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, JSONValue.number(Double(counts[$0] ?? 0))) })),
            "findings": .array(findings.map(object)),
        ])
        return document.jsonText + "\n"
    }

    static func object(_ finding: Finding) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "fingerprint": .string(finding.fingerprint), "policy": .string(finding.policy),
            "severity": .string(finding.severity.rawValue), "category": .string(finding.category.rawValue),
            "title": .string(finding.title), "message": .string(finding.message),
            "repository": text(finding.repository), "file": text(finding.file),
            "line": finding.line.map { .number(Double($0)) } ?? .null, "job": text(finding.job),
            "service_account": text(finding.serviceAccount), "evidence": finding.evidence,
            "waived": .bool(finding.waived),
        ])
    }
}

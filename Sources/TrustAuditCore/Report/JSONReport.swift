/// The JSON findings document (README, "JSON output"; a contract: field names and shapes do not change).
public enum JSONReport {
    /// `coverage` lists what the scan could not read and the policies that did not run; it is
    /// empty for a complete audit.
    public static func render(scan: ScanSummary, findings: [Finding], coverage: [CoverageNote] = [], policyErrors: [PolicyRunError] = []) -> String {
        let counts = ScanSummary.counts(findings)
        let document = JSONValue.object([
            "tool": .object(["name": .string("trustaudit"), "version": .string(ToolVersion.current)]),
            "scan": .object([
                "id": .number(Double(scan.id)), "started_at": .string(scan.startedAt),
                "finished_at": scan.finishedAt.map(JSONValue.string) ?? .null,
                "label": scan.label.map(JSONValue.string) ?? .null,
            ]),
            "summary": .object(Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, JSONValue.number(Double(counts[$0] ?? 0))) })),
        ])
        // Written finding by finding instead of as one JSONValue tree: a large organization's
        // report runs to tens of megabytes. The text is what the tree would serialize to, with
        // "coverage" and "findings" first among the sorted keys.
        let gaps = policyErrors.map { error in
            JSONValue.object(["kind": .string("policy"), "document": .string(error.source), "status": .string("not run"),
                              "detail": .string("policy \(error.policy): \(error.message)")])
        } + coverage.map { note in
            JSONValue.object(["kind": .string(note.kind), "document": .string(note.document),
                              "status": .string(note.unreadable ? "unreadable" : "problem"), "detail": .string(note.detail)])
        }
        var out = "{\"coverage\":" + JSONValue.array(gaps).jsonText + ",\"findings\":["
        out.reserveCapacity(findings.count * 600)
        for (index, finding) in findings.enumerated() {
            if index > 0 { out += "," }
            write(finding, into: &out)
        }
        out += "],"
        out += document.jsonText.dropFirst()
        out += "\n"
        return out
    }

    /// `object(finding)`'s text, keys in the same sorted order.
    static func write(_ finding: Finding, into out: inout String) {
        func key(_ name: String) { out += "\"\(name)\":" }
        func text(_ value: String?) {
            if let value { JSONValue.writeString(value, into: &out) } else { out += "null" }
        }
        out += "{"
        key("category"); text(finding.category.rawValue); out += ","
        key("evidence"); finding.evidence.write(into: &out); out += ","
        key("file"); text(finding.file); out += ","
        key("fingerprint"); text(finding.fingerprint); out += ","
        key("job"); text(finding.job); out += ","
        key("line"); out += finding.line.map { String($0) } ?? "null"; out += ","
        key("message"); text(finding.message); out += ","
        key("policy"); text(finding.policy); out += ","
        key("repository"); text(finding.repository); out += ","
        key("service_account"); text(finding.serviceAccount); out += ","
        key("severity"); text(finding.severity.rawValue); out += ","
        key("title"); text(finding.title); out += ","
        key("waived"); out += finding.waived ? "true" : "false"
        out += "}"
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

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
        // Parts of the list are written on every core, then joined in order.
        let parts = ParallelMap.map(Array(stride(from: 0, to: findings.count, by: renderChunk))) { start -> [UInt8] in
            let end = min(start + renderChunk, findings.count)
            var part: [UInt8] = []
            part.reserveCapacity((end - start) * 800)
            for index in start..<end {
                if index > 0 { part.append(UInt8(ascii: ",")) }
                write(findings[index], into: &part)
            }
            return part
        }
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count } + 4096)
        out += "{\"coverage\":".utf8
        JSONValue.array(gaps).write(into: &out)
        out += ",\"findings\":[".utf8
        for part in parts { out += part }
        out += "],".utf8
        var tail: [UInt8] = []
        document.write(into: &tail)
        out += tail.dropFirst()
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Findings written per task when rendering in parallel.
    static let renderChunk = 2048

    /// `object(finding)`'s text, keys in the same sorted order (the keys are literals: this runs
    /// once per finding of a large organization).
    static func write(_ finding: Finding, into out: inout [UInt8]) {
        func text(_ value: String?) {
            if let value { JSONValue.writeString(value, into: &out) } else { out += "null".utf8 }
        }
        out += "{\"category\":".utf8; text(finding.category.rawValue)
        out += ",\"evidence\":".utf8; out += finding.evidenceJSON.utf8
        out += ",\"file\":".utf8; text(finding.file)
        out += ",\"fingerprint\":".utf8; text(finding.fingerprint)
        out += ",\"job\":".utf8; text(finding.job)
        out += ",\"line\":".utf8; out += (finding.line.map { String($0) } ?? "null").utf8
        out += ",\"message\":".utf8; text(finding.message)
        out += ",\"policy\":".utf8; text(finding.policy)
        out += ",\"repository\":".utf8; text(finding.repository)
        out += ",\"service_account\":".utf8; text(finding.serviceAccount)
        out += ",\"severity\":".utf8; text(finding.severity.rawValue)
        out += ",\"title\":".utf8; text(finding.title)
        out += ",\"waived\":".utf8; out += (finding.waived ? "true" : "false").utf8
        out.append(UInt8(ascii: "}"))
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

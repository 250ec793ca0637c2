import Foundation

/// The JSON findings document (README, "JSON output"; a contract: field names and shapes do not change).
public enum JSONReport {
    /// `coverage` lists what the scan could not read and the policies that did not run; it is
    /// empty for a complete audit.
    public static func render(scan: ScanSummary, findings: [Finding], coverage: [CoverageNote] = [], policyErrors: [PolicyRunError] = []) -> String {
        var out: [UInt8] = []
        write(scan: scan, findings: findings, coverage: coverage, policyErrors: policyErrors) { out += $0 }
        return String(decoding: out, as: UTF8.self)
    }

    /// The document `render` returns, handed to `emit` piece by piece in order. A large
    /// organization's report runs to tens of megabytes: written this way to a file or a pipe, it
    /// is never held whole (nor copied into a string and again into bytes), which was the largest
    /// part of a scan's peak memory.
    public static func write(scan: ScanSummary, findings: [Finding], coverage: [CoverageNote] = [], policyErrors: [PolicyRunError] = [],
                             to emit: ([UInt8]) throws -> Void) rethrows {
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
        // Written finding by finding instead of as one JSONValue tree. The text is what the tree
        // would serialize to, with "coverage" and "findings" first among the sorted keys.
        let gaps = policyErrors.map { error in
            JSONValue.object(["kind": .string("policy"), "document": .string(error.source), "status": .string("not run"),
                              "detail": .string("policy \(error.policy): \(error.message)")])
        } + coverage.map { note in
            JSONValue.object(["kind": .string(note.kind), "document": .string(note.document),
                              "status": .string(note.unreadable ? "unreadable" : "problem"), "detail": .string(note.detail)])
        }
        var head: [UInt8] = Array("{\"coverage\":".utf8)
        JSONValue.array(gaps).write(into: &head)
        head += ",\"findings\":[".utf8
        try emit(head)
        // A few parts at a time are written on every core, then handed on in order.
        let starts = Array(stride(from: 0, to: findings.count, by: renderChunk))
        let window = max(1, 2 * ProcessInfo.processInfo.activeProcessorCount)
        for windowStart in stride(from: 0, to: starts.count, by: window) {
            let parts = ParallelMap.map(Array(starts[windowStart..<min(windowStart + window, starts.count)])) { start -> [UInt8] in
                let end = min(start + renderChunk, findings.count)
                var part: [UInt8] = []
                part.reserveCapacity((end - start) * 900)
                for index in start..<end {
                    if index > 0 { part.append(UInt8(ascii: ",")) }
                    write(findings[index], into: &part)
                }
                return part
            }
            for part in parts { try emit(part) }
        }
        var tail: [UInt8] = Array("],".utf8)
        var rest: [UInt8] = []
        document.write(into: &rest)
        tail += rest.dropFirst()
        tail.append(UInt8(ascii: "\n"))
        try emit(tail)
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

/// The human-readable report: findings grouped by severity, most severe first.
///
/// Colour is the caller's decision (`useColor`): only on a terminal, never with `NO_COLOR`.
public enum TextReport {
    public static func render(
        scan: ScanSummary, findings: [Finding], policyErrors: [PolicyRunError], coverage: [CoverageNote] = [], useColor: Bool
    ) -> String {
        func paint(_ text: String, _ code: String) -> String { useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        let colors: [Severity: String] = [.critical: "1;35", .high: "1;31", .medium: "1;33", .low: "1;36", .info: "1;37"]
        var out = ""
        let open = findings.filter { !$0.waived }
        for severity in Severity.allCases.reversed() {
            let group = open.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += paint("\(severity.rawValue.uppercased()) (\(group.count))", colors[severity]!) + "\n"
            for finding in group {
                out += "  \(location(finding))  \(paint(finding.policy, "2"))\n"
                out += "    \(sanitize(finding.message))\n"
            }
            out += "\n"
        }
        let waived = findings.filter(\.waived)
        if !waived.isEmpty {
            out += paint("WAIVED (\(waived.count))", "2") + "\n"
            for finding in waived {
                out += "  \(location(finding))  \(finding.policy): \(sanitize(finding.waiverReason ?? ""))\n"
            }
            out += "\n"
        }
        for error in policyErrors {
            out += paint("POLICY ERROR", "1;31") + " \(sanitize(error.description))\n"
        }
        if !coverage.isEmpty {
            out += paint("COVERAGE (\(coverage.count))", "1;33") + " inputs that could not be fully read:\n"
            for note in coverage.prefix(20) { out += "  \(note.line)\n" }
            if coverage.count > 20 { out += "  … and \(coverage.count - 20) more (query the `coverage` view)\n" }
            out += "\n"
        }
        let counts = ScanSummary.counts(findings)
        let summary = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        out += "Scan \(scan.id)\(scan.label.map { " (\(sanitize($0)))" } ?? ""): \(open.count) finding\(open.count == 1 ? "" : "s") (\(summary))"
        if !waived.isEmpty { out += ", \(waived.count) waived" }
        out += "\n"
        return out
    }

    static func location(_ finding: Finding) -> String {
        var place = sanitize(finding.repository ?? "")
        if let file = finding.file { place += (place.isEmpty ? "" : "/") + sanitize(file) }
        if let line = finding.line { place += ":\(line)" }
        if let job = finding.job { place += " [job \(sanitize(job))]" }
        if place.isEmpty, let account = finding.serviceAccount { return "service account " + sanitize(account) }
        return place.isEmpty ? sanitize(finding.resource ?? "(organization)") : place
    }

    /// Strips control characters so a hostile workflow cannot rewrite the user's terminal.
    static func sanitize(_ text: String) -> String {
        // Almost every message is clean: check the bytes first (C0 controls, DEL, and the C1
        // controls U+0080–U+009F, which UTF-8 writes as C2 80–C2 9F) and return it unchanged.
        var previous: UInt8 = 0
        let clean = text.utf8.allSatisfy { byte in
            defer { previous = byte }
            return !((byte < 0x20 && byte != 0x09) || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)))
        }
        if clean { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) ? "?" : scalar
        }))
    }
}

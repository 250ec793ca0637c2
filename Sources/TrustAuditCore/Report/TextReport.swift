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

    /// Strips control characters so a hostile workflow cannot rewrite the user's terminal: C0 and
    /// C1 controls and DEL (escape sequences, carriage returns) and the bidirectional overrides
    /// and isolates (U+202A–U+202E, U+2066–U+2069, marks), which make text read differently
    /// from what it is. Each becomes `?`; tabs, and line breaks when asked, are kept.
    public static func sanitize(_ text: String) -> String {
        sanitize(text, lineBreaks: false)
    }

    /// `sanitize`, keeping line breaks when `lineBreaks` is true (multi-line SQL, for instance).
    public static func sanitize(_ text: String, lineBreaks keepingLineBreaks: Bool) -> String {
        // Almost every message is clean: check the bytes first and return it unchanged. Bidi
        // controls are E2 80 8E/8F/AA–AE and E2 81 A6–A9 in UTF-8; Arabic letter mark D8 9C.
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0
        let clean = text.utf8.allSatisfy { byte in
            defer { beforePrevious = previous; previous = byte }
            if byte < 0x20 { return byte == 0x09 || (keepingLineBreaks && byte == 0x0A) }
            if byte == 0x7F { return false }
            if previous == 0xC2 && (0x80...0x9F).contains(byte) { return false }
            if previous == 0xD8 && byte == 0x9C { return false }
            if beforePrevious == 0xE2 && previous == 0x80 && (byte == 0x8E || byte == 0x8F || (0xAA...0xAE).contains(byte)) { return false }
            if beforePrevious == 0xE2 && previous == 0x81 && (0xA6...0xA9).contains(byte) { return false }
            return true
        }
        if clean { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            isUnsafe(scalar, keepingLineBreaks: keepingLineBreaks) ? "?" : scalar
        }))
    }

    /// A whole document bound for a terminal (a CSV, JSON or Markdown rendering): every unsafe
    /// character becomes `?` except line breaks, tabs and the `\r` of a CRLF line end.
    public static func sanitizeForTerminal(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains(where: { isUnsafe($0, keepingLineBreaks: true) }) else { return text }
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" {
                out.append(scalar)
            } else {
                out.append(isUnsafe(scalar, keepingLineBreaks: true) ? "?" : scalar)
            }
        }
        return String(out)
    }

    static func isUnsafe(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x09: return false
        case 0x0A: return !keepingLineBreaks
        case 0x00..<0x20, 0x7F, 0x80..<0xA0: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

/// JUnit XML for CI dashboards: one `<testsuite>` per repository, one `<testcase>` per policy
/// and repository, one `<failure>` per test case with open findings, listing them all. A waived finding does not fail its test
/// case; it is listed in the case's `<system-out>`. Findings about no repository (e.g. an Octopus
/// identity) form a suite named `(organization)`.
///
/// Counts follow the usual JUnit reading: `tests` is the number of test cases, `failures` the
/// number of test cases with a failure, which is the number of `<failure>` elements (not the
/// number of findings; each suite's `trustaudit.findings` property has that).
public enum AuditJUnitReport {
    public static let organizationSuite = "(organization)"

    public static func render(_ data: AuditReportData) -> String {
        var suiteNames = data.repositories.map(\.name)
        var byRepository: [String: [Finding]] = [:]
        for finding in data.findings {
            let key = finding.repository ?? organizationSuite
            if !suiteNames.contains(key) { suiteNames.append(key) }
            byRepository[key, default: []].append(finding)
        }
        // Policies that ran: every known policy, plus any id only seen in findings.
        var policyIDs = data.policies.keys.sorted()
        for id in Set(data.findings.map(\.policy)).subtracting(policyIDs).sorted() { policyIDs.append(id) }

        var suites = ""
        var totalTests = 0
        var totalFailures = 0
        for name in suiteNames {
            let findings = byRepository[name] ?? []
            // The organization suite only holds policies that reported something there.
            let ids = name == organizationSuite && !data.repositories.contains(where: { $0.name == name })
                ? policyIDs.filter { id in findings.contains { $0.policy == id } } : policyIDs
            var cases = ""
            var failures = 0
            for id in ids {
                let here = findings.filter { $0.policy == id }
                let open = here.filter { !$0.waived }
                let waived = here.filter(\.waived)
                let info = data.info(policy: id, finding: here.first)
                cases += "    <testcase classname=\"\(escape(name))\" name=\"\(escape(id))\" time=\"0\""
                if open.isEmpty && waived.isEmpty {
                    cases += "/>\n"
                    continue
                }
                cases += ">\n"
                if let worst = open.map(\.severity).max() {
                    // One <failure> per failing case, as JUnit readers expect (several would make
                    // `failures` disagree with the elements); it lists every open finding.
                    failures += 1
                    let message = open.count == 1 ? open[0].message : "\(open.count) findings; first: \(open[0].message)"
                    let body = open.map { finding in
                        let place = AuditReportData.location(finding) + (finding.job.map { " [job \($0)]" } ?? "")
                        return "[\(finding.severity.rawValue)] \(info.title)\n\(place)\n\(finding.message)\nFingerprint: \(finding.fingerprint)"
                    }.joined(separator: "\n\n") + (info.remediation.isEmpty ? "" : "\n\nRemediation: \(info.remediation)")
                    cases += "      <failure type=\"\(escape(worst.rawValue))\" message=\"\(escape(message))\">\(escape(body))</failure>\n"
                }
                if !waived.isEmpty {
                    cases += "      <system-out>" + escape(waived.map { "waived: \(AuditReportData.location($0)): \($0.message) (\($0.waiverReason ?? ""))" }.joined(separator: "\n")) + "</system-out>\n"
                }
                cases += "    </testcase>\n"
            }
            totalTests += ids.count
            totalFailures += failures
            let openCount = findings.filter { !$0.waived }.count
            suites += "  <testsuite name=\"\(escape(name))\" tests=\"\(ids.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"0\" timestamp=\"\(escape(data.scan.startedAt))\">\n"
            suites += "    <properties>\n      <property name=\"trustaudit.scan\" value=\"\(data.scan.id)\"/>\n"
            suites += "      <property name=\"trustaudit.findings\" value=\"\(openCount)\"/>\n      <property name=\"trustaudit.waived\" value=\"\(findings.count - openCount)\"/>\n    </properties>\n"
            suites += cases
            suites += "  </testsuite>\n"
        }
        let errors = data.policyErrors.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"trustaudit scan \(data.scan.id)\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"\(errors)\" time=\"0\">\n"
        if errors > 0 {
            out += "  <testsuite name=\"policy errors\" tests=\"\(errors)\" failures=\"0\" errors=\"\(errors)\" skipped=\"0\" time=\"0\">\n"
            for error in data.policyErrors {
                out += "    <testcase classname=\"policy errors\" name=\"\(escape(error.policy))\" time=\"0\">\n"
                out += "      <error message=\"\(escape(error.message))\">\(escape(error.source))</error>\n    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += suites + "</testsuites>\n"
        return out
    }

    /// Escapes text for XML content or a double-quoted attribute. Characters XML 1.0 cannot hold
    /// at all (C0 controls other than tab, newline and CR; U+FFFE/U+FFFF) become U+FFFD; newlines
    /// in attributes are kept as character references so they survive attribute normalization.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

import Foundation

/// The audit report as GitHub-flavoured Markdown, for an issue or `$GITHUB_STEP_SUMMARY`.
///
/// Kept under `maxLength` characters (GitHub caps a step summary at 1 MiB and an issue body at
/// 65,536 characters): the summary, drift, policies, trust graph, waivers and coverage are
/// rendered first with per-list caps, and the findings tables get what is left. Whatever is cut
/// is counted in a note at the end. Every scanned string goes through `MarkdownEscaping.cell`.
public enum AuditMarkdownReport {
    public static let defaultMaxLength = 60_000
    /// Rows shown per secondary list (drift, trust paths, waivers, repositories, input problems).
    static let listCap = 40

    public static func render(_ data: AuditReportData, maxLength: Int = defaultMaxLength) -> String {
        let limit = max(maxLength, 2_000)
        let reserve = 600
        var omitted: [String] = []

        let head = header(data) + summary(data) + trend(data)
        let drift = driftSection(data, omitted: &omitted)
        let policies = policySection(data)
        let trust = trustSection(data, omitted: &omitted)
        let waivers = waiverSection(data, omitted: &omitted)
        let coverage = coverageSection(data, omitted: &omitted)
        let fixed = head.count + drift.count + policies.count + trust.count + waivers.count + coverage.count
        let findings = findingsSection(data, budget: limit - reserve - fixed, omitted: &omitted)

        var out = head + drift + findings + policies + trust + waivers + coverage
        if out.count > limit - reserve {
            // Only very long names get here: cut at a line end and say so.
            var cut = out.prefix(limit - reserve)
            if let newline = cut.lastIndex(of: "\n") { cut = cut[...newline] }
            out = String(cut)
            omitted.append("the rest of the report (\(out.count) of its characters shown)")
        }
        if !omitted.isEmpty {
            out += "\n---\n\n> [!NOTE]\n> **This report was truncated** to stay under \(limit) characters. Not shown: "
            out += omitted.joined(separator: "; ")
            out += ". Run `trustaudit report --format html` (or `csv`) for everything.\n"
        }
        return out
    }

    static func cell(_ text: String?) -> String { MarkdownEscaping.cell(text ?? "") }

    /// A Markdown link to the finding's file on GitHub, or the escaped location.
    static func location(_ finding: Finding, withRepository: Bool) -> String {
        var text = withRepository ? AuditReportData.location(finding) : (finding.file.map { $0 + (finding.line.map { ":\($0)" } ?? "") } ?? AuditReportData.location(finding))
        text = cell(text)
        guard let url = AuditReportData.githubURL(finding) else { return text }
        let safe = url.replacingOccurrences(of: "(", with: "%28").replacingOccurrences(of: ")", with: "%29")
            .replacingOccurrences(of: " ", with: "%20")
        return "[\(text)](\(safe))"
    }

    static func header(_ data: AuditReportData) -> String {
        var out = "# trustaudit report: scan \(data.scan.id)"
        if let repository = data.repositoryFilter { out += " — \(cell(repository))" }
        out += "\n\nStarted \(cell(data.scan.startedAt))"
        if let finished = data.scan.finishedAt { out += ", finished \(cell(finished))" }
        if let label = data.scan.label { out += ", label \(cell(label))" }
        out += "; \(data.repositories.count) repositor\(data.repositories.count == 1 ? "y" : "ies"); trustaudit \(ToolVersion.current).\n\n"
        return out
    }

    static func summary(_ data: AuditReportData) -> String {
        let counts = data.counts
        var out = "## Summary\n\n"
        out += "| | " + Severity.allCases.reversed().map(\.rawValue).joined(separator: " | ") + " | total | waived |\n"
        out += "|---|" + String(repeating: "---:|", count: Severity.allCases.count + 2) + "\n"
        for category in PolicyCategory.allCases {
            let here = data.findings.filter { $0.category == category }
            let open = here.filter { !$0.waived }
            guard !here.isEmpty else { continue }
            out += "| \(category.rawValue) | " + Severity.allCases.reversed().map { severity in String(open.filter { $0.severity == severity }.count) }.joined(separator: " | ")
            out += " | \(open.count) | \(here.count - open.count) |\n"
        }
        out += "| **all** | " + Severity.allCases.reversed().map { "**\(counts[$0] ?? 0)**" }.joined(separator: " | ")
        out += " | **\(data.openFindings.count)** | \(data.waivedFindings.count) |\n\n"
        if !data.policyErrors.isEmpty {
            out += "> [!WARNING]\n> \(data.policyErrors.count) polic\(data.policyErrors.count == 1 ? "y" : "ies") failed to run; their findings are missing: "
            out += data.policyErrors.map { "`\($0.policy)` (\(cell($0.message)))" }.joined(separator: ", ") + "\n\n"
        }
        if !data.coverage.isEmpty {
            out += "> [!WARNING]\n> \(data.coverage.count) input problem\(data.coverage.count == 1 ? "" : "s"): some settings or Octopus data could not be fully read (see Coverage).\n\n"
        }
        return out
    }

    static func trend(_ data: AuditReportData) -> String {
        guard data.trend.count > 1 else { return "" }
        let shown = data.trend.suffix(10)
        var out = "## Trend\n\nOpen findings in the last \(shown.count) of \(data.trend.count) complete scans.\n\n"
        out += "| scan | started | " + Severity.allCases.reversed().map(\.rawValue).joined(separator: " | ") + " |\n"
        out += "|---:|---|" + String(repeating: "---:|", count: Severity.allCases.count) + "\n"
        for point in shown {
            out += "| \(point.scanID) | \(cell(point.startedAt)) | " + Severity.allCases.reversed().map { String(point.counts[$0] ?? 0) }.joined(separator: " | ") + " |\n"
        }
        return out + "\n"
    }

    static func driftSection(_ data: AuditReportData, omitted: inout [String]) -> String {
        guard let drift = data.drift else { return "## Drift\n\nNo earlier complete scan to compare with.\n\n" }
        var out = "## Drift since scan \(drift.from.id)\n\n"
        out += "\(drift.introduced.count) introduced, \(drift.resolved.count) resolved, \(drift.persisting.count) persisting, "
        out += "\(drift.changes.count) configuration change\(drift.changes.count == 1 ? "" : "s"), \(drift.notCovered.count) not covered.\n\n"
        for (title, list) in [("Introduced", drift.introduced), ("Resolved", drift.resolved)] where !list.isEmpty {
            out += "### \(title)\n\n| severity | policy | location | message |\n|---|---|---|---|\n"
            for finding in list.prefix(listCap) {
                out += "| \(finding.severity.rawValue) | `\(finding.policy)` | \(location(finding, withRepository: true)) | \(cell(finding.message)) |\n"
            }
            if list.count > listCap { omitted.append("\(list.count - listCap) \(title.lowercased()) findings") }
            out += "\n"
        }
        if !drift.changes.isEmpty {
            out += "### Configuration changes\n\n| change | repository | file | what | before | after |\n|---|---|---|---|---|---|\n"
            for change in drift.changes.prefix(listCap) {
                out += "| \(cell(change.kind)) | \(cell(change.repository)) | \(cell(change.file)) | \(cell(change.subject)) | \(cell(change.before ?? "(none)")) | \(cell(change.after ?? "(none)")) |\n"
            }
            if drift.changes.count > listCap { omitted.append("\(drift.changes.count - listCap) configuration changes") }
            out += "\n"
        }
        if !drift.notCovered.isEmpty {
            out += "### Not covered\n\n| kind | name | reason |\n|---|---|---|\n"
            for item in drift.notCovered { out += "| \(item.kind) | \(cell(item.name)) | \(cell(item.reason)) |\n" }
            out += "\n"
        }
        return out
    }

    static func findingsSection(_ data: AuditReportData, budget: Int, omitted: inout [String]) -> String {
        var out = "## Findings by repository\n\n"
        if data.findings.isEmpty { return out + "No findings.\n\n" }
        var used = out.count
        var skipped = 0
        var skippedRepositories = 0
        for group in data.byRepository {
            let openCount = group.findings.filter { !$0.waived }.count
            var block = "### \(cell(group.repository ?? "(no repository: organization or Octopus)")) — \(openCount) open"
            if openCount < group.findings.count { block += ", \(group.findings.count - openCount) waived" }
            block += "\n\n| severity | policy | location | job | message | status |\n|---|---|---|---|---|---|\n"
            guard used + block.count + 200 <= budget else {
                skipped += group.findings.count
                skippedRepositories += 1
                continue
            }
            var shown = 0
            for finding in group.findings {
                let who = [finding.job.map { "job \($0)" }, finding.serviceAccount.map { "account \($0)" }].compactMap { $0 }.joined(separator: ", ")
                let row = "| \(finding.severity.rawValue) | `\(finding.policy)` | \(location(finding, withRepository: group.repository == nil)) | \(cell(who)) | \(cell(finding.message)) | \(finding.waived ? "waived" : "open") |\n"
                if used + block.count + row.count + 120 > budget { break }
                block += row
                shown += 1
            }
            if shown < group.findings.count {
                block += "\n_… \(group.findings.count - shown) more finding\(group.findings.count - shown == 1 ? "" : "s") in this repository not shown._\n"
                skipped += group.findings.count - shown
            }
            block += "\n"
            out += block
            used += block.count
        }
        if skipped > 0 {
            omitted.append("\(skipped) of \(data.findings.count) findings" + (skippedRepositories > 0 ? " (\(skippedRepositories) repositor\(skippedRepositories == 1 ? "y" : "ies") entirely)" : ""))
        }
        return out
    }

    static func policySection(_ data: AuditReportData) -> String {
        guard !data.findings.isEmpty else { return "" }
        var out = "## Policies and remediation\n\n"
        for group in data.byPolicy {
            let info = data.info(policy: group.policy, finding: group.findings.first)
            let open = group.findings.filter { !$0.waived }.count
            out += "- **\(cell(info.title))** (`\(group.policy)`, \(info.severity.rawValue), \(info.category.rawValue)): \(open) open"
            if open < group.findings.count { out += ", \(group.findings.count - open) waived" }
            out += ".  \n"
            if !info.remediation.isEmpty { out += "  Fix: \(cell(info.remediation))\n" } else { out += "\n" }
        }
        return out + "\n"
    }

    static func trustSection(_ data: AuditReportData, omitted: inout [String]) -> String {
        var out = "## Trust graph\n\n"
        let accounts = data.trustGraph.accounts
        if accounts.isEmpty {
            return out + (data.octopus.isEmpty ? "No Octopus export was given to this scan.\n\n" : "No Octopus service account has an OIDC identity.\n\n")
        }
        var shownPaths = 0
        for account in data.trustGraph.accountsByReach {
            out += "### \(cell(account.username ?? account.accountID)) (\(cell(account.accountID)) on \(cell(account.server)))\n\n"
            if let level = account.reachableBy {
                out += "Reachable by **\(level.word)**" + (account.reachableReason.map { ": \(cell($0))" } ?? "") + ".\n\n"
            }
            out += "Identities: " + (account.identities.isEmpty ? "none" : account.identities.map { "\(cell($0.name ?? $0.id)) accepts \(cell($0.subject))" }.joined(separator: "; ")) + ".\n\n"
            if account.paths.isEmpty {
                out += "No scanned job can obtain its token.\n\n"
                continue
            }
            out += "| status | workflow | job | trigger | subject | gate | reachable by |\n|---|---|---|---|---|---|---|\n"
            for path in account.paths {
                guard shownPaths < listCap * 2 else { break }
                shownPaths += 1
                out += "| \(cell(path.status)) | \(cell(path.repository + "/" + path.file)) | \(cell(path.job)) | \(cell(path.trigger)) | \(cell(path.subject)) | \(cell(path.gate)) | \(cell(path.reachableBy?.word ?? "unknown")) |\n"
            }
            out += "\n"
        }
        let total = accounts.reduce(0) { $0 + $1.paths.count }
        if total > shownPaths { omitted.append("\(total - shownPaths) trust-graph paths") }
        return out
    }

    static func waiverSection(_ data: AuditReportData, omitted: inout [String]) -> String {
        let waived = data.waivedFindings
        let expired = data.findings.filter { $0.policy == FindingWaivers.expiredPolicyID }
        guard !waived.isEmpty || !expired.isEmpty else { return "## Waivers\n\nNo finding is waived.\n\n" }
        var out = "## Waivers\n\n"
        if !waived.isEmpty {
            out += "| kind | policy | location | reason | expires |\n|---|---|---|---|---|\n"
            for finding in waived.prefix(listCap) {
                out += "| \(AuditReportData.waiverKind(finding)) | `\(finding.policy)` | \(location(finding, withRepository: true)) | \(cell(AuditReportData.waiverReason(finding))) | \(cell(AuditReportData.waiverExpiry(finding) ?? "never")) |\n"
            }
            if waived.count > listCap { omitted.append("\(waived.count - listCap) waivers") }
            out += "\n"
        }
        for finding in expired { out += "- Expired: \(cell(finding.message))\n" }
        return out + (expired.isEmpty ? "" : "\n")
    }

    static func coverageSection(_ data: AuditReportData, omitted: inout [String]) -> String {
        var out = "## Coverage\n\n"
        let withSettings = data.repositories.filter(\.settingsCollected).count
        out += "- \(data.repositories.count) repositories scanned, \(data.repositories.reduce(0) { $0 + $1.workflowFiles }) workflow files.\n"
        if let settings = data.inputs.first(where: { $0.kind == "github-settings" }) {
            out += "- GitHub settings: \(settings.documents) document\(settings.documents == 1 ? "" : "s")\(settings.unreadable > 0 ? " (\(settings.unreadable) unreadable)" : ""), covering \(withSettings) of \(data.repositories.count) repositories.\n"
        } else {
            out += "- GitHub settings: **not collected** (environment protection, default token permissions and subject claims had no data).\n"
        }
        if data.octopus.isEmpty {
            out += "- Octopus: **not collected**; no trust graph.\n"
        } else {
            out += "- Octopus: " + data.octopus.map { "\(cell($0.server)) (\($0.serviceAccounts) service accounts, \($0.identities) OIDC identities)" }.joined(separator: "; ") + ".\n"
        }
        let missing = data.repositories.filter { !$0.settingsCollected || $0.collectionError != nil }
        if !missing.isEmpty && withSettings > 0 {
            out += "- Repositories without settings: " + missing.prefix(listCap).map { cell($0.name) }.joined(separator: ", ")
            out += missing.count > listCap ? " and \(missing.count - listCap) more.\n" : ".\n"
        }
        if !data.coverage.isEmpty {
            out += "\n| kind | document | problem |\n|---|---|---|\n"
            for note in data.coverage.prefix(listCap) {
                out += "| \(cell(note.kind)) | \(cell(note.document)) | \(note.unreadable ? "not read: " : "")\(cell(note.detail)) |\n"
            }
            if data.coverage.count > listCap { omitted.append("\(data.coverage.count - listCap) input problems") }
        }
        return out + "\n"
    }
}

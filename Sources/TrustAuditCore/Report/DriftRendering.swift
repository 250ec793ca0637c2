/// Text, JSON (a contract) and Markdown forms of a `DriftReport`.
extension DriftReport {
    public func renderJSON() -> String {
        func scan(_ summary: ScanSummary) -> JSONValue {
            .object(["id": .number(Double(summary.id)), "started_at": .string(summary.startedAt),
                     "finished_at": summary.finishedAt.map(JSONValue.string) ?? .null,
                     "label": summary.label.map(JSONValue.string) ?? .null])
        }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return JSONValue.object([
            "from": scan(from), "to": scan(to),
            "introduced": .array(introduced.map(JSONReport.object)),
            "resolved": .array(resolved.map(JSONReport.object)),
            "persisting": .array(persisting.map(JSONReport.object)),
            "changes": .array(changes.map {
                .object(["kind": .string($0.kind), "repository": text($0.repository), "file": text($0.file),
                         "subject": .string($0.subject), "before": text($0.before), "after": text($0.after)])
            }),
            "not_covered": .array(notCovered.map { .object(["kind": .string($0.kind), "name": .string($0.name), "reason": .string($0.reason)]) }),
        ]).jsonText + "\n"
    }

    public func renderText() -> String {
        let clean: (String) -> String = TextReport.sanitize
        var out = "Drift from scan \(from.id) (\(from.startedAt)) to scan \(to.id) (\(to.startedAt))\n\n"
        out += "Findings: \(introduced.count) introduced, \(resolved.count) resolved, \(persisting.count) persisting\n"
        for (title, list) in [("Introduced", introduced), ("Resolved", resolved)] where !list.isEmpty {
            out += "\n\(title):\n"
            for finding in list {
                out += "  [\(finding.severity.rawValue)] \(TextReport.location(finding))  \(finding.policy)\n    \(clean(finding.message))\n"
            }
        }
        if !changes.isEmpty {
            out += "\nConfiguration changes:\n"
            for change in changes {
                let place = [change.repository, change.file].compactMap { $0 }.map(clean).joined(separator: "/")
                out += "  \(change.kind)  \(place.isEmpty ? "" : place + "  ")\(clean(change.subject)): \(clean(change.before ?? "(none)")) → \(clean(change.after ?? "(none)"))\n"
            }
        }
        if !notCovered.isEmpty {
            out += "\nNot covered:\n"
            for item in notCovered { out += "  \(item.kind) \(clean(item.name)): \(item.reason)\n" }
        }
        return out
    }

    public func renderMarkdown() -> String {
        func cell(_ text: String?) -> String { MarkdownEscaping.cell(text ?? "") }
        var out = "## trustaudit drift: scan \(from.id) → scan \(to.id)\n\n"
        out += "| | count |\n|---|---|\n| introduced | \(introduced.count) |\n| resolved | \(resolved.count) |\n| persisting | \(persisting.count) |\n| configuration changes | \(changes.count) |\n| not covered | \(notCovered.count) |\n"
        for (title, list) in [("Introduced", introduced), ("Resolved", resolved)] where !list.isEmpty {
            out += "\n### \(title)\n\n| severity | policy | location | message |\n|---|---|---|---|\n"
            for finding in list {
                out += "| \(finding.severity.rawValue) | `\(finding.policy)` | \(cell(TextReport.location(finding))) | \(cell(finding.message)) |\n"
            }
        }
        if !changes.isEmpty {
            out += "\n### Configuration changes\n\n| change | repository | file | what | before | after |\n|---|---|---|---|---|---|\n"
            for change in changes {
                out += "| \(change.kind) | \(cell(change.repository)) | \(cell(change.file)) | \(cell(change.subject)) | \(cell(change.before)) | \(cell(change.after)) |\n"
            }
        }
        if !notCovered.isEmpty {
            out += "\n### Not covered\n\n| kind | name | reason |\n|---|---|---|\n"
            for item in notCovered { out += "| \(item.kind) | \(cell(item.name)) | \(cell(item.reason)) |\n" }
        }
        return out
    }
}

/// Escaping for text placed in a Markdown table cell: nothing a scanned file says may break the
/// table, inject links or HTML, or run on over several lines.
public enum MarkdownEscaping {
    public static func cell(_ text: String) -> String {
        var out = ""
        for character in TextReport.sanitize(text) {
            switch character {
            case "|", "\\", "`", "*", "_", "[", "]", "<", ">", "#", "!", "~": out += "\\\(character)"
            case "\t": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}

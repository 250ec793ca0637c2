/// Finds `# trustaudit: ignore[policy-a, policy-b] reason` comments in a workflow's text.
///
/// Read from the raw text because YAML parsers drop comments. A suppression applies to findings
/// on its own line and on the line below it (see `findings` evaluation).
enum SuppressionScanner {
    static let marker = "trustaudit: ignore["

    static func scan(_ text: String) -> [SuppressionFact] {
        guard text.contains(marker) else { return [] }
        var result: [SuppressionFact] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let hash = line.firstIndex(of: "#"),
                  let start = line[hash...].range(of: marker) else { continue }
            let rest = line[start.upperBound...]
            guard let close = rest.firstIndex(of: "]") else { continue }
            let ids = rest[..<close].split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            let reason = rest[rest.index(after: close)...].trimmingWhitespace()
            for id in ids {
                result.append(SuppressionFact(line: lineNumber, policy: id, reason: reason.isEmpty ? nil : reason))
            }
        }
        return result
    }
}

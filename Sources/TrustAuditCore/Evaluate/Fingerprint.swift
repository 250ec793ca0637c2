/// Computes a finding's fingerprint (README, "JSON output"): policy, repository, file, structural
/// location and evidence.
///
/// The line is deliberately left out, and so is any `line`/`lines` member of the evidence:
/// moving code around must not turn an old finding into a "new" one.
public enum Fingerprint {
    public static func compute(policy: String, repository: String?, file: String?, resource: String?, evidence: JSONValue) -> String {
        let parts = [policy, repository ?? "", file ?? "", resource ?? "", normalized(evidence).jsonText]
        // Not a StateDigest: every stored fingerprint, SARIF upload and waiver was made from
        // exactly these bytes, so the separator stays.
        return String(SHA256.hex(parts.joined(separator: "\u{1F}")).prefix(32))
    }

    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, member) in members where key != "line" && key != "lines" && !key.hasSuffix("_line") {
                kept[key] = normalized(member)
            }
            return .object(kept)
        case .array(let items):
            return .array(items.map(normalized))
        default:
            return value
        }
    }
}

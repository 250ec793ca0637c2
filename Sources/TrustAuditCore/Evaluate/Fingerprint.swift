/// Computes a finding's fingerprint (README, "JSON output"): policy, repository, file, structural
/// location and evidence.
///
/// The line is deliberately left out, and so is any `line`/`lines` member of the evidence:
/// moving code around must not turn an old finding into a "new" one.
public enum Fingerprint {
    public static func compute(policy: String, repository: String?, file: String?, resource: String?, evidence: JSONValue) -> String {
        compute(policy: policy, repository: repository, file: file, resource: resource, normalizedText: normalized(evidence).jsonText)
    }

    /// `compute`, given the evidence's text (`evidence.jsonText`), which a policy's finding keeps
    /// anyway: evidence without line keys normalizes to itself, and is not written out again.
    static func compute(policy: String, repository: String?, file: String?, resource: String?, evidence: JSONValue, text: String) -> String {
        compute(policy: policy, repository: repository, file: file, resource: resource,
                normalizedText: hasLineKeys(evidence) ? normalized(evidence).jsonText : text)
    }

    private static func compute(policy: String, repository: String?, file: String?, resource: String?, normalizedText: String) -> String {
        let parts = [policy, repository ?? "", file ?? "", resource ?? "", normalizedText]
        // Not a StateDigest: every stored fingerprint, SARIF upload and waiver was made from
        // exactly these bytes, so the separator stays.
        return String(SHA256.hex(parts.joined(separator: "\u{1F}")).prefix(32))
    }

    private static func isLineKey(_ key: String) -> Bool {
        key == "line" || key == "lines" || key.hasSuffix("_line")
    }

    /// Whether `normalized` would drop anything from `value`.
    static func hasLineKeys(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members): return members.contains { isLineKey($0.key) || hasLineKeys($0.value) }
        case .array(let items): return items.contains(where: hasLineKeys)
        default: return false
        }
    }

    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, member) in members where !isLineKey(key) {
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

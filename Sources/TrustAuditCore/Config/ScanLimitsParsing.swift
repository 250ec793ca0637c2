/// Reading `limits:` is configuration; the limits themselves are a model every step reads.
extension ScanLimits {
    /// The `limits:` mapping of a configuration file, over the defaults.
    static func parse(_ value: JSONValue?, file: String) throws -> ScanLimits {
        var limits = ScanLimits()
        guard let value, value != .null else { return limits }
        guard case .object(let fields) = value else {
            throw ConfigError(file: file, line: nil, reason: "`limits` must be a mapping (policy_timeout, policy_max_rows, max_expanded_bytes)")
        }
        for (key, field) in fields {
            guard case .number(let number) = field, number > 0 else {
                throw ConfigError(file: file, line: nil, reason: "`limits.\(key)` must be a number greater than 0")
            }
            switch key {
            case "policy_timeout": limits.policyTimeout = number
            case "policy_max_rows": limits.policyMaxRows = Int(min(number, Double(Int.max / 2)))
            case "max_expanded_bytes": limits.maxExpandedBytes = Int(min(number, Double(Int.max / 2)))
            default:
                throw ConfigError(file: file, line: nil, reason: "unknown key `limits.\(key)` (known: max_expanded_bytes, policy_max_rows, policy_timeout)")
            }
        }
        return limits
    }
}

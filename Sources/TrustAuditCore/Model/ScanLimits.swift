/// The bounds that keep hostile input from costing unbounded time or memory. Each is an option
/// (`trustaudit.yml` `limits:` and a command-line flag); hitting one is a clear message and a
/// coverage row, never a silent truncation.
public struct ScanLimits: Sendable, Equatable {
    /// Seconds one policy's query may run (`--policy-timeout`, `limits.policy_timeout`).
    public static let defaultPolicyTimeout = 60.0
    /// Rows one policy's query may return (`--policy-max-rows`, `limits.policy_max_rows`): the
    /// largest built-in result at 10,000 repositories is about 20,000.
    public static let defaultPolicyMaxRows = 250_000
    /// Bytes of text one workflow may expand to through YAML aliases (`--max-expanded-bytes`,
    /// `limits.max_expanded_bytes`): sixteen times the largest workflow file read.
    public static let defaultMaxExpandedBytes = 16 << 20

    public var policyTimeout: Double
    public var policyMaxRows: Int
    public var maxExpandedBytes: Int

    public init(policyTimeout: Double = defaultPolicyTimeout, policyMaxRows: Int = defaultPolicyMaxRows,
                maxExpandedBytes: Int = defaultMaxExpandedBytes) {
        self.policyTimeout = policyTimeout
        self.policyMaxRows = policyMaxRows
        self.maxExpandedBytes = maxExpandedBytes
    }

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

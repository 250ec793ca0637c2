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
}

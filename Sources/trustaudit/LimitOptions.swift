import ArgumentParser
import TrustAuditCore

/// The limits of `ScanLimits` as flags; each overrides the config file's `limits:` entry.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("policy-timeout"), help: ArgumentHelp("Seconds one policy's query may run before it is stopped and reported (default \(Int(ScanLimits.defaultPolicyTimeout))).", valueName: "seconds"))
    var policyTimeout: Double?

    @Option(name: .customLong("policy-max-rows"), help: ArgumentHelp("Rows one policy's query may return before it is stopped and reported (default \(ScanLimits.defaultPolicyMaxRows)).", valueName: "rows"))
    var policyMaxRows: Int?

    @Option(name: .customLong("max-expanded-bytes"), help: ArgumentHelp("Bytes of text one workflow may expand to through YAML aliases (default \(ScanLimits.defaultMaxExpandedBytes)).", valueName: "bytes"))
    var maxExpandedBytes: Int?

    func validate() throws {
        if let policyTimeout, !(policyTimeout > 0) { throw ValidationError("--policy-timeout must be greater than 0") }
        if let policyMaxRows, policyMaxRows < 1 { throw ValidationError("--policy-max-rows must be at least 1") }
        if let maxExpandedBytes, maxExpandedBytes < 1 { throw ValidationError("--max-expanded-bytes must be at least 1") }
    }

    func applied(to limits: ScanLimits) -> ScanLimits {
        var limits = limits
        if let policyTimeout { limits.policyTimeout = policyTimeout }
        if let policyMaxRows { limits.policyMaxRows = policyMaxRows }
        if let maxExpandedBytes { limits.maxExpandedBytes = maxExpandedBytes }
        return limits
    }
}

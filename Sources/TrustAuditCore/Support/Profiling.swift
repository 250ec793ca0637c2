import Foundation

/// `TRUSTAUDIT_PROFILE=1` prints where a run's time goes to standard error: each step of the
/// command, each scan phase and each policy. `TRUSTAUDIT_PROFILE=serial` also runs policies one
/// at a time, so that each policy's time is its own. The benchmark and tuning use it; nothing
/// else depends on the output.
public enum Profiling {
    public static let enabled = ProcessInfo.processInfo.environment["TRUSTAUDIT_PROFILE"] != nil
    static let serial = ProcessInfo.processInfo.environment["TRUSTAUDIT_PROFILE"] == "serial"

    /// Runs `body`, printing its wall time under `label` when profiling.
    public static func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { report(label, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// Prints one `trustaudit: profile: LABEL S s[DETAIL]` line (callers check `enabled`).
    static func report(_ label: String, seconds: Double, detail: String = "") {
        StandardStreams.writeError("trustaudit: profile: \(label) \(String(format: "%.3f", seconds)) s\(detail)\n")
    }
}

import Foundation

/// Wall-clock seconds per named phase, accumulated across batches.
struct PhaseClock {
    private(set) var phases: [(phase: String, seconds: Double)] = []

    mutating func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(phase, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// Adds time measured elsewhere (on another thread) to `phase`.
    mutating func add(_ phase: String, _ seconds: Double) {
        if let index = phases.firstIndex(where: { $0.phase == phase }) {
            phases[index].seconds += seconds
        } else {
            phases.append((phase, seconds))
        }
    }
}

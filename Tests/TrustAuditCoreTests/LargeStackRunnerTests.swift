import Foundation
import Testing
@testable import TrustAuditCore

struct LargeStackRunnerTests {
    @Test func resultsInInputOrder() {
        let items = Array(0..<1_000)
        let results = LargeStackRunner.map(items, threads: 4) { item -> Int in
            if item % 7 == 0 { usleep(100) }
            return item * 2
        }
        let checked1 = results == items.map { $0 * 2 }
        #expect(checked1)
    }

    @Test func emptyAndMoreThreadsThanItems() {
        let checked2 = LargeStackRunner.map([Int](), threads: 4) { $0 } == []
        #expect(checked2)
        let checked3 = LargeStackRunner.map([1, 2], threads: 16) { $0 + 1 } == [2, 3]
        #expect(checked3)
        let checked4 = LargeStackRunner.map([1, 2], threads: 0) { $0 + 1 } == [2, 3]
        #expect(checked4)
    }

    @Test func runsOnWorkerThreads() {
        let caller = pthread_self()
        let seen = LargeStackRunner.map(Array(0..<64), threads: 2) { _ -> (thread: UInt, isCaller: Bool) in
            usleep(1_000)
            return (UInt(pthread_self()), pthread_equal(pthread_self(), caller) != 0)
        }
        let checked5 = Set(seen.map { $0.thread }).count == 2
        #expect(checked5)
        let checked6 = seen.allSatisfy { !$0.isCaller }
        #expect(checked6)
    }

    /// 16,384 frames each holding a 128-byte buffer: a few MiB of stack, more than a small
    /// secondary-thread stack holds, well within the workers' 64 MiB.
    @Test func deepRecursionFitsTheStack() {
        let depths = LargeStackRunner.map([16 << 10], threads: 1) { frames in recurse(frames) }
        #expect(depths == [16 << 10])
    }

    /// The parse of libyaml's deepest accepted nesting (1,000 levels, guards bypassed) needs
    /// roughly 1-1.5 KiB of stack per level, more than a 512 KiB thread has; on the runner it
    /// completes and ends with libyaml's own error.
    @Test func deepestYAMLParsesOnWorkers() {
        let texts = [String(repeating: "- ", count: 999) + "x\n", String(repeating: "[", count: 999) + String(repeating: "]", count: 999)]
        let results = LargeStackRunner.map(texts, threads: 2) { WorkflowParser.parse(text: $0) }
        for result in results {
            #expect(result == .failed(WorkflowParseFailure("the top level is a list, not a mapping of workflow keys", line: 1)))
        }
    }
}

@inline(never)
private func recurse(_ remaining: Int) -> Int {
    // About 1 KiB per frame that the optimiser cannot remove.
    var buffer = (UInt64(remaining), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                  UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    if remaining == 0 { return 0 }
    return withUnsafeMutableBytes(of: &buffer) { raw in
        raw.storeBytes(of: UInt64(remaining), toByteOffset: 8, as: UInt64.self)
        return 1 + recurse(remaining - 1) + Int(raw.load(fromByteOffset: 8, as: UInt64.self) & 0)
    }
}

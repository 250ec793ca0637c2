import ArgumentParser
import Foundation
import TrustAuditCore

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove old snapshots and the content no remaining snapshot uses, then vacuum.",
        discussion: """
            Failed scans are always removed. With both options, a scan is removed only when it is beyond --keep and older \
            than --older-than. Live collectors' cached API responses that no kept scan confirmed are removed too.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Keep the newest N complete scans.")
    var keep: Int?

    @Option(name: .customLong("older-than"), help: ArgumentHelp("Remove scans older than this: 90d, 12w, 6m or 1y.", valueName: "age"))
    var olderThan: String?

    func validate() throws {
        if keep == nil && olderThan == nil { throw ValidationError("give --keep N and/or --older-than AGE") }
        if let keep, keep < 1 { throw ValidationError("--keep must be at least 1") }
        if let olderThan, Retention.cutoff(olderThan: olderThan) == nil {
            throw ValidationError("--older-than takes a number and a unit: d, w, m or y (e.g. 90d)")
        }
    }

    func run() throws {
        let audit = try database.openExisting(writable: true)
        do {
            let lock = try ScanLock.acquire(databasePath: audit.path) { message in
                StandardStreams.writeError("trustaudit: \(message)\n")
            }
            defer { lock.release() }
            let result = try Retention.prune(database: audit, keep: keep, olderThan: olderThan.flatMap { Retention.cutoff(olderThan: $0) })
            try say("Removed \(result.scansRemoved) scan(s), \(result.blobsRemoved) unused document(s) and \(result.cachedResponsesRemoved) stale cached API response(s); database \(result.bytesBefore / 1024) KiB → \(result.bytesAfter / 1024) KiB.")
        } catch {
            throw fail(error)
        }
    }
}

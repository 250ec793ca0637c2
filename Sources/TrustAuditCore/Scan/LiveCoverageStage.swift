import GRDB

/// Records a live collection's failures in the scan, where offline coverage already lives:
///
/// - a whole subject missing → a `scan_inputs` row with its `error` (the `coverage` view's
///   `unreadable`, the text report's COVERAGE section, the HTML report's coverage);
/// - a part missing → a `scan_input_problems` row on the subject's document (`problem`);
/// - a repository whose workflows are missing → also `repositories.collection_error`, so the
///   repository reads as "not covered" rather than "clean".
public struct LiveCoverageStage: ScanStage {
    public let name = "live-coverage"
    public var coverage: CollectionCoverage

    public init(coverage: CollectionCoverage) {
        self.coverage = coverage
    }

    public var signature: String {
        var digest = StateDigest("live-coverage-v2")
        for failure in coverage.sorted {
            digest.add(failure.service, failure.subject, failure.part ?? "", failure.document, failure.reason,
                       failure.repositoryIncomplete ? "1" : "0")
        }
        return digest.hex
    }

    public func run(_ db: Database, scanID: Int64) throws {
        for failure in coverage.sorted {
            if let part = failure.part {
                try ScanInputStore.recordProblem(db, scanID: scanID, kind: failure.kind, document: failure.document, path: part,
                                                 message: "not collected: \(failure.reason)")
            } else {
                try ScanInputStore.recordMissing(db, scanID: scanID, kind: failure.kind, name: failure.document, subject: failure.subject,
                                                 error: "not collected: \(failure.reason)")
            }
            if failure.repositoryIncomplete {
                try SnapshotStore.recordCollectionError(db, scanID: scanID, repository: failure.subject, error: failure.line)
            }
        }
    }
}

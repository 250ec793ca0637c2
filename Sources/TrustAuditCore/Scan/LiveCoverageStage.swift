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
        "live-coverage-v1\u{1E}" + coverage.sorted.map {
            [$0.service, $0.subject, $0.part ?? "", $0.document, $0.reason, $0.repositoryIncomplete ? "1" : "0"].joined(separator: "\u{1F}")
        }.joined(separator: "\u{1E}")
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

import Foundation
import Testing
@testable import TrustAuditCore

/// Scans the shared real-world corpus as an organization (one repository per `OWNER__REPO`) and
/// measures policies against hand-labelled jobs kept in `Fixtures/`. Skips when
/// `../shared/corpus` is absent.
@Suite(.enabled(if: Corpus.isPresent, "needs ../shared/corpus"))
struct CorpusAccuracyTests {
    /// One hand-labelled job: does any of its steps use the OIDC token?
    struct Label {
        var repository: String
        var file: String
        var job: String
        var used: Bool
    }

    static func labels() throws -> [Label] {
        let url = TestSupport.packageRoot.appendingPathComponent("Tests/TrustAuditCoreTests/Fixtures/id-token-unused-labels.tsv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4, ["used", "unused"].contains(fields[3]) else {
                Issue.record("malformed label line: \(line)")
                return nil
            }
            return Label(repository: fields[0], file: fields[1], job: fields[2], used: fields[3] == "used")
        }
    }

    /// Copies every corpus file to `<folder>/OWNER/REPO/.github/workflows/FILE` and scans it.
    static func scanCorpus(in directory: URL) throws -> ScanOutcome {
        let organization = directory.appendingPathComponent("org")
        for url in try Corpus.files() {
            let parts = url.lastPathComponent.components(separatedBy: "__")
            guard parts.count >= 3 else { continue }
            let path = "\(parts[0])/\(parts[1])/.github/workflows/\(parts[2...].joined(separator: "__"))"
            try TestSupport.write(try Corpus.bytes(url), to: path, in: organization)
        }
        let database = try TestSupport.openDatabase(in: directory)
        return try TestSupport.scan([organization], database: database)
    }

    @Test("id-token-unused reaches precision >= 0.9 and recall >= 0.8 on the hand-labelled corpus jobs")
    func idTokenUnusedAccuracy() throws {
        let labels = try Self.labels()
        #expect(labels.count >= 100)
        let outcome = try TestSupport.withTemporaryDirectory { try Self.scanCorpus(in: $0) }
        #expect(outcome.policyErrors.isEmpty, "\(outcome.policyErrors)")
        #expect(outcome.workflowFiles == (try Corpus.files().count))
        // The corpus holds 15 files with broken YAML; each is reported, the rest audited.
        let checked1 = outcome.findings.filter { $0.policy == "workflow-unparseable" }.count <= 20
        #expect(checked1)

        let flagged = Set(outcome.findings.filter { $0.policy == "id-token-unused" }.map { "\($0.repository ?? "")|\($0.file ?? "")|\($0.job ?? "")" })
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        for label in labels {
            let isFlagged = flagged.contains("\(label.repository)|\(label.file)|\(label.job)")
            switch (isFlagged, label.used) {
            case (true, false): truePositives += 1
            case (true, true): falsePositives += 1; print("id-token-unused false positive: \(label)")
            case (false, false): falseNegatives += 1; print("id-token-unused missed: \(label)")
            case (false, true): break
            }
        }
        let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
        let recall = Double(truePositives) / Double(max(1, truePositives + falseNegatives))
        print(String(format: "id-token-unused on %d labelled corpus jobs: precision %.2f, recall %.2f (%d TP, %d FP, %d FN)",
                     labels.count, precision, recall, truePositives, falsePositives, falseNegatives))
        #expect(truePositives > 0)
        #expect(precision >= 0.9)
        #expect(recall >= 0.8)
    }
}

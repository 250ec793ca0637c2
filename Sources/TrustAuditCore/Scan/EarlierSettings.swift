import GRDB

/// The latest complete scan that ingested its own settings, and which of this scan's GitHub
/// settings documents it read byte for byte as repository documents. Their rows can be copied
/// from it instead of decoding the documents again, when the organization documents are the same
/// too (`ingestBase`: a repository's subject template and default permissions come from them).
///
/// A document in which that scan recorded a problem is decoded again rather than copied: its
/// problem rows may mix what reading it found with what a live collection missed, which this
/// scan records afresh.
struct EarlierSettings {
    var scanID: Int64
    var ingestBase: String
    /// Document index → the repository it described.
    var reusable: [Int: String]

    static func find(_ db: Database, documents: [InputDocument], hashes: [String]) throws -> EarlierSettings? {
        guard let latest = try ScanRecords.latestIngestion(db) else { return nil }
        // Repository documents only: an organization's rows are written afresh by every scan.
        let reusable = try UnchangedDocuments.find(db, scanID: latest.scanID, kind: "github-settings", documents: documents,
                                                   hashes: hashes).filter { $0.value.contains("/") }
        guard !reusable.isEmpty else { return nil }
        return EarlierSettings(scanID: latest.scanID, ingestBase: latest.ingestBase, reusable: reusable)
    }
}

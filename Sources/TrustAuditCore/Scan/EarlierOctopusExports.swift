import GRDB

/// The Octopus exports of this scan that the latest complete ingesting scan read byte for byte,
/// under the same ingestion base: their rows can be copied from that scan instead of decoding the
/// export again. A nightly audit reads the same export every night, and decoding and writing it
/// row by row was a third of ingesting an unchanged organization.
///
/// Like `EarlierSettings`, an export in which that scan recorded a problem is decoded again
/// (`UnchangedDocuments`).
struct EarlierOctopusExports {
    var scanID: Int64
    /// Document index → the Octopus server the export described.
    var reusable: [Int: String]

    static func find(_ db: Database, documents: [InputDocument], hashes: [String], ingestBase: String) throws -> EarlierOctopusExports? {
        guard !documents.isEmpty, let latest = try ScanRecords.latestIngestion(db), latest.ingestBase == ingestBase else { return nil }
        let reusable = try UnchangedDocuments.find(db, scanID: latest.scanID, kind: "octopus", documents: documents, hashes: hashes)
        return reusable.isEmpty ? nil : EarlierOctopusExports(scanID: latest.scanID, reusable: reusable)
    }
}

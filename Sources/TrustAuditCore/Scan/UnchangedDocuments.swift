import GRDB

/// The documents a scan was given that an earlier scan used byte for byte, under the same name,
/// without recording a problem in them. A rescan copies their rows from that scan instead of
/// decoding them again (`EarlierSettings`, `EarlierOctopusExports`); a document with a problem is
/// read again, so that every scan records its problems itself.
enum UnchangedDocuments {
    /// Of `documents` (whose bytes hash to `hashes`), those of `kind` that scan `scanID` used so:
    /// index → the subject that scan recorded.
    static func find(_ db: Database, scanID: Int64, kind: String, documents: [InputDocument], hashes: [String]) throws -> [Int: String] {
        let used = try ScanInputStore.usedDocuments(db, scanID: scanID, kind: kind)
        let withProblems = try ScanInputStore.documentsWithProblems(db, scanID: scanID, kind: kind)
        var unchanged: [Int: String] = [:]
        for (index, document) in documents.enumerated() where document.readError == nil && !withProblems.contains(document.name) {
            if let earlier = used[document.name], earlier.hash == hashes[index] {
                unchanged[index] = earlier.subject
            }
        }
        return unchanged
    }
}

import Foundation
import GRDB

/// The documents a scan was given besides its workflows (settings and Octopus exports, live
/// collections) and what could not be used of them: `scan_inputs`, `scan_input_problems`, and
/// the bytes in `blobs`. The `coverage` view reads these rows.
enum ScanInputStore {
    /// Records a document, keeping its bytes (content-addressed, so an unchanged export is stored
    /// once however many scans read it). `error` says why it could not be used.
    /// `hash` is the SHA-256 of `data`.
    static func record(_ db: Database, scanID: Int64, kind: String, name: String, data: Data, hash: String,
                       subject: String?, error: String?) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (hash, kind, size, content) VALUES (?, ?, ?, ?)")
            .execute(arguments: [hash, kind, data.count, data])
        try insert(db, scanID: scanID, kind: kind, name: name, subject: subject, hash: hash, error: error)
    }

    /// Records a document whose bytes are stored already: one an earlier scan read byte for byte
    /// (`hash`), whose rows this scan copies from it.
    static func recordStored(_ db: Database, scanID: Int64, kind: String, name: String, hash: String, subject: String) throws {
        try insert(db, scanID: scanID, kind: kind, name: name, subject: subject, hash: hash, error: nil)
    }

    /// Records a document or a subject that could not be had at all (nothing was read).
    static func recordMissing(_ db: Database, scanID: Int64, kind: String, name: String, subject: String?, error: String) throws {
        try insert(db, scanID: scanID, kind: kind, name: name, subject: subject, hash: nil, error: error)
    }

    private static func insert(_ db: Database, scanID: Int64, kind: String, name: String, subject: String?, hash: String?,
                               error: String?) throws {
        try db.cachedStatement(sql: "INSERT INTO scan_inputs (scan_id, kind, document, subject, blob_hash, error) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [scanID, kind, name, subject, hash, error])
    }

    /// Records a part of a readable document that could not be used; the rest of it still is.
    static func recordProblem(_ db: Database, scanID: Int64, kind: String, document: String, path: String, message: String) throws {
        try db.cachedStatement(sql: "INSERT INTO scan_input_problems (scan_id, kind, document, path, message) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [scanID, kind, document, path, message])
    }

    /// What scan `scanID` could not fully read: unusable documents first, then problems inside
    /// used ones, each in the order recorded.
    static func coverageNotes(scanID: Int64, db: Database) throws -> [CoverageNote] {
        let unreadable = try Row.fetchAll(db, sql: """
            SELECT kind, document, error FROM scan_inputs WHERE scan_id = ? AND error IS NOT NULL ORDER BY id
            """, arguments: [scanID]).map {
            CoverageNote(kind: $0["kind"], document: $0["document"], detail: $0["error"], unreadable: true)
        }
        let problems = try Row.fetchAll(db, sql: """
            SELECT kind, document, path, message FROM scan_input_problems WHERE scan_id = ? ORDER BY rowid
            """, arguments: [scanID]).map {
            CoverageNote(kind: $0["kind"], document: $0["document"],
                         detail: "\($0["path"] as String): \($0["message"] as String)", unreadable: false)
        }
        return unreadable + problems
    }

    /// The documents of `kind` a scan used (read without an error), by name: the hash of their
    /// bytes and what they described.
    static func usedDocuments(_ db: Database, scanID: Int64, kind: String) throws -> [String: (hash: String, subject: String)] {
        var documents: [String: (hash: String, subject: String)] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT document, blob_hash, subject FROM scan_inputs
            WHERE scan_id = ? AND kind = ? AND error IS NULL AND blob_hash IS NOT NULL AND subject IS NOT NULL
            """, arguments: [scanID, kind]) {
            documents[row["document"]] = (row["blob_hash"], row["subject"])
        }
        return documents
    }

    /// The documents of `kind` with at least one problem recorded in a scan (while reading them,
    /// or by a live collection that missed a part of what they describe).
    static func documentsWithProblems(_ db: Database, scanID: Int64, kind: String) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT DISTINCT document FROM scan_input_problems WHERE scan_id = ? AND kind = ?",
                                arguments: [scanID, kind]))
    }
}

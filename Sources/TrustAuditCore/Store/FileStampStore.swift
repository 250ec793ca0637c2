import Foundation
import GRDB

/// Reads and writes the `FileStampCache` (`file_stamps`, migration 0021).
enum FileStampStore {
    /// Stored with each stamp; rows recorded by another build are not used (migration 0024).
    /// The second part names the rules of `LocalActionCollector.references`: change it with them.
    static let recordedBy = "\(ToolVersion.current)/local-actions-1"

    /// The files this build recorded, for a scan that records the files it reads that changed
    /// before `settledBefore`. Restrict the cache to the content whose facts are stored and
    /// current (`FileStampCache.restricted(to:)`) before using it.
    static func load(_ db: Database, settledBefore: Int64) throws -> FileStampCache {
        var entries: [FileStampCache.Key: FileStampCache.Entry] = [:]
        try RawRows.forEach(db, sql: """
            SELECT path, device, inode, size, modified_ns, changed_ns, hash, local_actions FROM file_stamps WHERE recorded_by = ?
            """, arguments: [recordedBy]) { row in
            // A row that does not read as recorded is ignored: the file is read as if new.
            guard let path = row.bytes(0), let device = row.int64(1), let inode = row.int64(2), let size = row.int64(3),
                  let modified = row.int64(4), let changed = row.int64(5), let hash = row.text(6),
                  let localActions = row.text(7)
            else { return }
            let stamp = FileStamp(device: device, inode: inode, size: size, modifiedNanoseconds: modified, changedNanoseconds: changed)
            entries[FileStampCache.Key(bytes: path)] = FileStampCache.Entry(stamp: stamp, hash: hash, localActions: localActions.split(separator: "\n").map(String.init))
        }
        return FileStampCache(entries: entries, settledBefore: settledBefore)
    }

    /// Records the files a scan read, each with its content's hash.
    static func record(_ stamps: [(origin: DiskOrigin, hash: String)], db: Database) throws {
        guard !stamps.isEmpty else { return }
        let insert = try BoundInsert(db, sql: """
            INSERT OR REPLACE INTO file_stamps (path, device, inode, size, modified_ns, changed_ns, hash, local_actions, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (origin, hash) in stamps {
            let stamp = origin.stamp
            try insert.execute([
                Data(origin.path).databaseValue, stamp.device.databaseValue, stamp.inode.databaseValue, stamp.size.databaseValue,
                stamp.modifiedNanoseconds.databaseValue, stamp.changedNanoseconds.databaseValue, hash.databaseValue,
                origin.localActions.joined(separator: "\n").databaseValue, recordedBy.databaseValue,
            ])
        }
    }

    /// Forgets the files whose content is no longer stored, and those another build recorded.
    static func deleteOrphans(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM file_stamps WHERE hash NOT IN (SELECT hash FROM blobs) OR recorded_by <> ?",
                       arguments: [recordedBy])
    }
}

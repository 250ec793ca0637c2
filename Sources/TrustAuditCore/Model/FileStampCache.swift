/// Workflow files of earlier scans that need not be read again.
///
/// For each file read from disk, the database keeps the stamp it had when read (`FileStamp`),
/// its content's hash and the local actions its text uses (`file_stamps`, migration 0021). A
/// nightly scan of an organization where little changed then reads only the files whose stamp
/// changed: the others are known by hash, and their facts are stored already. A file is skipped
/// only when its content's facts are stored and current; `--reread-files` turns the cache off.
public struct FileStampCache: Sendable {
    /// What was recorded about one path.
    struct Entry: Sendable, Equatable {
        var stamp: FileStamp
        var hash: String
        /// The `uses: ./…` references in the file's text (`LocalActionCollector.references`).
        var localActions: [String]
    }

    /// A path as opened (bytes: a name need not be UTF-8), hashed in one pass: an array of bytes
    /// hashes byte by byte, and every file of a nightly scan is looked up here.
    struct Key: Hashable, Sendable {
        var bytes: [UInt8]

        static func == (lhs: Key, rhs: Key) -> Bool { lhs.bytes == rhs.bytes }

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// By the file's path as opened; only files whose content's facts are stored and current.
    var entries: [Key: Entry]
    /// Nanoseconds since 1970: a file that changed after this is not recorded
    /// (`FileStamp.settleNanoseconds`).
    var settledBefore: Int64

    /// The recorded entry for `path` when the file is unchanged since, and its facts are stored.
    /// Costs one `lstat` (of `name` in the open `directory` when given, which spares walking the
    /// whole path), and none for a path never recorded (a cold scan).
    func unchanged(_ path: [UInt8], directory: Int32 = -1, name: [UInt8] = []) -> Entry? {
        guard let entry = entries[Key(bytes: path)],
              let stamp = directory >= 0 ? FileStamp.of(name, in: directory) : FileStamp.of(path), stamp == entry.stamp
        else { return nil }
        return entry
    }

    /// Only the entries whose content is in `hashes`: those whose facts are stored and current.
    /// Usually all of them are, so the entries are removed in place rather than copied.
    func restricted(to hashes: Set<String>) -> FileStampCache {
        var result = self
        for (key, entry) in entries where !hashes.contains(entry.hash) {
            result.entries.removeValue(forKey: key)
        }
        return result
    }

    /// Whether any file is recorded at all.
    var isEmpty: Bool { entries.isEmpty }

    /// Whether a file read now with `stamp` may be recorded.
    func mayRecord(_ stamp: FileStamp) -> Bool {
        stamp.changed(before: settledBefore)
    }
}

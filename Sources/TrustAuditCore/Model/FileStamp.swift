import Foundation

/// What the file system says about a file without reading it: which file it is (device and
/// inode), its size, and when its content (mtime) and its inode (ctime) last changed.
///
/// Two equal stamps mean the file was not written in between, as far as the file system can
/// tell: any write changes ctime, which no program can set back (`touch` and `cp -p` set mtime
/// only), and replacing the file changes the inode. `FileStampCache` relies on this to skip
/// reading files that are unchanged since an earlier scan, as git does for its index.
public struct FileStamp: Hashable, Sendable {
    public var device: Int64
    public var inode: Int64
    public var size: Int64
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64

    public init(device: Int64, inode: Int64, size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
    }

    init(_ info: stat) {
        self.init(device: Int64(truncatingIfNeeded: info.st_dev), inode: Int64(truncatingIfNeeded: info.st_ino),
                  size: Int64(info.st_size),
                  modifiedNanoseconds: Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec),
                  changedNanoseconds: Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec))
    }

    /// The stamp of `path` (relative to the open folder `directory`, else a whole path) when it
    /// is a regular file; a symlink is not followed.
    static func of(_ path: [UInt8], in directory: Int32 = AT_FDCWD) -> FileStamp? {
        var info = stat()
        guard fstatat(directory, RegularFileReader.cString(path), &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG
        else { return nil }
        return FileStamp(info)
    }

    /// Whether the file last changed before `time` (nanoseconds since 1970).
    func changed(before time: Int64) -> Bool {
        max(modifiedNanoseconds, changedNanoseconds) < time
    }

    /// How long before a scan starts a file must have last changed for the scan to record it.
    ///
    /// A file written in the same clock tick as it was read could change again without its times
    /// changing on a file system with coarse timestamps; such a stamp is not trusted, and the file
    /// is read again next time. Two seconds: the coarsest timestamps in common use (FAT) tick
    /// every two seconds.
    static let settleNanoseconds: Int64 = 2_000_000_000

    /// The wall clock now, in the file system's terms.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }
}

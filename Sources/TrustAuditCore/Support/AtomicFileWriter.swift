import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file piece by piece through a temporary sibling that is renamed over the path once
/// every piece is written: a reader never sees half a report, a failed write (a full disk, an
/// error while rendering) leaves whatever file was there before, and a report of tens of
/// megabytes need not be held whole in memory first. A path that is not a regular file
/// (`/dev/stdout`, a named pipe) is written in place; a symlink is kept, and the file it points
/// to is replaced.
public enum AtomicFileWriter {
    /// Calls `body` with a function that appends bytes to the file, then puts the file in place.
    /// Errors name `path`; the temporary file is removed on any failure.
    public static func write(to path: String, _ body: (_ append: ([UInt8]) throws -> Void) throws -> Void) throws {
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG && (status.st_mode & S_IFMT) != S_IFDIR {
            try writeInPlace(to: path, body)
            return
        }
        // A report path that is a symlink (to where a web server publishes reports, say) stays one:
        // the file it points to is replaced, not the link.
        var link = stat()
        let isLink = lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK
        let url = isLink ? URL(fileURLWithPath: path).resolvingSymlinksInPath() : URL(fileURLWithPath: path)
        let target = url.path
        let folder = url.deletingLastPathComponent().path
        // Created like any file the user writes (0666 less the umask), under a name no other
        // writer picks: O_EXCL fails rather than share a file with a concurrent run.
        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<8 where descriptor < 0 {
            temporary = "\(folder)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor < 0 && errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw OutputWriteError(destination: path, reason: String(cString: strerror(errno))) }
        var closed = false
        var placed = false
        defer {
            if !closed { close(descriptor) }
            if !placed { unlink(temporary) }
        }
        try body(appender(descriptor, path: path))
        closed = true
        guard close(descriptor) == 0 else { throw OutputWriteError(destination: path, reason: String(cString: strerror(errno))) }
        guard rename(temporary, target) == 0 else { throw OutputWriteError(destination: path, reason: String(cString: strerror(errno))) }
        placed = true
    }

    /// `/dev/stdout`, a named pipe, a process substitution: not renamed over, written as it is.
    private static func writeInPlace(to path: String, _ body: (_ append: ([UInt8]) throws -> Void) throws -> Void) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputWriteError(destination: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        try body(appender(descriptor, path: path))
    }

    /// Appends to `descriptor`; a failed write names `path`.
    private static func appender(_ descriptor: Int32, path: String) -> ([UInt8]) throws -> Void {
        { bytes in
            if let reason = StandardStreams.write(bytes, to: descriptor) {
                throw OutputWriteError(destination: path, reason: reason)
            }
        }
    }
}

import Foundation

/// Reads workflow files, exports and policy files the same careful way, whoever asks.
enum RegularFileReader {
    /// Why a file could not be read, in words.
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// Reads a regular file, never blocking (a FIFO named `x.yml` must not hang a scan) and
    /// never reading more than `limit` bytes. Without `followingSymlinks`, a symlink returns nil
    /// so that the caller decides whether to follow it.
    static func read(_ path: [UInt8], followingSymlinks: Bool, limit: Int?) -> Result<[UInt8], Failure>? {
        readWithStatus(path, followingSymlinks: followingSymlinks, limit: limit)?.map(\.bytes)
    }

    /// `read`, with the file's status taken before its bytes were read: if the file changes while
    /// it is read, the status is older than the content, so a stamp made from it never stands for
    /// the new content.
    static func readWithStatus(_ path: [UInt8], followingSymlinks: Bool, limit: Int?) -> Result<(bytes: [UInt8], status: stat), Failure>? {
        var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
        if !followingSymlinks { flags |= O_NOFOLLOW }
        let descriptor = open(cString(path), flags)
        guard descriptor >= 0 else {
            if errno == ELOOP && !followingSymlinks { return nil }
            return .failure(Failure(reason: "cannot open the file: \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            return .failure(Failure(reason: "cannot read the file: \(String(cString: strerror(errno)))"))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .failure(Failure(reason: "not a regular file (\(fileType(info.st_mode)))"))
        }
        let size = Int(info.st_size)
        if let limit, size > limit {
            return .failure(Failure(reason: "file is \(size) bytes, over the \(limit)-byte limit for a workflow"))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Foundation.read(descriptor, base + offset, size - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(reason: "cannot read the file: \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            offset += count
        }
        return .success((Array(bytes[0..<offset]), info))
    }

    /// A path's bytes as the NUL-terminated C string the file system calls take.
    static func cString(_ path: [UInt8]) -> [CChar] {
        path.map { CChar(bitPattern: $0) } + [0]
    }

    static func fileType(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a named pipe"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a folder"
        default: return "not a file"
        }
    }
}

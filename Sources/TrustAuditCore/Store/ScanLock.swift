import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One scan at a time per database: an advisory lock on `<database>.lock`.
///
/// SQLite would serialize the writes anyway, but a scan holds its write transaction for as long
/// as parsing takes, longer than any busy timeout; a second scan started meanwhile waits here
/// with a message instead of failing with "database is locked". The kernel drops the lock when
/// the process dies, so a killed scan never blocks the next one.
public final class ScanLock: @unchecked Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static func acquire(databasePath: String, onWait: (String) -> Void) throws -> ScanLock {
        try acquire(lockFile: databasePath + ".lock",
                    waitMessage: "another trustaudit scan is writing to \(databasePath); waiting for it to finish…", onWait: onWait)
    }

    /// The same lock on another file, for critical sections other than a whole scan.
    static func acquire(lockFile path: String, waitMessage: String, onWait: (String) -> Void) throws -> ScanLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw AuditDatabaseError.cannotOpen(path: path, reason: "cannot create the scan lock file: \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            onWait(waitMessage)
            while flock(descriptor, LOCK_EX) != 0 {
                if errno != EINTR {
                    close(descriptor)
                    throw AuditDatabaseError.cannotOpen(path: path, reason: "cannot lock: \(String(cString: strerror(errno)))")
                }
            }
        }
        return ScanLock(descriptor: descriptor)
    }

    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

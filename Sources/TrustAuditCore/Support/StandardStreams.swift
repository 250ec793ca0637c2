import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why standard output (or a report file) could not be written: a full disk, `/dev/full`, a
/// closed pipe. The command stops with exit code 2 rather than claiming a report it did not write.
public struct OutputWriteError: Error, Sendable, CustomStringConvertible {
    public var destination: String
    public var reason: String

    public var description: String {
        "cannot write to \(destination): \(reason)"
    }
}

/// Writes to standard output and standard error with `write(2)`, reporting failures.
///
/// Foundation's `FileHandle.write(_:)` traps when the write fails (a full disk, `/dev/full`), and
/// `print` drops the error; neither is acceptable for a report a pipeline relies on.
public enum StandardStreams {
    /// Writes all of `text` to standard output, or throws why it could not.
    public static func writeOutput(_ text: String) throws {
        if let reason = write(text, to: STDOUT_FILENO) {
            throw OutputWriteError(destination: "standard output", reason: reason)
        }
    }

    /// Writes all of `bytes` to standard output, or throws why it could not.
    public static func writeOutput(_ bytes: [UInt8]) throws {
        if let reason = write(bytes, to: STDOUT_FILENO) {
            throw OutputWriteError(destination: "standard output", reason: reason)
        }
    }

    /// Writes to standard error; a failure there has nowhere to be reported, so it is ignored.
    public static func writeError(_ text: String) {
        _ = write(text, to: STDERR_FILENO)
    }

    private static func write(_ text: String, to descriptor: Int32) -> String? {
        write(Array(text.utf8), to: descriptor)
    }

    /// Writes every byte, retrying on interruption; returns the error text on failure.
    static func write(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                #if canImport(Glibc)
                return Glibc.write(descriptor, base + offset, buffer.count - offset)
                #else
                return Darwin.write(descriptor, base + offset, buffer.count - offset)
                #endif
            }
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            if written == 0 { return "the write made no progress" }
            offset += written
        }
        return nil
    }
}

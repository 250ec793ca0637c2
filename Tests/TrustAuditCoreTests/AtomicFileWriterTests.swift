import Foundation
import Testing
@testable import TrustAuditCore

@Suite("Atomic file writer")
struct AtomicFileWriterTests {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private struct RenderFailed: Error {}

    /// A fresh folder holding `report.json` with `earlier` in it, removed after `body`.
    private func withEarlierReport(_ earlier: String, _ body: (_ dir: URL, _ path: String) throws -> Void) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("report.json").path
        try Data(earlier.utf8).write(to: URL(fileURLWithPath: path))
        try body(dir, path)
    }

    @Test("pieces land in order in the file, replacing the earlier one, with no temporary file left")
    func writesPieces() throws {
        try withEarlierReport("old") { dir, path throws in
            try AtomicFileWriter.write(to: path) { append in
                try append(Array("{\"a\":".utf8))
                try append([])
                try append(Array("1}".utf8))
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.json"])
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            // Readable like any file the user writes (the tests run under a umask that keeps
            // reading open), not only by its owner.
            #expect(mode & 0o044 == 0o044, "mode \(String(mode, radix: 8))")
        }
    }

    @Test("a failure while writing leaves the earlier file as it was and removes the partial one")
    func failureKeepsEarlierFile() throws {
        try withEarlierReport("last night") { dir, path throws in
            #expect(throws: RenderFailed.self) {
                try AtomicFileWriter.write(to: path) { append in
                    try append(Array("half a rep".utf8))
                    throw RenderFailed()
                }
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "last night")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.json"])
        }
    }

    @Test("a path that is a symlink stays one: the file it points to is replaced")
    func symlinkKept() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let published = dir.appendingPathComponent("published")
        try FileManager.default.createDirectory(at: published, withIntermediateDirectories: true)
        let target = published.appendingPathComponent("report.json")
        try Data("last night".utf8).write(to: target)
        let link = dir.appendingPathComponent("report.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        try AtomicFileWriter.write(to: link.path) { append in try append(Array("tonight".utf8)) }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8) == "tonight")
        #expect(try FileManager.default.contentsOfDirectory(atPath: published.path) == ["report.json"])
    }

    @Test("a folder that does not exist is an error naming the path")
    func missingFolder() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)/report.json").path
        do {
            try AtomicFileWriter.write(to: path) { append in try append([1]) }
            Issue.record("expected an error")
        } catch let error as OutputWriteError {
            #expect(error.destination == path)
            #expect(error.description.contains("No such file"))
        }
    }

    @Test("a path that is not a regular file, such as /dev/null, is written in place")
    func specialFile() throws {
        try AtomicFileWriter.write(to: "/dev/null") { append in try append(Array("discarded".utf8)) }
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
    }
}

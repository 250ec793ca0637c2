import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// A nightly scan reads only the workflow files whose stamp (inode, size, times) changed since
/// an earlier scan; every other change is still seen.
@Suite("File stamps: unchanged files are not read again")
struct FileStampCacheTests {
    /// Scans `fixture`'s org, recording every file read (as if they had settled long ago) unless
    /// `recordNow` is false, or reading everything with `reread`.
    func scan(_ fixture: HistoryFixture, recordNow: Bool = true, reread: Bool = false) throws -> ScanOutcome {
        let plan = ScanPlan(paths: [fixture.org.path], policies: TestSupport.builtInPolicies())
        var request = plan.request(try plan.readInputs())
        request.rereadFiles = reread
        if recordNow { request.filesSettledBefore = FileStamp.now() + 60_000_000_000 }
        return try ScanPipeline(database: fixture.database).run(request)
    }

    /// Runs `body` on the standard two-repository org, written in a fresh folder.
    func withStandardOrg(_ body: (HistoryFixture) throws -> Void) throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            try body(fixture)
        }
    }

    func stampedPaths(_ database: AuditDatabase) throws -> [String] {
        try database.pool.read { db in
            try Data.fetchAll(db, sql: "SELECT path FROM file_stamps ORDER BY path").map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test("the files a scan read are recorded, and the next scan takes them from the record without reading them")
    func unchangedFilesAreNotRead() throws {
        try withStandardOrg { fixture in
            let first = try scan(fixture)
            let checked1 = try stampedPaths(fixture.database).map { $0.hasSuffix(".yml") } == [true, true, true, true]
            #expect(checked1)
            let known = try fixture.database.pool.read { db in
                try FileStampStore.load(db, settledBefore: 0).restricted(to: Set(try String.fetchAll(db, sql: "SELECT hash FROM blobs")))
            }
            let web = try RepositoryDiscovery.discover(paths: [fixture.org.path], owner: nil).first { $0.fullName == "acme/web" }
            let required2 = web.map { RepositoryDiscovery.snapshot(of: $0, cache: known) }
            let snapshot = try #require(required2)
            #expect(snapshot.files.count == 2)
            let checked3 = snapshot.files.allSatisfy { file in file.unchangedHash != nil && (try? file.content.get()) == [] }
            #expect(checked3)
            let second = try scan(fixture)
            #expect(second.reusedSnapshot && second.parsedFiles == 0)
            #expect(second.findings.map(\.fingerprint) == first.findings.map(\.fingerprint))
        }
    }

    @Test("what the record says is what the scan uses: a record naming other content stands until --reread-files")
    func theRecordIsTrustedUntilReread() throws {
        try withStandardOrg { fixture in
            let first = try scan(fixture)
            let checked4 = first.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked4)
            // Point web/ci.yml's record at web/test.yml's content: a scan that still read the
            // file would see write-all, one that trusts the record cannot.
            try fixture.database.pool.write { db in
                try db.execute(sql: """
                    UPDATE file_stamps SET hash = (SELECT hash FROM file_stamps WHERE CAST(path AS TEXT) LIKE '%/web/.github/workflows/test.yml')
                    WHERE CAST(path AS TEXT) LIKE '%/web/.github/workflows/ci.yml'
                    """)
            }
            let trusted = try scan(fixture)
            let checked5 = !trusted.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked5)
            let reread = try scan(fixture, reread: true)
            let checked6 = reread.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked6)
        }
    }

    @Test("a file rewritten at the same size with its modification time set back is read again (its ctime moved)")
    func rewrittenFileWithRestoredTimeIsRead() throws {
        try withStandardOrg { fixture in
            let first = try scan(fixture)
            let checked7 = first.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked7)
            let file = fixture.org.appendingPathComponent("web/.github/workflows/ci.yml").path
            var before = stat()
            #expect(stat(file, &before) == 0)
            let text = writeAllWorkflow.replacingOccurrences(of: "permissions: write-all", with: "permissions: read-all ")
            #expect(text.utf8.count == writeAllWorkflow.utf8.count)
            // In place: same inode, same size, and the old modification time put back.
            let descriptor = open(file, O_WRONLY | O_TRUNC)
            #expect(descriptor >= 0)
            let checked8 = Array(text.utf8).withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) } == text.utf8.count
            #expect(checked8)
            close(descriptor)
            var times = [before.st_atim, before.st_mtim]
            #expect(utimensat(AT_FDCWD, file, &times, 0) == 0)
            let second = try scan(fixture)
            #expect(!second.reusedSnapshot && second.parsedFiles == 1)
            let checked9 = !second.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked9)
        }
    }

    @Test("a file replaced by another (a new inode), and a file added, are read")
    func replacedAndAddedFilesAreRead() throws {
        try withStandardOrg { fixture in
            _ = try scan(fixture)
            let folder = fixture.org.appendingPathComponent("web/.github/workflows")
            let replacement = folder.appendingPathComponent("ci.yml.new")
            try Data(cleanWorkflow.utf8).write(to: replacement)
            #expect(rename(replacement.path, folder.appendingPathComponent("ci.yml").path) == 0)
            try fixture.write(writeAllWorkflow, "api", "extra.yml")
            let second = try scan(fixture)
            let checked10 = !second.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked10)
            let checked11 = second.findings.contains { $0.policy == "permissions-write-all" && $0.file == ".github/workflows/extra.yml" }
            #expect(checked11)
            #expect(try stampedPaths(fixture.database).count == 5)
        }
    }

    @Test("files that changed within the settling margin are not recorded; --reread-files records nothing")
    func recentFilesAreNotRecorded() throws {
        try withStandardOrg { fixture in
            _ = try scan(fixture, recordNow: false)
            #expect(try stampedPaths(fixture.database).isEmpty)
            _ = try scan(fixture, reread: true)
            #expect(try stampedPaths(fixture.database).isEmpty)
        }
    }

    @Test("a record another build made is not used, and prune removes it")
    func recordsOfAnotherBuildAreIgnored() throws {
        try withStandardOrg { fixture in
            _ = try scan(fixture)
            // Pointed at other content and marked as another build's: a scan that used it would
            // lose web/ci.yml's write-all finding.
            try fixture.database.pool.write { db in
                try db.execute(sql: """
                    UPDATE file_stamps SET hash = (SELECT hash FROM file_stamps WHERE CAST(path AS TEXT) LIKE '%/web/.github/workflows/test.yml'),
                                           recorded_by = 'an older build'
                    WHERE CAST(path AS TEXT) LIKE '%/web/.github/workflows/ci.yml'
                    """)
            }
            let second = try scan(fixture)
            let checked12 = second.findings.contains { $0.policy == "permissions-write-all" && $0.repository == "acme/web" }
            #expect(checked12)
            try fixture.database.pool.write { db in
                try db.execute(sql: "UPDATE file_stamps SET recorded_by = 'an older build' WHERE CAST(path AS TEXT) LIKE '%/api/%'")
            }
            _ = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            #expect(try stampedPaths(fixture.database).count == 2)
        }
    }

    @Test("a record whose content is no longer stored is not used, and prune removes it")
    func orphanedRecordsAreIgnoredAndPruned() throws {
        try withStandardOrg { fixture in
            let first = try scan(fixture)
            try fixture.database.pool.write { db in
                try db.execute(sql: "UPDATE file_stamps SET hash = 'gone' WHERE CAST(path AS TEXT) LIKE '%/web/.github/workflows/ci.yml'")
            }
            let second = try scan(fixture)
            #expect(second.findings.map(\.fingerprint) == first.findings.map(\.fingerprint))
            try fixture.database.pool.write { db in
                try db.execute(sql: "UPDATE file_stamps SET hash = 'gone' WHERE CAST(path AS TEXT) LIKE '%/api/.github/workflows/ci.yml'")
            }
            _ = try Retention.prune(database: fixture.database, keep: 1, olderThan: nil)
            #expect(try stampedPaths(fixture.database).count == 3)
        }
    }
}

import Foundation
import Testing
@testable import TrustAuditCore

/// Two folders naming one GitHub repository (names compared without case) are read once, and the
/// other is reported, never merged into the first or dropped in silence.
@Suite struct RepositoryTwinsTests {
    static func workflow(job: String) -> String {
        """
        on: push
        jobs:
          \(job):
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - run: echo deploy

        """
    }

    @Test("folders whose names differ only in case: the first is read, the other is a coverage problem")
    func caseTwins() throws {
        try TestSupport.withTemporaryDirectory { work in
            try TestSupport.write(Self.workflow(job: "upper"), to: "repos/acme/API/.github/workflows/deploy.yml", in: work)
            try TestSupport.write(Self.workflow(job: "lower"), to: "repos/acme/api/.github/workflows/deploy.yml", in: work)
            let database = try TestSupport.openDatabase(in: work)
            let outcome = try TestSupport.scan([work.appendingPathComponent("repos")], database: database)
            #expect(outcome.repositories == 1)
            let repositories = Set(outcome.findings.compactMap(\.repository))
            #expect(repositories == ["acme/API"])
            let jobs = Set(outcome.findings.compactMap(\.job))
            #expect(jobs == ["upper"])
            let twin = outcome.coverage.filter { $0.document == "acme/API" && $0.detail.contains("repos/acme/api") }
            #expect(twin.count == 1)
            let explained = twin.first?.detail.contains("differs only in case") ?? false
            #expect(explained, "\(twin)")
        }
    }

    @Test("two checkouts of one repository: the second is reported, not merged into the first")
    func sameNameTwice() throws {
        try TestSupport.withTemporaryDirectory { work in
            try TestSupport.write(Self.workflow(job: "first"), to: "one/acme/api/.github/workflows/deploy.yml", in: work)
            try TestSupport.write(Self.workflow(job: "second"), to: "two/acme/api/.github/workflows/deploy.yml", in: work)
            try TestSupport.write(Self.workflow(job: "extra"), to: "two/acme/api/.github/workflows/extra.yml", in: work)
            let database = try TestSupport.openDatabase(in: work)
            let outcome = try TestSupport.scan([work.appendingPathComponent("one"), work.appendingPathComponent("two")],
                                               database: database)
            #expect(outcome.workflowFiles == 1)
            let jobs = Set(outcome.findings.compactMap(\.job))
            #expect(jobs == ["first"])
            let twin = outcome.coverage.filter { $0.document == "acme/api" && $0.detail.contains("two/acme/api") }
            #expect(twin.count == 1)
            let explained = twin.first?.detail.contains("has the same name") ?? false
            #expect(explained, "\(twin)")
        }
    }
}

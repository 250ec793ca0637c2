import Foundation
import Testing
@testable import TrustAuditCore

/// Runs the parser over the shared real-world corpus (771 workflow files from public
/// repositories), when it is present next to the package. It is reference data, not a fixture:
/// the suite skips cleanly when `../shared/corpus` does not exist.
enum Corpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TrustAuditCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/corpus")

    static var isPresent: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Every `*.yml`/`*.yaml` file of the corpus's sets, sorted by name.
    static func files() throws -> [URL] {
        var result: [URL] = []
        for set in ["general", "octopus"] {
            let folder = root.appendingPathComponent(set)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            for name in names where name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
                result.append(folder.appendingPathComponent(name))
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }
}

@Suite(.enabled(if: Corpus.isPresent, "needs ../shared/corpus"))
struct CorpusTests {
    @Test func everyFileParsesOrFailsWithAReason() throws {
        let files = try Corpus.files()
        #expect(files.count >= 700)
        let results = LargeStackRunner.map(files, threads: 2) { url -> (String, WorkflowParseResult?) in
            (url.lastPathComponent, try? WorkflowParser.parse(bytes: Corpus.bytes(url)))
        }
        var failures: [(String, WorkflowParseFailure)] = []
        for (name, result) in results {
            guard let result else {
                Issue.record("could not read \(name)")
                continue
            }
            switch result {
            case .parsed(let facts):
                // A parsed workflow names its jobs; a file with `jobs:` that yields none is suspicious.
                #expect(!facts.jobs.isEmpty, "\(name) parsed to zero jobs")
                #expect(!facts.triggers.isEmpty, "\(name) parsed to zero triggers")
            case .failed(let failure):
                #expect(!failure.reason.isEmpty, "\(name) failed without a reason")
                failures.append((name, failure))
            }
        }
        for (name, failure) in failures {
            print("corpus failure: \(name): \(failure)")
        }
        print("corpus: \(files.count) files, \(files.count - failures.count) parsed, \(failures.count) failed")
        // The corpus holds 15 files with broken YAML (PyYAML rejects the same 15); no more, and
        // none refused by our own guards: every failure must be libyaml's syntax error.
        #expect(failures.count <= 20, "too many corpus files fail to parse")
        for (name, failure) in failures {
            #expect(failure.reason.hasPrefix("invalid YAML:"), "\(name) refused by a guard: \(failure)")
            #expect(failure.line != nil, "\(name) failed without a line")
        }
    }
}

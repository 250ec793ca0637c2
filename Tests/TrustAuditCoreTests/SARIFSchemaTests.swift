import Foundation
import Testing
@testable import TrustAuditCore

/// The SARIF report validated against the official SARIF 2.1.0 JSON schema
/// (`../shared/schemas/sarif-schema-2.1.0.json`, next to the package) with Python's `jsonschema`.
/// Skipped, with the reason, when the schema or the validator is not available.
@Suite("SARIF schema", .enabled(if: SARIFValidator.availability.ready, "\(SARIFValidator.availability.reason)"))
struct SARIFSchemaTests {
    @Test("the whole-scan, --repo and per-repository SARIF documents are valid SARIF 2.1.0")
    func validAgainstSchema() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            var files: [URL] = []
            func save(_ text: String, _ name: String) throws {
                let url = fixture.root.appendingPathComponent(name)
                try Data(text.utf8).write(to: url)
                files.append(url)
            }
            try save(AuditSARIFReport.render(data), "all.sarif")
            try save(AuditSARIFReport.render(data, repository: "acme/web"), "web.sarif")
            for file in AuditSARIFReport.renderPerRepository(data) { try save(file.text, "split-" + file.fileName) }
            // A scan with no findings at all is valid too (an empty results array).
            var empty = data
            empty.findings = []
            try save(AuditSARIFReport.render(empty), "empty.sarif")
            let problems = try SARIFValidator.validate(files)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("the validator really rejects an invalid document (the check is not vacuous)")
    func validatorRejects() throws {
        try TestSupport.withTemporaryDirectory { root in
            let url = root.appendingPathComponent("bad.sarif")
            try Data(#"{"version": "2.1.0", "runs": [{"results": [{"message": {}}]}]}"#.utf8).write(to: url)
            #expect(!(try SARIFValidator.validate([url])).isEmpty)
        }
    }
}

/// Finds the schema and Python's jsonschema, and runs the validation in a subprocess.
enum SARIFValidator {
    static let schema: URL = TestSupport.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/schemas/sarif-schema-2.1.0.json")

    static let availability: (ready: Bool, reason: String) = {
        guard FileManager.default.fileExists(atPath: schema.path) else {
            return (false, "skipped: no SARIF schema at \(schema.path)")
        }
        guard let result = try? python(["-c", "import jsonschema"]), result.status == 0 else {
            return (false, "skipped: python3 with the jsonschema module is not available")
        }
        return (true, "")
    }()

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sarif-check-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    /// Validates each file against the schema; returns the validator's messages (empty when valid).
    static func validate(_ files: [URL]) throws -> String {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            cls = jsonschema.validators.validator_for(schema)
            bad = 0
            for path in sys.argv[2:]:
                for error in cls(schema).iter_errors(json.load(open(path))):
                    bad += 1
                    print(path, "/".join(str(p) for p in error.absolute_path), error.message[:300])
            sys.exit(1 if bad else 0)
            """
        let result = try python(["-c", script, schema.path] + files.map(\.path))
        return result.status == 0 ? "" : result.output
    }
}

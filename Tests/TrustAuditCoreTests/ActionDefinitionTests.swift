import Foundation
import Testing
import Yams

/// The composite action at the repository root (`action.yml`): its inputs are all used, the
/// options its scripts pass exist in the CLI, and its scan and report steps, run by bash the way a
/// runner runs them, scan the demo organization, keep the database for the next run and write
/// the SARIF and HTML reports its outputs name.
@Suite("action.yml", .enabled(if: CLI.executable != nil, "the trustaudit executable was not found in the build folder"))
struct ActionDefinitionTests {
    struct Step {
        var id: String?
        var name: String
        var run: String?
        var env: [String: String]
    }

    static let definitionURL = TestSupport.packageRoot.appendingPathComponent("action.yml")

    static func load() throws -> (inputs: [String: String], outputs: [String: String], steps: [Step]) {
        let text = try String(contentsOf: definitionURL, encoding: .utf8)
        guard let root = try Yams.load(yaml: text) as? [String: Any],
              let inputs = root["inputs"] as? [String: [String: Any]],
              let outputs = root["outputs"] as? [String: [String: Any]],
              let runs = root["runs"] as? [String: Any],
              let steps = runs["steps"] as? [[String: Any]] else {
            throw ActionDefinitionError.shape
        }
        #expect(runs["using"] as? String == "composite")
        return (
            inputs.mapValues { "\($0["default"] ?? "")" },
            outputs.mapValues { "\($0["value"] ?? "")" },
            steps.map { step in
                Step(id: step["id"] as? String, name: step["name"] as? String ?? "",
                     run: step["run"] as? String,
                     env: (step["env"] as? [String: Any] ?? [:]).mapValues { "\($0)" })
            })
    }

    static func step(_ id: String, in steps: [Step]) throws -> Step {
        guard let step = steps.first(where: { $0.id == id }) else { throw ActionDefinitionError.missingStep(id) }
        return step
    }

    @Test("every declared input is used, every used input is declared, and the outputs come from real steps")
    func inputsAndOutputs() throws {
        let (inputs, outputs, steps) = try Self.load()
        let text = try String(contentsOf: Self.definitionURL, encoding: .utf8)
        let runsText = String(text[text.range(of: "\nruns:")!.lowerBound...])
        let used = Set(runsText.matches(of: /inputs\.([a-z0-9-]+)/).map { String($0.1) })
        #expect(used == Set(inputs.keys))
        for required in ["org", "sources", "config", "fail-on"] {
            #expect(inputs[required] != nil, "input \(required)")
        }
        let stepIDs = Set(steps.compactMap(\.id))
        for (name, value) in outputs {
            let match = try #require(value.firstMatch(of: /steps\.([a-z0-9-]+)\.outputs\.([a-z0-9-]+)/), "output \(name)")
            #expect(stepIDs.contains(String(match.1)), "output \(name) reads step \(match.1)")
        }
        #expect(outputs["sarif"] != nil && outputs["html"] != nil)
    }

    @Test("every option the scripts pass to trustaudit is one the command accepts")
    func optionsExist() throws {
        let (_, _, steps) = try Self.load()
        let help = try ["scan", "report", "drift"].reduce(into: [String: String]()) { help, command in
            let result = try CLI.run([command, "--help"], in: TestSupport.packageRoot)
            #expect(result.status == 0)
            help[command] = result.stdout
        }
        let scan = try Self.step("scan", in: steps).run ?? ""
        let scanOptions = Set(scan.matches(of: /(--[a-z][a-z-]+)/).map { String($0.1) })
        #expect(scanOptions.isSuperset(of: ["--github-org", "--config", "--fail-on", "--fail-on-new", "--output"]))
        for option in scanOptions {
            #expect(help["scan"]!.contains(option + " "), "trustaudit scan has no \(option)")
        }
        let report = try Self.step("report", in: steps).run ?? ""
        for line in report.split(separator: "\n") where line.contains("trustaudit ") {
            let command = line.contains("trustaudit drift") ? "drift" : "report"
            for match in line.matches(of: /(--[a-z][a-z-]+)/) {
                #expect(help[command]!.contains(String(match.1) + " "), "trustaudit \(command) has no \(match.1)")
            }
        }
    }

    @Test("the scan and report steps scan the demo, fail on its high findings, keep the database and write SARIF and HTML")
    func stepsRun() throws {
        let (inputs, _, steps) = try Self.load()
        let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme").path
        try CLI.inTemporaryDirectory { runner in
            let temp = runner.appendingPathComponent("runner-temp")
            let workspace = runner.appendingPathComponent("workspace")
            try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)

            func run(_ id: String, _ given: [String: String], scanOutputs: [String: String] = [:]) throws -> (CLI.Result, [String: String]) {
                let step = try Self.step(id, in: steps)
                let outputFile = runner.appendingPathComponent("output-\(id)")
                FileManager.default.createFile(atPath: outputFile.path, contents: nil)
                var environment = try step.env.mapValues { value in
                    try Self.expand(value, inputs: inputs.merging(given) { _, new in new },
                                    context: ["runner.temp": temp.path, "github.workspace": workspace.path,
                                              "steps.scan.outputs.exit-code": scanOutputs["exit-code"] ?? ""])
                }
                environment["PATH"] = CLI.executable!.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
                environment["GITHUB_OUTPUT"] = outputFile.path
                environment["GITHUB_STEP_SUMMARY"] = runner.appendingPathComponent("summary.md").path
                environment["RUNNER_TEMP"] = temp.path
                environment["GITHUB_WORKFLOW"] = "nightly"
                let result = try CLI.run(["-c", try #require(step.run)], in: workspace, environment: environment,
                                         executable: URL(fileURLWithPath: "/bin/bash"))
                var outputs: [String: String] = [:]
                for line in try String(contentsOf: outputFile, encoding: .utf8).split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { outputs[String(parts[0])] = String(parts[1]) }
                }
                return (result, outputs)
            }

            let (first, firstOutputs) = try run("scan", ["sources": demo, "fail-on": "high"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(firstOutputs["exit-code"] == "1", "the demo has high findings: \(first.stdout) \(first.stderr)")
            #expect(FileManager.default.fileExists(atPath: temp.appendingPathComponent("trustaudit-state/trustaudit.db").path))

            let (report, reportOutputs) = try run("report", [:])
            #expect(report.status == 0, "\(report.stderr)")
            let sarifPath = try #require(reportOutputs["sarif"])
            let htmlPath = try #require(reportOutputs["html"])
            let sarif = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarifPath))) as? [String: Any]
            let results = ((sarif?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]]) ?? []
            #expect(!results.isEmpty)
            let uris = results.compactMap { (($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any] }
                .compactMap { $0["uri"] as? String }
            let checked1 = !uris.isEmpty && uris.allSatisfy { $0.hasPrefix("acme/") }
            #expect(checked1, "\(uris.prefix(3))")
            #expect(try String(contentsOfFile: htmlPath, encoding: .utf8).contains("<html"))

            let (verdict, _) = try run("verdict", [:], scanOutputs: firstOutputs)
            #expect(verdict.status == 1)

            // The next night: same database, nothing new at or above high, and no fail-on.
            let (second, secondOutputs) = try run("scan", ["sources": demo])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(secondOutputs["exit-code"] == "0", "\(second.stdout) \(second.stderr)")
        }
    }

    /// Replaces `${{ inputs.NAME }}` and the few contexts the steps read; anything else is an error,
    /// so a step that starts reading a new context gets this test's attention.
    static func expand(_ value: String, inputs: [String: String], context: [String: String]) throws -> String {
        var result = ""
        var rest = value[...]
        while let open = rest.range(of: "${{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw ActionDefinitionError.expression(value) }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if expression.hasPrefix("inputs."), let input = inputs[String(expression.dropFirst("inputs.".count))] {
                result += input
            } else if let known = context[expression] {
                result += known
            } else {
                throw ActionDefinitionError.expression(expression)
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

enum ActionDefinitionError: Error {
    case shape
    case missingStep(String)
    case expression(String)
}

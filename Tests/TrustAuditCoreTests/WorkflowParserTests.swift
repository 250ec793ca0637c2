import Foundation
import Testing
@testable import TrustAuditCore

struct WorkflowParserTriggerTests {
    @Test func scalarTrigger() throws {
        let facts = try #require(parsed("on: push\njobs: {}\n"))
        #expect(facts.triggers == [TriggerFact(event: "push", line: 1)])
    }

    @Test func listTrigger() throws {
        let facts = try #require(parsed("on: [push, pull_request]\njobs: {}\n"))
        #expect(facts.triggers == [TriggerFact(event: "push", line: 1), TriggerFact(event: "pull_request", line: 1)])
    }

    @Test func blockListTrigger() throws {
        let facts = try #require(parsed("on:\n  - push\n  - workflow_dispatch\njobs: {}\n"))
        #expect(facts.triggers == [TriggerFact(event: "push", line: 2), TriggerFact(event: "workflow_dispatch", line: 3)])
    }

    @Test func mappingWithFilters() throws {
        let yaml = """
            name: ci
            on:
              push:
                branches: [main, 'release/**']
                branches-ignore: [wip]
                tags:
                  - v*
                tags-ignore: [v0*]
                paths: [src/**]
              pull_request:
                types: [opened, synchronize]
              pull_request_target:
                branches: main
                types: labeled
              workflow_dispatch:
              schedule:
                - cron: '0 0 * * *'
                - cron: '0 12 * * *'
            jobs: {}
            """
        let facts = try #require(parsed(yaml))
        #expect(facts.name == "ci")
        #expect(facts.triggers == [
            TriggerFact(event: "push", line: 3, branches: ["main", "release/**"], branchesIgnore: ["wip"],
                        tags: ["v*"], tagsIgnore: ["v0*"], paths: ["src/**"]),
            TriggerFact(event: "pull_request", line: 10, types: ["opened", "synchronize"]),
            TriggerFact(event: "pull_request_target", line: 12, types: ["labeled"], branches: ["main"]),
            TriggerFact(event: "workflow_dispatch", line: 15),
            TriggerFact(event: "schedule", line: 16),
        ])
    }

    @Test func workflowDispatchWithInputsHasNoFilters() throws {
        let yaml = "on:\n  workflow_dispatch:\n    inputs:\n      env:\n        type: string\njobs: {}\n"
        let facts = try #require(parsed(yaml))
        #expect(facts.triggers == [TriggerFact(event: "workflow_dispatch", line: 2)])
    }

    @Test func emptyFilterIsAnEmptyList() throws {
        let facts = try #require(parsed("on:\n  push:\n    branches:\njobs: {}\n"))
        #expect(facts.triggers.first?.branches == [])
    }

    @Test(arguments: ["on", "\"on\"", "'on'"])
    func onKeySpellings(key: String) throws {
        let facts = try #require(parsed("\(key):\n  push:\n    branches: [main]\njobs: {}\n"))
        #expect(facts.triggers == [TriggerFact(event: "push", line: 2, branches: ["main"])])
    }

    /// GitHub reads YAML 1.2 and matches keys exactly: these are not `on`, and GitHub refuses a
    /// workflow holding them, so each is reported (never read as triggers, never ignored silently).
    @Test(arguments: ["On", "ON", "Yes", "yes", "y", "Y", "true", "True", "TRUE"])
    func triggerKeyLookalikesAreReported(key: String) throws {
        let result = WorkflowParser.parse(text: "\(key): [pull_request_target]\njobs: {}\n")
        guard case .failed(let failure) = result else {
            Issue.record("`\(key):` was accepted: \(result)")
            return
        }
        #expect(failure.line == 1)
        #expect(failure.reason.contains("`\(key):` is not the trigger key"), "\(failure.reason)")
        let alongside = WorkflowParser.parse(text: "on: [push]\n\(key): [issues]\njobs: {}\n")
        guard case .failed = alongside else {
            Issue.record("`\(key):` next to `on:` was accepted")
            return
        }
    }
}

struct WorkflowParserPermissionTests {
    func workflowPermissions(_ value: String) -> PermissionBlock? {
        parsed("on: push\npermissions: \(value)\njobs: {}\n")?.permissions
    }

    @Test func readAll() {
        #expect(workflowPermissions("read-all") == PermissionBlock(kind: .readAll, line: 2, entries: [PermissionEntry(scope: "*", access: "read", line: 2)]))
    }

    @Test func writeAll() {
        #expect(workflowPermissions("write-all") == PermissionBlock(kind: .writeAll, line: 2, entries: [PermissionEntry(scope: "*", access: "write", line: 2)]))
    }

    @Test func emptyMapping() {
        #expect(workflowPermissions("{}") == PermissionBlock(kind: .none, line: 2, entries: []))
    }

    @Test func expression() {
        #expect(workflowPermissions("${{ inputs.perms }}") == PermissionBlock(kind: .expression, line: 2, entries: []))
    }

    @Test func absentIsNil() throws {
        let facts = try #require(parsed("on: push\njobs: {}\n"))
        #expect(facts.permissions == nil)
    }

    @Test func mapAtWorkflowAndJobLevel() throws {
        let yaml = """
            on: push
            permissions:
              contents: read
              id-token: 'write'
            jobs:
              deploy:
                runs-on: ubuntu-latest
                permissions:
                  id-token: none
            """
        let facts = try #require(parsed(yaml))
        #expect(facts.permissions == PermissionBlock(kind: .map, line: 2, entries: [
            PermissionEntry(scope: "contents", access: "read", line: 3),
            PermissionEntry(scope: "id-token", access: "write", line: 4),
        ]))
        #expect(facts.jobs.first?.permissions == PermissionBlock(kind: .map, line: 8, entries: [
            PermissionEntry(scope: "id-token", access: "none", line: 9),
        ]))
    }

    @Test func invalidShorthandFails() throws {
        let failed = try #require(failure("on: push\npermissions: admin\njobs: {}\n"))
        #expect(failed.line == 2)
        #expect(failed.reason.contains("read-all, write-all"))
    }

    @Test func invalidAccessFails() throws {
        let failed = try #require(failure("on: push\njobs:\n  a:\n    permissions:\n      id-token: writ\n"))
        #expect(failed.line == 5)
        #expect(failed.reason == "`jobs.a.permissions.id-token` must be read, write or none")
    }
}

struct WorkflowParserJobTests {
    @Test func environmentForms() throws {
        let yaml = """
            on: push
            jobs:
              plain:
                runs-on: ubuntu-latest
                environment: Production
              mapped:
                environment:
                  name: staging
                  url: https://staging.example.com
              dynamic:
                environment: ${{ inputs.target }}
              mappedDynamic:
                environment: { name: "pr-${{ github.event.number }}" }
              none:
                runs-on: ubuntu-latest
            """
        let jobs = try #require(parsed(yaml)).jobs
        try #require(jobs.count == 5)
        #expect(jobs.map(\.key) == ["plain", "mapped", "dynamic", "mappedDynamic", "none"])
        #expect(jobs.map(\.ordinal) == [0, 1, 2, 3, 4])
        #expect(jobs[0].environment == "Production")
        #expect(jobs[0].environmentLine == 5)
        #expect(jobs[0].environmentIsExpression == false)
        #expect(jobs[0].runsOn == "ubuntu-latest")
        #expect(jobs[1].environment == "staging")
        #expect(jobs[1].environmentURL == "https://staging.example.com")
        #expect(jobs[1].environmentLine == 7)
        #expect(jobs[2].environment == "${{ inputs.target }}")
        #expect(jobs[2].environmentIsExpression)
        #expect(jobs[3].environment == "pr-${{ github.event.number }}")
        #expect(jobs[3].environmentIsExpression)
        #expect(jobs[4].environment == nil)
        #expect(jobs[4].environmentLine == nil)
        #expect(jobs[4].line == 14)
    }

    @Test func needsScalarAndList() throws {
        let yaml = "on: push\njobs:\n  a:\n    needs: build\n  b:\n    needs: [build, test]\n  c:\n    needs:\n"
        let jobs = try #require(parsed(yaml)).jobs
        #expect(jobs.map(\.needs) == [["build"], ["build", "test"], []])
    }

    @Test func reusableWorkflowCall() throws {
        let yaml = """
            on: push
            jobs:
              call:
                uses: acme/workflows/.github/workflows/deploy.yml@v2
                secrets: inherit
                with:
                  environment: prod
                  count: 3
              explicit:
                uses: ./.github/workflows/local.yml
                secrets:
                  token: ${{ secrets.TOKEN }}
            """
        let jobs = try #require(parsed(yaml)).jobs
        try #require(jobs.count == 2)
        #expect(jobs[0].uses == "acme/workflows/.github/workflows/deploy.yml@v2")
        #expect(jobs[0].usesLine == 4)
        #expect(jobs[0].secretsInherit)
        #expect(jobs[0].secrets == [:])
        #expect(jobs[0].with == ["environment": "prod", "count": "3"])
        #expect(jobs[1].secretsInherit == false)
        #expect(jobs[1].secrets == ["token": "${{ secrets.TOKEN }}"])
        #expect(jobs[1].usesLine == 10)
    }

    @Test func steps() throws {
        let yaml = """
            on: push
            jobs:
              build:
                runs-on: [self-hosted, linux]
                if: github.ref == 'refs/heads/main'
                env:
                  A: "1"
                steps:
                  - uses: actions/checkout@v4
                  - id: login
                    name: Login
                    uses: OctopusDeploy/login@34b6dcc1e86fa373c14e6a28c5507d221e4de629
                    with:
                      server: https://acme.octopus.app
                      service_account_id: 6e2b1c7a
                    env:
                      B: two
                  - run: |
                      echo one
                      echo two
            """
        let job = try #require(parsed(yaml)?.jobs.first)
        #expect(job.runsOn == "[self-hosted, linux]")
        #expect(job.ifCondition == "github.ref == 'refs/heads/main'")
        #expect(job.env == ["A": "1"])
        try #require(job.steps.count == 3)
        #expect(job.steps[0] == StepFact(index: 0, line: 9, uses: "actions/checkout@v4",
            action: ActionReference(owner: "actions", repo: "checkout", path: nil, ref: "v4", kind: .tag)))
        #expect(job.steps[1].index == 1)
        #expect(job.steps[1].line == 10)
        #expect(job.steps[1].id == "login")
        #expect(job.steps[1].name == "Login")
        #expect(job.steps[1].action?.kind == .sha)
        #expect(job.steps[1].with == ["server": "https://acme.octopus.app", "service_account_id": "6e2b1c7a"])
        #expect(job.steps[1].env == ["B": "two"])
        #expect(job.steps[2].line == 18)
        #expect(job.steps[2].run == "echo one\necho two")  // clipped: the file ends without a newline
        #expect(job.steps[2].uses == nil)
    }

    @Test func stepThatIsNotAMappingFails() throws {
        let failed = try #require(failure("on: push\njobs:\n  a:\n    steps:\n      - just a string\n"))
        #expect(failed.line == 5)
        #expect(failed.reason == "step 1 of job `a` must be a mapping")
    }
}

struct WorkflowParserYAMLTests {
    @Test func anchorsAndMergeKeys() throws {
        let yaml = """
            on: push
            x-defaults: &defaults
              runs-on: ubuntu-latest
              environment: staging
            x-env: &env
              environment: production
              if: always()
            jobs:
              a:
                <<: *defaults
                environment: explicit
              b:
                <<: [*env, *defaults]
              c:
                <<: *defaults
                steps: &steps
                  - uses: actions/checkout@v4
              d:
                steps: *steps
            """
        let jobs = try #require(parsed(yaml)).jobs
        try #require(jobs.count == 4)
        // An explicit key wins over a merged one.
        #expect(jobs[0].environment == "explicit")
        #expect(jobs[0].environmentLine == 11)
        #expect(jobs[0].runsOn == "ubuntu-latest")
        // In a list of merges, the earlier source wins.
        #expect(jobs[1].environment == "production")
        #expect(jobs[1].ifCondition == "always()")
        #expect(jobs[1].runsOn == "ubuntu-latest")
        #expect(jobs[2].environment == "staging")
        // Merged facts keep the line of the anchored definition.
        #expect(jobs[2].environmentLine == 4)
        #expect(jobs[3].steps.map(\.uses) == ["actions/checkout@v4"])
        #expect(jobs[3].steps.first?.line == 17)
    }

    @Test func mergeOfAScalarFails() throws {
        let failed = try #require(failure("on: push\nx: &s hello\njobs:\n  a:\n    <<: *s\n"))
        #expect(failed.line == 5)
        #expect(failed.reason.contains("`<<` must merge a mapping"))
    }

    @Test func crlfAndBOM() throws {
        let text = "# trustaudit: ignore[p1] reason\r\non:\r\n  push:\r\n    branches: [main]\r\njobs:\r\n  a:\r\n    environment: prod # trustaudit: ignore[p2]\r\n    steps:\r\n      - run: |\r\n          echo hi\r\n"
        let bytes = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        guard case .parsed(let facts) = WorkflowParser.parse(bytes: bytes) else {
            Issue.record("CRLF+BOM file did not parse")
            return
        }
        #expect(facts.triggers == [TriggerFact(event: "push", line: 3, branches: ["main"])])
        #expect(facts.jobs.first?.environment == "prod")
        #expect(facts.jobs.first?.environmentLine == 7)
        #expect(facts.jobs.first?.steps.first?.run == "echo hi\n")
        #expect(facts.suppressions == [
            SuppressionFact(line: 1, policy: "p1", reason: "reason"),
            SuppressionFact(line: 7, policy: "p2", reason: nil),
        ])
    }

    @Test func duplicateKeysFail() throws {
        let failed = try #require(failure("on: push\njobs:\n  a:\n    runs-on: x\n  a:\n    runs-on: y\n"))
        #expect(failed.reason == "duplicate key a in a mapping")
        #expect(failed.line == 3)
    }

    @Test func quotedAndPlainOnAreDuplicates() throws {
        let failed = try #require(failure("on: push\n\"on\": pull_request\njobs: {}\n"))
        #expect(failed.reason.contains("duplicate key on"))
    }

    @Test func topLevelList() throws {
        let failed = try #require(failure("- on: push\n- jobs: {}\n"))
        #expect(failed.reason == "the top level is a list, not a mapping of workflow keys")
        #expect(failed.line == 1)
    }

    @Test func topLevelScalar() throws {
        let failed = try #require(failure("hello world\n"))
        #expect(failed.reason == "the top level is a single value, not a mapping of workflow keys")
    }

    @Test func notAWorkflow() throws {
        let failed = try #require(failure("name: x\nversion: 2\n"))
        #expect(failed.reason.contains("neither `on:` nor `jobs:`"))
    }

    @Test func onlyComments() throws {
        let failed = try #require(failure("# just a comment\n   # another\n"))
        #expect(failed.reason == "file holds no YAML document")
    }

    @Test func syntaxErrorHasLine() throws {
        let failed = try #require(failure("on: push\njobs:\n  a:\n    runs-on: x\n   bad: indent\n"))
        #expect(failed.line == 5)
        #expect(failed.reason.hasPrefix("invalid YAML:"))
    }

    @Test func multipleDocumentsFail() throws {
        let failed = try #require(failure("on: push\njobs: {}\n---\non: pull_request\n"))
        #expect(failed.reason.contains("but found another document"))
        #expect(failed.line == 3)
    }

    @Test func workflowEnvAndSuppressions() throws {
        let yaml = "on: push # trustaudit: ignore[a, b] legacy pipeline\nenv:\n  REGION: eu\njobs: {}\n"
        let facts = try #require(parsed(yaml))
        #expect(facts.env == ["REGION": "eu"])
        #expect(facts.suppressions == [
            SuppressionFact(line: 1, policy: "a", reason: "legacy pipeline"),
            SuppressionFact(line: 1, policy: "b", reason: "legacy pipeline"),
        ])
    }
}

struct WorkflowParserHostileInputTests {
    @Test func emptyFile() throws {
        #expect(try #require(failure([UInt8]())).reason == "file is empty")
    }

    @Test func whitespaceOnly() throws {
        #expect(try #require(failure(" \n\t\r\n  ")).reason == "file is empty")
    }

    @Test func invalidUTF8ReportsLine() throws {
        let bytes = Array("on: push\njobs:\n  a: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let failed = try #require(failure(bytes))
        #expect(failed.line == 3)
        #expect(failed.reason == "invalid UTF-8 at byte 20")
    }

    @Test func nulByte() throws {
        let failed = try #require(failure(Array("on: push\njobs:\0\n".utf8)))
        #expect(failed.reason == "file contains a NUL byte; not a text file")
        #expect(failed.line == 2)
    }

    @Test func overSizeLimit() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: InputGuards.maxBytes + 1)
        let failed = try #require(failure(bytes))
        #expect(failed.reason == "file is 1048577 bytes, over the 1048576-byte limit for a workflow")
    }

    @Test func exactlyAtSizeLimitIsRead() throws {
        var text = "on: push\njobs: {}\n"
        text += String(repeating: "#", count: InputGuards.maxBytes - text.utf8.count)
        #expect(text.utf8.count == InputGuards.maxBytes)
        #expect(parsed(text) != nil)
    }

    /// Nine levels of nine aliases each: 9^9 (387 million) nodes if expanded.
    @Test(.timeLimit(.minutes(1))) func billionLaughs() throws {
        var yaml = "on: push\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            yaml += "x\(level): &a\(level) [\(refs)]\n"
        }
        yaml += "env:\n  BOMB: *a9\njobs:\n  a:\n    with:\n      bomb: *a9\n"
        let result = WorkflowParser.parse(bytes: Array(yaml.utf8))
        guard case .failed(let failed) = result else {
            Issue.record("an alias bomb read into `env` must not parse")
            return
        }
        #expect(failed.reason.contains("alias bomb"))
        #expect(failed.line != nil)
    }

    /// Walking the 9^9 expansion would take far longer than the limit; wall-clock figures belong to the benchmark.
    @Test(.timeLimit(.minutes(1))) func aliasBombOutsideWorkflowKeysIsNeverWalked() throws {
        var yaml = "on: push\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            yaml += "x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += "jobs: {}\n"
        #expect(parsed(yaml) != nil)
    }

    @Test func aliasAsKeyRefused() throws {
        let failed = try #require(failure("on: push\nx: &k big\njobs:\n  *k : 1\n"))
        #expect(failed.reason == "an alias used as a mapping key is not supported")
        #expect(failed.line == 4)
    }

    @Test func flowNesting100000Deep() throws {
        let yaml = "on: push\njobs: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let failed = try #require(failure(yaml))
        #expect(failed.reason == "nesting deeper than 200 levels")
        #expect(failed.line == 2)
    }

    /// 2,000 levels of block mappings by indentation (about 2 MB would be needed for 2,000 levels
    /// at one space each, so this is cut at the 1 MiB limit's worth: the guard fires long before).
    @Test func blockNesting2000Deep() throws {
        var yaml = "on: push\njobs:\n"
        for level in 0..<2_000 { yaml += String(repeating: " ", count: level + 1) + "k\(level):\n" }
        let bytes = Array(yaml.utf8)
        let results = LargeStackRunner.map([bytes], threads: 1) { WorkflowParser.parse(bytes: $0) }
        guard case .failed(let failed) = results[0] else {
            Issue.record("2,000 levels must be refused")
            return
        }
        // Over the size limit or over the depth limit; either is a clean refusal.
        #expect(failed.reason.contains("nesting deeper than 256 levels") || failed.reason.contains("over the"))
    }

    @Test func blockNestingUnderSizeLimitRefusedByDepthGuard() throws {
        var yaml = "on: push\njobs:\n"
        for level in 0..<1_000 { yaml += String(repeating: " ", count: level + 1) + "k:\n" }
        #expect(yaml.utf8.count < InputGuards.maxBytes)
        let failed = try #require(failure(yaml))
        #expect(failed.reason == "nesting deeper than 256 levels")
        #expect(failed.line == 2 + 256)
    }

    /// `- - - - x` nests block sequences on a single line: the deepest nesting a 1 MiB file can
    /// hold. Bypassing the guards, libyaml stops at its own limit of 1,000 levels; the Yams
    /// composer recurses once per level, which needs a large stack (see `LargeStackRunner`).
    @Test func compactSequenceNestingAtLibyamlLimit() throws {
        let deep = String(repeating: "- ", count: 5_000) + "x\n"
        #expect(try #require(failure(deep)).reason == "nesting deeper than 256 levels")
        let results = LargeStackRunner.map([deep], threads: 1) { WorkflowParser.parse(text: $0) }
        guard case .failed(let failed) = results[0] else {
            Issue.record("libyaml must refuse 5,000 levels")
            return
        }
        #expect(failed.reason.contains("Maximum nesting level reached"))
    }

    @Test func tenThousandStars() throws {
        let stars = String(repeating: "*", count: 10_000)
        let facts = try #require(parsed("on: push\njobs:\n  a:\n    env:\n      S: '\(stars)'\n    steps:\n      - run: echo \"\(stars)\"\n"))
        #expect(facts.jobs.first?.env["S"]?.count == 10_000)
        #expect(facts.jobs.first?.steps.first?.run == "echo \"\(stars)\"")
        // Unquoted, `*…` is an alias with no name: a YAML error, not a crash.
        let failed = try #require(failure("on: push\njobs:\n  a:\n    env:\n      S: \(stars)\n"))
        #expect(failed.reason.hasPrefix("invalid YAML"))
        #expect(failed.line == 5)
    }
}

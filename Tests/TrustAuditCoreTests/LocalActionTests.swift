import Foundation
import Testing
@testable import TrustAuditCore

/// Local actions (`uses: ./path`) read from disk with the workflows that use them: found,
/// followed through composite actions, and every bad reference a bounded, explained entry.
struct LocalActionTests {
    static let workflow = """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            permissions:
              id-token: write
            steps:
              - uses: ./.github/actions/setup
              - uses: "./.github/actions/missing/"
              - { uses: ./../outside }
              - uses: ./.github/actions/loop # calls itself
              - uses: ./${{ matrix.dir }}
        """

    @Test func collectsFollowsAndExplains() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let repo = directory.appendingPathComponent("acme/app")
            try TestSupport.write(Self.workflow, to: ".github/workflows/ci.yml", in: repo)
            try TestSupport.write("""
                runs:
                  using: composite
                  steps:
                    - uses: ./.github/actions/inner
                """, to: ".github/actions/setup/action.yml", in: repo)
            try TestSupport.write("runs: { using: composite, steps: [{ run: make, shell: bash }] }\n",
                                  to: ".github/actions/inner/action.yaml", in: repo)
            try TestSupport.write("runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/loop\n",
                                  to: ".github/actions/loop/action.yml", in: repo)
            try TestSupport.write("secret\n", to: "outside/action.yml", in: directory.appendingPathComponent("acme"))

            let database = try TestSupport.openDatabase(in: directory)
            let outcome = try TestSupport.scan([repo], owner: "acme", database: database)
            #expect(outcome.workflowFiles == 1)
            let rows = try database.strings("""
                SELECT directory || ' | ' || COALESCE("using", '-') || ' | ' || COALESCE(error, 'ok') FROM local_actions ORDER BY directory
                """)
            // `./${{ matrix.dir }}` is read up to its first space: enough to see it is an expression.
            #expect(rows == [
                "${{ | - | the local action's path is an expression, decided at run time",
                "../outside | - | `./../outside` points outside the repository; not read",
                ".github/actions/inner | composite | ok",
                ".github/actions/loop | composite | ok",
                ".github/actions/missing | - | no action.yml or action.yaml in `.github/actions/missing`",
                ".github/actions/setup | composite | ok",
            ])
            #expect(try database.count("SELECT count(*) FROM local_action_steps WHERE directory = '.github/actions/inner' AND run = 'make'") == 1)
            // Actions are not workflows: no workflow-unparseable finding, no steps in `steps`.
            #expect(try database.count("SELECT count(*) FROM workflows") == 1)
            #expect(try database.count("SELECT count(*) FROM steps") == 5)
            // Several of the job's local actions cannot be read: id-token-unused cannot tell.
            #expect(!outcome.findings.contains { $0.policy == "id-token-unused" })
            #expect(!outcome.findings.contains { $0.policy == "workflow-unparseable" })
        }
    }

    @Test func boundedNumberOfActions() throws {
        let steps = (0..<(LocalActionCollector.maxActions + 5)).map { "      - uses: ./a/\($0)" }.joined(separator: "\n")
        let text = "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n\(steps)\n"
        try TestSupport.withTemporaryDirectory { directory in
            let entries = LocalActionCollector.collect(root: directory, references: LocalActionCollector.references(in: Array(text.utf8)))
            #expect(entries.count == LocalActionCollector.maxActions + 5)
            let refused = entries.filter {
                if case .failure(let failure) = $0.content { return failure.reason.hasPrefix("not read: more than") }
                return false
            }
            #expect(refused.count == 5)
        }
    }

    @Test func referencesAreFoundInEveryStepForm() {
        let text = """
            steps:
              - uses: ./one
              - name: two
                uses: './two/'   # comment
              - { name: three, uses: ./three }
              - uses: actions/checkout@v4
              - run: echo "uses: ./not-a-step"
            """
        // The last line is a script that happens to contain the text, not a step's key.
        #expect(LocalActionCollector.references(in: Array(text.utf8)) == ["./one", "./two/", "./three"])
    }
}

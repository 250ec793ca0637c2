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
            let checked1 = !outcome.findings.contains { $0.policy == "id-token-unused" }
            #expect(checked1)
            let checked2 = !outcome.findings.contains { $0.policy == "workflow-unparseable" }
            #expect(checked2)
        }
    }

    /// A repository reached through a symlinked folder still reads its actions; an action file
    /// that is a symlink out of the repository is refused, and one that is a broken symlink says so.
    @Test func symlinksAroundActions() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let real = directory.appendingPathComponent("real")
            try TestSupport.write("""
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: ./.github/actions/setup
                      - uses: ./.github/actions/evil
                      - uses: ./.github/actions/broken
                """, to: ".github/workflows/ci.yml", in: real.appendingPathComponent("app"))
            try TestSupport.write("runs: { using: composite, steps: [{ run: make, shell: bash }] }\n",
                                  to: "app/.github/actions/setup/action.yml", in: real)
            let secret = try TestSupport.write("# SECRET-ACTION-OUTSIDE\nruns: { using: node20, main: x.js }\n",
                                               to: "secret/action.yml", in: directory)
            try FileManager.default.createDirectory(at: real.appendingPathComponent("app/.github/actions/evil"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: real.appendingPathComponent("app/.github/actions/evil/action.yml"),
                                                       withDestinationURL: secret)
            try FileManager.default.createDirectory(at: real.appendingPathComponent("app/.github/actions/broken"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: real.appendingPathComponent("app/.github/actions/broken/action.yml").path,
                                                       withDestinationPath: "nowhere.yml")
            let linked = directory.appendingPathComponent("linked")
            try FileManager.default.createSymbolicLink(at: linked, withDestinationURL: real)

            let database = try TestSupport.openDatabase(in: directory)
            _ = try TestSupport.scan([linked.appendingPathComponent("app")], owner: "acme", database: database)
            let rows = try database.strings("SELECT directory || ' | ' || COALESCE(error, 'ok') FROM local_actions ORDER BY directory")
            #expect(rows.count == 3)
            #expect(rows.first?.hasPrefix(".github/actions/broken | cannot read the file (broken symlink") == true)
            #expect(rows.dropFirst().first?.hasPrefix(".github/actions/evil | symlink pointing outside the repository") == true)
            #expect(rows.last == ".github/actions/setup | ok")
            #expect(try database.count("SELECT count(*) FROM blobs WHERE instr(CAST(content AS TEXT), 'SECRET-ACTION') > 0") == 0)
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

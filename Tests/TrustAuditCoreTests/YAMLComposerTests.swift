import Foundation
import Testing
import Yams
@testable import TrustAuditCore

/// The workflow composer must read every document as Yams' composer did (the parser it replaced):
/// same text, style and line for every node, aliases resolved, and the same documents refused.
/// Both are run on the same texts and their trees compared node by node.
@Suite struct YAMLComposerTests {
    /// A tree spelled the same way from either composer. Aliases can make a tree exponentially
    /// larger than its text, so the spelling stops after `budget` nodes, at the same place for both.
    struct Spelling {
        var text = ""
        var budget = 200_000

        mutating func add(_ node: YAMLNode) {
            guard budget > 0 else { return }
            budget -= 1
            switch node {
            case .scalar(let scalar):
                text += "S\(scalar.style.rawValue)@\(scalar.line):\(scalar.string.utf8.count):\(scalar.string)"
            case .sequence(let sequence):
                text += "[@\(sequence.line):\(sequence.items.count)"
                for item in sequence.items { add(item) }
            case .mapping(let mapping):
                text += "{@\(mapping.line):\(mapping.pairs.count)"
                for pair in mapping.pairs {
                    add(pair.key)
                    add(pair.value)
                }
            }
        }

        mutating func add(_ node: Node) {
            guard budget > 0 else { return }
            budget -= 1
            let line = node.mark?.line ?? -1
            switch node {
            case .scalar(let scalar):
                text += "S\(scalar.style.rawValue)@\(line):\(scalar.string.utf8.count):\(scalar.string)"
            case .sequence(let sequence):
                text += "[@\(line):\(sequence.count)"
                for item in sequence { add(item) }
            case .mapping(let mapping):
                text += "{@\(line):\(mapping.count)"
                for (key, value) in mapping {
                    add(key)
                    add(value)
                }
            case .alias:
                text += "alias"
            }
        }
    }

    enum Outcome: Equatable {
        case tree(String)
        case empty
        case failed(String, line: Int?)
    }

    static func ours(_ text: String) -> Outcome {
        do {
            guard let root = try YAMLComposer.compose(text) else { return .empty }
            var spelling = Spelling()
            spelling.add(root)
            return .tree(spelling.text)
        } catch let failure as WorkflowParseFailure {
            return .failed(failure.reason, line: failure.line)
        } catch {
            return .failed("\(error)", line: nil)
        }
    }

    static func yams(_ text: String) -> Outcome {
        do {
            guard let root = try Yams.compose(yaml: text, .basic, .default, .utf8) else { return .empty }
            var spelling = Spelling()
            spelling.add(root)
            return .tree(spelling.text)
        } catch let error as YamlError {
            let failure = WorkflowParser.describe(error)
            return .failed(failure.reason, line: failure.line)
        } catch {
            return .failed("\(error)", line: nil)
        }
    }

    /// Documents chosen for the corners where composers differ.
    static let documents: [String] = [
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n",
        "",
        "# only a comment\n",
        "---\n...\n",
        "a: 1\n---\nb: 2\n",
        "a: &x {b: 1}\nc: *x\n",
        "a: &x 1\nb: *x\nc: &x 2\nd: *x\n",
        "a: *undefined\n",
        "a: &x [1, *x]\n",
        "base: &base {runs-on: ubuntu}\njob:\n  <<: *base\n  runs-on: windows\n",
        "a: 1\na: 2\n",
        "a: 1\n\"a\": 2\n",
        "a: 1\n!!str a: 2\n",
        "a: 1\n!!int a: 2\n",
        "b: 1\na: 1\nb: 2\na: 2\n",
        "outer:\n  x: 1\n  x: 2\nouter: 3\n",
        "[a]: 1\n[a]: 2\n",
        "{a: 1}: x\n",
        "run: |\n  echo one\n  echo two\nfolded: >\n  a\n  b\nsingle: 'it''s'\ndouble: \"tab\\tand \\u00e9\"\n",
        "key: [unclosed\n",
        "key: {a: 1\n",
        "\tkey: value\n",
        "a:\n  - b\n - c\n",
        "a: b: c\n",
        "- a\nb: c\n",
        "key: \"unterminated\n",
        "%YAML 1.1\n---\na: 1\n",
        "%TAG ! tag:example.com,2000:\n---\na: !foo 1\n",
        "a: !!binary aGVsbG8=\nb: !custom x\n",
        "? a\n: 1\n",
        "empty:\nnull: ~\nlist: []\nmap: {}\n",
        "a: \"\\0nul\"\n",
        "é: ünïcödé\n\"\\U0001F600\": emoji\n",
        "a: 1 # comment\n# trailing\n",
        String(repeating: "k: v\n", count: 3),
        (0..<40).map { "key\($0): \($0)\n" }.joined() + "key7: again\n",
        "laughs:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    ]

    @Test(arguments: documents)
    func composesLikeYams(_ text: String) {
        #expect(Self.ours(text) == Self.yams(text))
    }

    @Test func refusesRepeatedKeysAtTheirFirstLine() throws {
        #expect(Self.ours("b: 1\na: 1\nb: 2\na: 2\n") == .failed("duplicate key a, b in a mapping", line: 2))
        #expect(Self.ours("a: 1\n!!int a: 2\n") != .failed("duplicate key a in a mapping", line: 1))
    }

    /// libyaml stops at 1,000 levels, so the composer's recursion is bounded too; either way the
    /// answer is a tree or a located failure, never a crash.
    @Test func deepNestingIsBoundedByLibyaml() {
        let outcomes = LargeStackRunner.map([998, 1_200], threads: 2) { depth in
            YAMLComposerTests.ours(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        }
        guard case .tree = outcomes[0] else {
            Issue.record("998 levels should compose, got \(outcomes[0])")
            return
        }
        guard case .failed(let reason, let line) = outcomes[1] else {
            Issue.record("1,200 levels should fail, got \(outcomes[1])")
            return
        }
        #expect(reason.contains("Maximum nesting level"))
        #expect(line == 1)
    }

    @Test func demoWorkflowsComposeLikeYams() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { ["yml", "yaml"].contains($0.pathExtension) } ?? []
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(Self.ours(text) == Self.yams(text), "\(file.lastPathComponent)")
        }
    }

    @Test(.enabled(if: Corpus.isPresent, "needs ../shared/corpus"))
    func corpusComposesLikeYams() throws {
        let files = try Corpus.files()
        let mismatches = LargeStackRunner.map(files, threads: 2) { url -> String? in
            guard let bytes = try? Corpus.bytes(url), case .success(let text) = InputGuards.decode(bytes) else { return nil }
            return YAMLComposerTests.ours(text) == YAMLComposerTests.yams(text) ? nil : url.lastPathComponent
        }.compactMap { $0 }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}

import Testing
@testable import TrustAuditCore

struct InputGuardsTests {
    func reason(_ text: String) -> String? { InputGuards.checkStructure(text)?.reason }

    @Test func bomIsDropped() throws {
        let text = try InputGuards.decode([0xEF, 0xBB, 0xBF] + Array("on: push\n".utf8)).get()
        #expect(text == "on: push\n")
    }

    @Test func invalidUTF8OffsetCountsTheBOM() {
        let result = InputGuards.decode([0xEF, 0xBB, 0xBF] + Array("a\nb".utf8) + [0xFF])
        #expect(result == .failure(WorkflowParseFailure("invalid UTF-8 at byte 6", line: 2)))
    }

    @Test func truncatedMultiByteSequence() {
        #expect(InputGuards.decode(Array("on: é".utf8).dropLast()) == .failure(WorkflowParseFailure("invalid UTF-8 at byte 4", line: 1)))
    }

    @Test func bomOnlyIsEmpty() {
        #expect(InputGuards.decode([0xEF, 0xBB, 0xBF]) == .failure(WorkflowParseFailure("file is empty")))
    }

    @Test func flowDepthAtAndOverLimit() {
        let atLimit = "a: " + String(repeating: "[", count: InputGuards.maxFlowDepth) + String(repeating: "]", count: InputGuards.maxFlowDepth)
        #expect(reason(atLimit) == nil)
        let over = "a: " + String(repeating: "{", count: InputGuards.maxFlowDepth + 1)
        #expect(reason(over) == "nesting deeper than 200 levels")
    }

    @Test func blockDepthByIndentation() {
        func nested(_ levels: Int) -> String {
            (0..<levels).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + "\n"
        }
        #expect(reason(nested(InputGuards.maxBlockDepth)) == nil)
        #expect(InputGuards.checkStructure(nested(InputGuards.maxBlockDepth + 1))
            == WorkflowParseFailure("nesting deeper than 256 levels", line: 257))
    }

    @Test func blockDepthByCompactSequences() {
        // The trailing scalar counts as a level too (the scanner cannot know it is not a key).
        #expect(reason(String(repeating: "- ", count: 255) + "x") == nil)
        #expect(reason(String(repeating: "- ", count: 256) + "x") == "nesting deeper than 256 levels")
    }

    @Test func siblingsDoNotAddDepth() {
        let text = (0..<5_000).map { "k\($0):\n  - a: 1\n    b: [x, {y: z}]" }.joined(separator: "\n")
        #expect(reason(text) == nil)
    }

    /// Scripts are full of brackets, `*`, `?` and `:` that are not YAML.
    @Test func blockScalarsAreNotRead() {
        let text = """
            jobs:
              a:
                steps:
                  - run: |
                      if [[ -f x ]]; then echo [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[; fi
                      python -c 'print(len(getattr(os, "x", lambda *args: [])(0)))'
                      *star: here
                  - uses: actions/github-script@v7
                    with:
                      script: >-
                        const x = cond
                          ? a
                          : b;
                  - name: after
                    run: echo ok
            """
        #expect(reason(text) == nil)
    }

    @Test func guardsResumeAfterABlockScalar() {
        let text = "a: |\n  ? not a key\n  *x : y\nb:\n  *k : 1\n"
        #expect(InputGuards.checkStructure(text) == WorkflowParseFailure("an alias used as a mapping key is not supported", line: 5))
    }

    @Test func quotedAndCommentedIndicatorsAreIgnored() {
        let text = """
            a: "*x : [[[[[ ? y"
            b: 'it''s *x : {{{{'
            c: "multi
              line *x : ["
            d: value # *x : [[[[ ? z
            e: plain text with [ and * and ? inside
            """
        #expect(reason(text) == nil)
    }

    @Test func aliasKeysInBlockAndFlow() {
        #expect(reason("a: &a x\n*a : 1\n") == "an alias used as a mapping key is not supported")
        #expect(reason("a: &a x\nb: { *a : 1 }\n") == "an alias used as a mapping key is not supported")
        #expect(reason("a: &a x\nb: [*a, *a]\nc: *a\n") == nil)
    }

    @Test func flowCollectionHoldingAliasAsKey() {
        #expect(reason("a: &a x\n[*a, b]: 1\n") == "a list or mapping holding an alias, used as a mapping key, is not supported")
        #expect(reason("a: &a x\nb: [*a, b]\n") == nil)
    }

    @Test func explicitKeys() {
        #expect(InputGuards.checkStructure("a: 1\n? b\n: 2\n") == WorkflowParseFailure("complex mapping keys (`? key`) are not supported in workflows", line: 2))
        #expect(reason("a: ?b\n") == nil)
    }
}

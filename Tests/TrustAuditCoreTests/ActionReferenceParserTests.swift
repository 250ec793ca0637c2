import Testing
@testable import TrustAuditCore

struct ActionReferenceParserTests {
    @Test(arguments: [
        ("actions/checkout@v4", ActionReference(owner: "actions", repo: "checkout", path: nil, ref: "v4", kind: .tag)),
        ("actions/checkout@v4.1.7", ActionReference(owner: "actions", repo: "checkout", path: nil, ref: "v4.1.7", kind: .tag)),
        ("actions/setup-node@2.0", ActionReference(owner: "actions", repo: "setup-node", path: nil, ref: "2.0", kind: .tag)),
        ("github/codeql-action/init@0123456789abcdef0123456789abcdef01234567",
         ActionReference(owner: "github", repo: "codeql-action", path: "init", ref: "0123456789abcdef0123456789abcdef01234567", kind: .sha)),
        ("acme/repo/a/b/c@main", ActionReference(owner: "acme", repo: "repo", path: "a/b/c", ref: "main", kind: .branch)),
        ("pypa/gh-action-pypi-publish@release/v1", ActionReference(owner: "pypa", repo: "gh-action-pypi-publish", path: nil, ref: "release/v1", kind: .branch)),
        ("dtolnay/rust-toolchain@stable", ActionReference(owner: "dtolnay", repo: "rust-toolchain", path: nil, ref: "stable", kind: .branch)),
        ("taiki-e/install-action@valgrind", ActionReference(owner: "taiki-e", repo: "install-action", path: nil, ref: "valgrind", kind: .branch)),
        ("acme/repo", ActionReference(owner: "acme", repo: "repo", path: nil, ref: nil, kind: .none)),
        ("acme/repo@", ActionReference(owner: "acme", repo: "repo", path: nil, ref: "", kind: .none)),
        ("./.github/actions/build", ActionReference(owner: nil, repo: nil, path: "./.github/actions/build", ref: nil, kind: .local)),
        ("./.github/workflows/deploy.yml", ActionReference(owner: nil, repo: nil, path: "./.github/workflows/deploy.yml", ref: nil, kind: .local)),
        ("docker://alpine:3.20", ActionReference(owner: nil, repo: nil, path: "alpine:3.20", ref: "3.20", kind: .docker)),
        ("docker://ghcr.io/o/i:latest", ActionReference(owner: nil, repo: nil, path: "ghcr.io/o/i:latest", ref: "latest", kind: .docker)),
        ("docker://localhost:5000/img", ActionReference(owner: nil, repo: nil, path: "localhost:5000/img", ref: nil, kind: .docker)),
        ("docker://alpine@sha256:abcd", ActionReference(owner: nil, repo: nil, path: "alpine@sha256:abcd", ref: "sha256:abcd", kind: .docker)),
        ("  actions/cache@v3  ", ActionReference(owner: "actions", repo: "cache", path: nil, ref: "v3", kind: .tag)),
    ])
    func parse(uses: String, expected: ActionReference) {
        #expect(ActionReferenceParser.parse(uses) == expected)
    }

    @Test(arguments: [
        ("0123456789abcdef0123456789abcdef01234567", RefKind.sha),
        ("0123456789ABCDEF0123456789ABCDEF01234567", .sha),
        ("0123456789abcdef0123456789abcdef0123456", .tag),       // 39 hex digits: not a full SHA
        ("a123456789abcdef0123456789abcdef0123456", .branch),
        ("0123456789abcdef0123456789abcdef012345678", .tag),     // 41
        ("g123456789abcdef0123456789abcdef01234567", .branch),   // 40, not hex
        ("v1", .tag), ("V2", .tag), ("1", .tag), ("v", .branch), ("main", .branch),
        ("vnext", .branch), ("", .none),
    ])
    func classify(ref: String, expected: RefKind) {
        #expect(ActionReferenceParser.classify(ref) == expected)
    }

    @Test func nilRefIsNone() {
        #expect(ActionReferenceParser.classify(nil) == .none)
    }

    /// Trimming compares with a walk over characters from both ends, which `trimmingWhitespace`
    /// skips when both end bytes are plain ASCII: the answers must be the same either way.
    @Test(arguments: [
        "actions/checkout@v4", "  actions/checkout@v4\t", "\r\nx\r\n", "x", "", " ", "\u{00A0}x\u{2028}", "x\u{3000}",
        "a\u{301}", " \u{301}a", "a \u{301}", "\u{1C}x\u{1F}", "\u{85}x", "x\u{0B}", "\u{0C}x", "é", " é ",
    ])
    func trimming(text: String) {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        let walked = String(slice)
        #expect(text.trimmingWhitespace() == walked)
        #expect(text[...].trimmingWhitespace() == walked)
    }
}

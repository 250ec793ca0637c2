import Testing
@testable import TrustAuditCore

@Suite("GitHubRefFilter")
struct GitHubRefFilterTests {
    @Test("filters convert to patterns no narrower than GitHub's", arguments: [
        ("main", "main"),
        ("release/*", "release/*"),
        ("release/**", "release/*"),
        ("**", "*"),
        ("feature/**/wip", "feature/*/wip"),
        ("v?", "*"),                 // `?` makes `v` optional: "" and "v" both match
        ("v1.?", "v1*"),             // the `.` is optional: "v1" and "v1." both match
        ("v+", "v*"),
        ("v[0-9]+.[0-9]+.[0-9]+", "v?*.?*.?*"),  // `.` is literal in GitHub filters
        ("v[12].0", "v?.0"),
        ("[abc]?", "*"),
        ("\\*literal", "*literal"),  // git refs cannot hold `*`; widening is harmless
        ("a\\+b", "a+b"),
        ("*+", "*"),
        ("[unterminated", "[unterminated"),
    ])
    func conversion(_ filter: String, _ expected: String) {
        #expect(GitHubRefFilter.subjectPattern(filter) == expected)
    }

    @Test("negations are dropped; a list of only negations widens to everything")
    func negations() {
        #expect(GitHubRefFilter.subjectPattern("!release/old") == nil)
        #expect(GitHubRefFilter.subjectPatterns(["release/**", "!release/old"]) == ["release/*"])
        #expect(GitHubRefFilter.subjectPatterns(["!main"]) == ["*"])
    }

    @Test("every name the GitHub filter accepts is accepted by the converted pattern", arguments: [
        ("v[0-9]+.[0-9]+", ["v1.2", "v10.20"]),
        ("release/*", ["release/1.0", "release/"]),
        ("v1.?", ["v1", "v1."]),
        ("ab+c", ["abc", "abbbc"]),
        ("feature/**", ["feature/a/b/c", "feature/"]),
    ])
    func soundness(_ filter: String, _ acceptedByGitHub: [String]) throws {
        let pattern = SubjectPattern(try #require(GitHubRefFilter.subjectPattern(filter)))
        for name in acceptedByGitHub {
            #expect(pattern.matches(name), "\(filter) → \(pattern) must accept \(name)")
        }
    }
}

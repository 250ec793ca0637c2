import Testing
@testable import TrustAuditCore

/// Scripts are searched for commands byte by byte; the search must find exactly what `contains` finds.
@Suite struct ByteSearchTests {
    @Test(arguments: [
        ("git fetch origin pull/1/head", "pull/", true),
        ("echo gi", "git", false),
        ("git", "git", true),
        ("ends with git", "git", true),
        ("gg gi git", "git", true),
        ("", "git", false),
        ("ünïcödé then gh pr checkout 3", "gh pr checkout", true),
        ("G I T", "git", false),
    ])
    func findsWhatContainsFinds(_ text: String, _ needle: String, _ expected: Bool) {
        let found: Bool
        switch needle {
        case "pull/": found = text.containsBytes("pull/")
        case "git": found = text.containsBytes("git")
        default: found = text.containsBytes("gh pr checkout")
        }
        #expect(found == expected)
        #expect(found == text.contains(needle))
        #expect(Substring(text).dropFirst(0).containsBytes("git") == text.contains("git"))
    }
}

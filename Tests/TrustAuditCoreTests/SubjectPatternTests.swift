import Testing
@testable import TrustAuditCore

@Suite("SubjectPattern")
struct SubjectPatternTests {
    @Test("literal subjects match only themselves, case-sensitively")
    func literal() {
        let pattern = SubjectPattern("repo:acme/api:environment:Production")
        #expect(pattern.matches("repo:acme/api:environment:Production"))
        #expect(!pattern.matches("repo:acme/api:environment:production"))
        #expect(!pattern.matches("repo:acme/api:environment:Production2"))
        #expect(!pattern.matches("repo:acme/api:environment:Productio"))
        #expect(!pattern.hasWildcards)
    }

    @Test("* spans any run including empty, ':' and '/'")
    func star() {
        let pattern = SubjectPattern("repo:acme/*")
        #expect(pattern.matches("repo:acme/"))
        #expect(pattern.matches("repo:acme/api:ref:refs/heads/feature/x"))
        #expect(!pattern.matches("repo:acme2/api:ref:refs/heads/main"))
        #expect(SubjectPattern("*").matches(""))
        #expect(SubjectPattern("a*b*c").matches("abc"))
        #expect(SubjectPattern("a*b*c").matches("a:b/xxc"))
        #expect(!SubjectPattern("a*b*c").matches("acb"))
        #expect(SubjectPattern("repo:*:environment:prod").matches("repo:a/b:environment:prod"))
        #expect(!SubjectPattern("repo:*:environment:prod").matches("repo:a/b:environment:prod2"))
    }

    @Test("? is exactly one character, never zero, and a whole multi-byte character")
    func question() {
        #expect(SubjectPattern("v?").matches("v1"))
        #expect(!SubjectPattern("v?").matches("v"))
        #expect(!SubjectPattern("v?").matches("v12"))
        #expect(SubjectPattern("env:?").matches("env:é"))
        #expect(SubjectPattern("env:??").matches("env:日本"))
        #expect(!SubjectPattern("env:?").matches("env:日本"))
        #expect(SubjectPattern("?*?").matches("ab"))
        #expect(!SubjectPattern("?*?").matches("a"))
    }

    @Test("backtracking finds the split a greedy star would miss")
    func backtracking() {
        #expect(SubjectPattern("*ref:refs/heads/main").matches("repo:a/b:ref:refs/heads/ref:refs/heads/main"))
        #expect(SubjectPattern("*aab").matches("aaaab"))
        #expect(!SubjectPattern("*aab").matches("aaaba"))
        #expect(SubjectPattern("**a**").matches("xxa"))
    }

    @Test("intersection of two patterns", arguments: [
        ("repo:acme/api:ref:refs/heads/*", "repo:acme/api:ref:refs/heads/main", true),
        ("repo:acme/api:ref:refs/heads/*", "repo:acme/*:ref:refs/heads/release/*", true),
        ("repo:acme/api:ref:refs/heads/*", "repo:acme/api:ref:refs/tags/*", false),
        ("repo:acme/api:ref:refs/heads/*", "repo:acme/web:*", false),
        ("repo:acme/api:*", "*:environment:prod", true),
        ("a*", "*b", true),
        ("a*b", "b*a", false),
        ("a?c", "*b*", true),
        ("a?", "a??", false),
        ("a*", "a??", true),
        ("?", "", false),
        ("*", "", true),
        ("*a*", "*b*", true),
        ("a*a", "a", false),
        ("a*a", "aa", true),
        ("*x", "*y", false),
        ("x*", "y*", false),
        ("??*", "?", false),
        ("é*", "?x", true),
        ("日*", "??", true),
        ("日?", "?本", true),
        ("日?", "?", false),
    ])
    func intersection(_ a: String, _ b: String, _ expected: Bool) {
        #expect(SubjectPattern(a).intersects(SubjectPattern(b)) == expected)
        #expect(SubjectPattern(b).intersects(SubjectPattern(a)) == expected, "intersection is symmetric")
    }

    /// Reference semantics over Characters, deliberately naive, to check the byte engines.
    static func reference(_ pattern: [Character], _ text: [Character]) -> Bool {
        guard let head = pattern.first else { return text.isEmpty }
        let rest = Array(pattern.dropFirst())
        if head == "*" {
            return (0...text.count).contains { reference(rest, Array(text.dropFirst($0))) }
        }
        guard let first = text.first else { return false }
        return (head == "?" || head == first) && reference(rest, Array(text.dropFirst()))
    }

    @Test("matching and intersection agree with brute force on random small patterns")
    func bruteForce() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        let alphabet: [Character] = ["a", "b", "*", "?"]
        func randomPattern() -> String { String((0..<next(4)).map { _ in alphabet[next(alphabet.count)] }) }
        // Every string over {a, b, c} up to length 6: enough to witness any intersection of
        // patterns with at most 3 non-star symbols each (a shortest witness spends one
        // non-star symbol of either side per character).
        var strings: [String] = [""]
        var frontier: [String] = [""]
        for _ in 0..<6 {
            frontier = frontier.flatMap { prefix in ["a", "b", "c"].map { prefix + $0 } }
            strings += frontier
        }
        for _ in 0..<250 {
            let a = randomPattern()
            let b = randomPattern()
            let pa = SubjectPattern(a)
            let pb = SubjectPattern(b)
            var witnessed = false
            for text in strings {
                let matchA = pa.matches(text)
                #expect(matchA == Self.reference(Array(a), Array(text)), "\(a) vs \(text)")
                if matchA && pb.matches(text) { witnessed = true }
            }
            #expect(pa.intersects(pb) == witnessed, "\(a) ∩ \(b)")
        }
    }

    @Test("equality and hashing follow the text")
    func equality() {
        #expect(SubjectPattern("a*") == SubjectPattern("a*"))
        #expect(SubjectPattern("a*") != SubjectPattern("a?"))
        #expect(Set([SubjectPattern("x"), SubjectPattern("x")]).count == 1)
    }
}

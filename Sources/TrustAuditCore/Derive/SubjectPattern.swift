/// An OIDC subject pattern with Octopus Deploy's matching rules: case-sensitive, `*` matches any
/// run of characters (empty included, `:` and `/` included), `?` matches exactly one character,
/// everything else matches itself. There is no escape character.
///
/// The same type holds the patterns trustaudit derives for a job (`repo:acme/api:ref:refs/heads/*`)
/// and the subjects configured on Octopus identities, so "can this job obtain a token for that
/// identity" is ``intersects(_:)``.
///
/// Matching runs on UTF-8 bytes: the trust graph compares every derived subject against every
/// identity (10,000 repositories × 2,000 identities), so this avoids `Character` and regex
/// costs. `?` still consumes one whole Unicode scalar, never part of one.
public struct SubjectPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    @usableFromInline let bytes: [UInt8]
    /// Bytes before the first wildcard; used to reject most pairs before any real work.
    @usableFromInline let literalPrefixCount: Int
    /// Bytes after the last wildcard.
    @usableFromInline let literalSuffixCount: Int
    /// True when the pattern contains `*` or `?`.
    public let hasWildcards: Bool

    @usableFromInline static let star = UInt8(ascii: "*")
    @usableFromInline static let question = UInt8(ascii: "?")

    public init(_ text: String) {
        self.text = text
        let bytes = Array(text.utf8)
        self.bytes = bytes
        let first = bytes.firstIndex { $0 == Self.star || $0 == Self.question }
        let last = bytes.lastIndex { $0 == Self.star || $0 == Self.question }
        hasWildcards = first != nil
        literalPrefixCount = first ?? bytes.count
        literalSuffixCount = last.map { bytes.count - $0 - 1 } ?? bytes.count
    }

    public var description: String { text }

    public static func == (lhs: SubjectPattern, rhs: SubjectPattern) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// Whether the concrete `subject` is accepted by this pattern.
    public func matches(_ subject: String) -> Bool {
        var subject = subject
        return subject.withUTF8 { Self.match(pattern: bytes, subject: $0) }
    }

    /// Whether some concrete string is accepted by both patterns. A pattern without wildcards
    /// is a single string, so this covers "concrete subject vs identity pattern" too.
    public func intersects(_ other: SubjectPattern) -> Bool {
        if !hasWildcards && !other.hasWildcards { return bytes == other.bytes }
        if !other.hasWildcards { return other.bytes.withUnsafeBufferPointer { Self.match(pattern: bytes, subject: $0) } }
        if !hasWildcards { return bytes.withUnsafeBufferPointer { Self.match(pattern: other.bytes, subject: $0) } }
        // Both strings must start with both literal prefixes, so the shorter must prefix the
        // longer; same at the end. Most unrelated pairs (other repositories) fail here.
        let prefix = min(literalPrefixCount, other.literalPrefixCount)
        for index in 0..<prefix where bytes[index] != other.bytes[index] { return false }
        let suffix = min(literalSuffixCount, other.literalSuffixCount)
        for back in 0..<suffix where bytes[bytes.count - 1 - back] != other.bytes[other.bytes.count - 1 - back] {
            return false
        }
        return bytes.withUnsafeBufferPointer { a in
            other.bytes.withUnsafeBufferPointer { b in Self.intersect(a, b) }
        }
    }

    // MARK: - Engines

    /// Length of the UTF-8 sequence starting with `lead`; 1 for ASCII and for invalid bytes, so a
    /// malformed input still terminates.
    @inline(__always) @usableFromInline
    static func scalarLength(_ lead: UInt8) -> Int {
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }

    /// Iterative glob match with single-star backtracking: on a mismatch, the most recent `*`
    /// absorbs one more scalar. Earlier stars never need revisiting because a later star can
    /// absorb anything an earlier one could, which keeps this O(n·m) worst case and linear in
    /// practice.
    @usableFromInline
    static func match(pattern: [UInt8], subject: UnsafeBufferPointer<UInt8>) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            var pi = 0
            var si = 0
            var starPattern = -1
            var starSubject = 0
            while si < subject.count {
                if pi < p.count {
                    let c = p[pi]
                    if c == star {
                        starPattern = pi
                        starSubject = si
                        pi += 1
                        continue
                    }
                    if c == question {
                        pi += 1
                        si += scalarLength(subject[si])
                        continue
                    }
                    if c == subject[si] {
                        pi += 1
                        si += 1
                        continue
                    }
                }
                guard starPattern >= 0 else { return false }
                starSubject += scalarLength(subject[starSubject])
                si = starSubject
                pi = starPattern + 1
            }
            // `?` may have stepped past the end on a truncated scalar.
            if si > subject.count { return false }
            while pi < p.count && p[pi] == star { pi += 1 }
            return pi == p.count
        }
    }

    /// Emptiness of the intersection of two glob languages, by dynamic programming over pairs
    /// of positions (i in a, j in b): a state is reachable when some string drives `a[..<i]` and
    /// `b[..<j]` to those positions at the same time. A star may end (move past it without
    /// consuming) or absorb one scalar that the other side consumes; `?` and literals consume
    /// exactly one scalar. Every move advances i or j, so one forward sweep settles the table.
    @usableFromInline
    static func intersect(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let width = b.count + 1
        let cells = (a.count + 1) * width
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: cells) { table in
            table.initialize(repeating: false)
            table[0] = true
            for i in 0...a.count {
                for j in 0...b.count where table[i * width + j] {
                    if i == a.count && j == b.count { return true }
                    let ca: UInt8? = i < a.count ? a[i] : nil
                    let cb: UInt8? = j < b.count ? b[j] : nil
                    // A star ending without consuming anything.
                    if ca == star { table[(i + 1) * width + j] = true }
                    if cb == star { table[i * width + j + 1] = true }
                    guard let ca, let cb else { continue }
                    switch (ca == star, cb == star) {
                    case (true, true):
                        continue  // Both absorbing the same scalar changes nothing.
                    case (true, false):
                        // a's star absorbs the scalar b consumes.
                        let step = cb == question ? 1 : scalarLength(cb)
                        if j + step <= b.count { table[i * width + j + step] = true }
                    case (false, true):
                        let step = ca == question ? 1 : scalarLength(ca)
                        if i + step <= a.count { table[(i + step) * width + j] = true }
                    case (false, false):
                        if ca == question && cb == question {
                            table[(i + 1) * width + j + 1] = true
                        } else if ca == question {
                            let step = scalarLength(cb)
                            if j + step <= b.count { table[(i + 1) * width + j + step] = true }
                        } else if cb == question {
                            let step = scalarLength(ca)
                            if i + step <= a.count { table[(i + step) * width + j + 1] = true }
                        } else if ca == cb {
                            table[(i + 1) * width + j + 1] = true
                        }
                    }
                }
            }
            return table[cells - 1]
        }
    }
}

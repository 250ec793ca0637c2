import Testing
@testable import TrustAuditCore

@Suite("State digests")
struct StateDigestTests {
    private static func digest(_ records: [[String]]) -> String {
        var digest = StateDigest()
        for record in records { digest.add(record) }
        return digest.hex
    }

    @Test("the same records give the same digest, and a record is its field count, then each field's byte length and bytes")
    func layout() {
        #expect(Self.digest([["a", "bc"], ["é"]]) == Self.digest([["a", "bc"], ["é"]]))
        #expect(Self.digest([["a", "bc"], ["é"]]) == SHA256.hex("2:1:a2:bc1:2:é"))
        #expect(StateDigest("tag").hex == Self.digest([["tag"]]))
        // Counts of several digits, and a count of zero, are written in full.
        let long = String(repeating: "x", count: 1234)
        #expect(Self.digest([Array(repeating: "y", count: 12) + [long, ""]])
                == SHA256.hex("14:" + String(repeating: "1:y", count: 12) + "1234:" + long + "0:"))
    }

    @Test("moving text between fields or records changes the digest, even when a field holds a separator or a digit")
    func unambiguous() {
        let variants: [[[String]]] = [
            [["ab", "c"]], [["a", "bc"]], [["abc"]], [["a"], ["bc"]], [["a", "b", "c"]],
            [["a\u{1F}b"]], [["a", "b"]], [["1:a"]], [["1", "a"]], [[""]], [], [[]], [["", ""]],
        ]
        let digests = variants.map(Self.digest)
        #expect(Set(digests).count == variants.count)
    }
}

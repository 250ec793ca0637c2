import Crypto

/// SHA-256 (FIPS 180-4), used to address content and to fingerprint findings: swift-crypto's
/// implementation (BoringSSL on Linux, with the CPU's SHA instructions where it has them),
/// with the lowercase hex the database and fingerprints store.
public enum SHA256 {
    /// The lowercase hex digest of a string's UTF-8 bytes.
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// The lowercase hex digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String { Hex.lowercase(digest(bytes)) }

    /// The 32 bytes of the digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] { Array(Crypto.SHA256.hash(data: bytes)) }
}

/// Lowercase hexadecimal text of bytes, without a formatter per byte.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func lowercase<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

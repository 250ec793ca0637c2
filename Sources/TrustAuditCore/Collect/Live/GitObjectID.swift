import Crypto
import Foundation

/// Git object names: what a blob's bytes must hash to before a collector uses or caches them.
///
/// A blob's name is the hash of `"blob <size>\0"` followed by its bytes: SHA-1 (40 hex digits)
/// in ordinary repositories, SHA-256 (64) in repositories created with the SHA-256 object format.
public enum GitObjectID {
    public static func isWellFormed(_ id: String) -> Bool {
        (id.utf8.count == 40 || id.utf8.count == 64) && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The name of a blob holding `bytes`, in the format of `like` (SHA-1 unless it is 64 digits long).
    public static func blob(_ bytes: [UInt8], like id: String = "") -> String {
        var data = Data("blob \(bytes.count)\0".utf8)
        data.append(contentsOf: bytes)
        if id.utf8.count == 64 {
            return Hex.lowercase(Crypto.SHA256.hash(data: data))
        }
        return Hex.lowercase(Insecure.SHA1.hash(data: data))
    }

    /// Whether `bytes` are the blob named `id` (compared in lowercase, as git prints names).
    public static func isBlob(_ bytes: [UInt8], named id: String) -> Bool {
        isWellFormed(id.lowercased()) && blob(bytes, like: id) == id.lowercased()
    }
}

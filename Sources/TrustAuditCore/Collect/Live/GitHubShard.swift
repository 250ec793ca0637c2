import Foundation

/// One part of an organization's repositories (`--shard K/N`), so several machines, CI jobs or
/// App installations collect one large estate in parallel into folders that a single `scan`
/// reads. A repository belongs to exactly one shard, chosen by a hash of its lowercased name:
/// stable from night to night and spread evenly, whatever order GitHub lists repositories in.
public struct GitHubShard: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `K/N` with 1 ≤ K ≤ N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(_ fullName: String) -> Bool {
        let digest = SHA256.hex(Array(fullName.lowercased().utf8))
        let value = UInt64(digest.prefix(15), radix: 16) ?? 0
        return Int(value % UInt64(count)) == index - 1
    }
}

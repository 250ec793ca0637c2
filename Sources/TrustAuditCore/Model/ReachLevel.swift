/// The least privilege at which a person can get code of their choosing to run in a job that
/// presents a subject an identity accepts, from worst (`anyone`) to best (`approve`).
public enum ReachLevel: Int, Comparable, CaseIterable, Sendable {
    /// Any GitHub user: a public repository whose job runs outsider input under a trigger
    /// outsiders can fire.
    case anyone
    /// Anyone who can read the (private or internal) repository: the same in a non-public one.
    case read
    /// Anyone who can push a branch.
    case write
    /// Only changes that passed a review and were merged to a protected ref.
    case merge
    /// Only runs an environment's required reviewer approves.
    case approve

    public static func < (lhs: ReachLevel, rhs: ReachLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var word: String {
        switch self {
        case .anyone: return "anyone"
        case .read: return "read"
        case .write: return "write"
        case .merge: return "merge"
        case .approve: return "approve"
        }
    }

    public init?(word: String) {
        guard let level = Self.allCases.first(where: { $0.word == word.lowercased() }) else { return nil }
        self = level
    }
}

/// A level with the reason for it, in words.
public struct Reach: Sendable, Equatable {
    public var level: ReachLevel
    public var reason: String

    public init(_ level: ReachLevel, _ reason: String) {
        self.level = level
        self.reason = reason
    }

    /// The lower (worse) of two; the first when equal.
    static func lower(_ a: Reach?, _ b: Reach) -> Reach {
        guard let a else { return b }
        return b.level < a.level ? b : a
    }
}

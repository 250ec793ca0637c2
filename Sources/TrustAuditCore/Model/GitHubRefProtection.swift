/// What protects a branch, or the tags a ruleset targets, reduced to what decides who can put
/// code there.
public struct GitHubRefProtection: Sendable, Equatable {
    /// The branch name, or for a tag ruleset its `ref_name.include` patterns joined with `, `.
    public var name: String
    /// `rules` (a ruleset), `classic` (branch protection) or both joined with `+`.
    public var source: String
    /// The highest `required_approving_review_count` of a pull-request rule; nil when no rule
    /// requires a pull request, or (classic) when the protection's details were not exported.
    public var requiredApprovals: Int?
    /// Only bypass actors may push (`update` rule, classic push restrictions).
    public var restrictsUpdates: Bool
    /// Only bypass actors may create matching refs (`creation` rule).
    public var restrictsCreation: Bool
    /// True when any rule or protection applies at all.
    public var isProtected: Bool
    /// The rule types as GitHub names them.
    public var ruleTypes: [String]
    /// For tag rulesets: `ref_name.include` and `exclude` patterns (`refs/tags/v*`, `~ALL`).
    public var include: [String]
    public var exclude: [String]

    public init(name: String, source: String, requiredApprovals: Int? = nil, restrictsUpdates: Bool = false,
                restrictsCreation: Bool = false, isProtected: Bool, ruleTypes: [String] = [], include: [String] = [],
                exclude: [String] = []) {
        self.name = name
        self.source = source
        self.requiredApprovals = requiredApprovals
        self.restrictsUpdates = restrictsUpdates
        self.restrictsCreation = restrictsCreation
        self.isProtected = isProtected
        self.ruleTypes = ruleTypes
        self.include = include
        self.exclude = exclude
    }
}

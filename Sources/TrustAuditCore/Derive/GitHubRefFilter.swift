/// Turns a GitHub `branches:`/`tags:` filter pattern into an Octopus-style subject pattern
/// (`*` any run, `?` one character) that accepts at least every name GitHub's filter accepts.
///
/// GitHub's filter language is richer than Octopus's: `*` stops at `/`, `**` does not, `?`
/// and `+` quantify the preceding character, `[…]` is a character class, `\` escapes and a
/// leading `!` negates. Whatever cannot be expressed exactly is widened, never narrowed,
/// because a too-narrow pattern would hide a job that can in fact obtain a token.
public enum GitHubRefFilter {
    /// The widened pattern for one filter entry, or nil for a negation (`!pattern`), which can
    /// only remove names and is therefore ignored.
    public static func subjectPattern(_ filter: String) -> String? {
        if filter.hasPrefix("!") { return nil }
        // Each unit is one position of the input: a literal character, one-character wildcard
        // or a run; quantifiers rewrite the unit before them.
        enum Unit: Equatable {
            case literal(Character)
            case one
            case any
        }
        var units: [Unit] = []
        var characters = Array(filter)[...]
        while let character = characters.popFirst() {
            switch character {
            case "\\":
                // An escaped character is itself; a trailing backslash is kept literally.
                units.append(.literal(characters.popFirst() ?? "\\"))
            case "*":
                units.append(.any)
            case "?":
                // Zero or one of the preceding unit: it may vanish, which `*` covers.
                if !units.isEmpty { units[units.count - 1] = .any } else { units.append(.any) }
            case "+":
                // One or more of the preceding unit: one of it, then anything.
                // After a run (`*+`) nothing changes: the run already covers it.
                if units.last != .any { units.append(.any) }
            case "[":
                // A class matches exactly one character; its contents do not matter once widened.
                if let close = characters.firstIndex(of: "]") {
                    characters = characters[characters.index(after: close)...]
                    units.append(.one)
                } else {
                    units.append(.literal("["))
                }
            default:
                units.append(.literal(character))
            }
        }
        var result = ""
        for unit in units {
            switch unit {
            case .literal(let character): result.append(character)
            case .one: result.append("?")
            case .any where !result.hasSuffix("*"): result.append("*")
            case .any: break
            }
        }
        return result
    }

    /// Patterns for a filter list: the positive entries converted, or `["*"]` when there are
    /// none (a list of only negations is unusual enough that widening beats guessing).
    public static func subjectPatterns(_ filters: [String]) -> [String] {
        let patterns = filters.compactMap(subjectPattern)
        return patterns.isEmpty ? ["*"] : patterns
    }
}

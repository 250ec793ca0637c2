/// The combinations a job's `strategy.matrix` runs, as GitHub builds them: the product of the
/// keys' value lists, minus `exclude`, plus `include` (merged into every combination whose original
/// values it does not overwrite, else added on its own).
///
/// A matrix built at run time (`fromJSON(…)`, or any `${{ }}` in a list) is unknown. So is one
/// with more combinations than GitHub runs (`maxCombinations`): GitHub refuses such a run, and
/// listing its values would claim paths that never exist.
enum MatrixExpansion {
    /// GitHub runs at most 256 jobs per matrix.
    static let maxCombinations = 256

    enum Outcome: Equatable {
        /// Every combination (one empty combination for a job without a matrix).
        case combinations([[String: JSONValue]])
        case unknown(String)
    }

    static func combinations(_ matrix: JSONValue?) -> Outcome {
        guard let matrix else { return .combinations([[:]]) }
        guard case .object(let members) = matrix else {
            if case .string(let text) = matrix, text.contains("${{") {
                return .unknown("the matrix is `\(text)`, decided at run time")
            }
            return .unknown("the matrix is not a mapping")
        }
        var keys: [(String, [JSONValue])] = []
        var size = 1
        for key in members.keys.sorted() where key != "include" && key != "exclude" {
            guard case .array(let values) = members[key] ?? .null else {
                if case .string(let text)? = members[key], text.contains("${{") {
                    return .unknown("matrix.\(key) is `\(text)`, decided at run time")
                }
                return .unknown("matrix.\(key) is not a list")
            }
            if let dynamic = values.first(where: Self.isExpression) {
                return .unknown("matrix.\(key) holds `\(dynamic.jsonText)`, decided at run time")
            }
            // Counted before building anything, so a huge matrix costs nothing.
            let (product, overflow) = size.multipliedReportingOverflow(by: values.count)
            guard !overflow, product <= maxCombinations else {
                return .unknown("the matrix has more than \(maxCombinations) combinations, more than GitHub runs in one matrix")
            }
            size = product
            keys.append((key, values))
        }
        guard let includes = list(members["include"]) else {
            return .unknown("matrix.include is decided at run time or not a list of mappings")
        }
        guard let excludes = list(members["exclude"]) else {
            return .unknown("matrix.exclude is decided at run time or not a list of mappings")
        }
        guard includes.count <= maxCombinations, excludes.count <= maxCombinations * 4 else {
            return .unknown("the matrix has more than \(maxCombinations) combinations, more than GitHub runs in one matrix")
        }
        var combinations: [[String: JSONValue]] = keys.isEmpty ? [] : [[:]]
        for (key, values) in keys {
            combinations = combinations.flatMap { partial in
                values.map { value in
                    var extended = partial
                    extended[key] = value
                    return extended
                }
            }
        }
        combinations.removeAll { combination in
            excludes.contains { exclude in exclude.allSatisfy { combination[$0.key] == $0.value } }
        }
        let originalKeys = Set(keys.map(\.0))
        var added: [[String: JSONValue]] = []
        var extendedCount = combinations.count
        // Each include extends the combinations it can; values it adds (not original ones)
        // may be overwritten by a later include.
        var extended = combinations
        for include in includes {
            var matched = false
            for index in extended.indices {
                let original = combinations[index]
                let conflicts = include.contains { key, value in originalKeys.contains(key) && original[key] != nil && original[key] != value }
                guard !conflicts else { continue }
                matched = true
                extended[index].merge(include) { _, new in new }
            }
            if !matched {
                added.append(include)
                extendedCount += 1
            }
        }
        let result = extended + added
        guard extendedCount <= maxCombinations else {
            return .unknown("the matrix has more than \(maxCombinations) combinations, more than GitHub runs in one matrix")
        }
        // Everything excluded: GitHub runs no job at all.
        return .combinations(result)
    }

    private static func isExpression(_ value: JSONValue) -> Bool {
        if case .string(let text) = value { return text.contains("${{") }
        return false
    }

    /// The mappings of `include`/`exclude`; nil when it is an expression or not a list of mappings.
    private static func list(_ value: JSONValue?) -> [[String: JSONValue]]? {
        guard let value else { return [] }
        guard case .array(let items) = value else { return nil }
        var result: [[String: JSONValue]] = []
        for item in items {
            guard case .object(let members) = item, !members.values.contains(where: isExpression) else { return nil }
            result.append(members)
        }
        return result
    }
}

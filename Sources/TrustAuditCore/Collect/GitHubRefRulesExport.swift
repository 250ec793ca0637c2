import Foundation

/// Reads the branch and tag protection keys of a repository's settings export:
///
/// - `branch_rules`: branch name → the array `GET /repos/{o}/{r}/rules/branches/{branch}` returns
///   (every active ruleset rule applying to it: `{"type": "pull_request", "parameters":
///   {"required_approving_review_count": 1, …}, "ruleset_source_type": …, "ruleset_id": …}`);
/// - `branches`: branch name → the `GET /repos/{o}/{r}/branches/{branch}` body (classic
///   protection: `protected`), and `branch_protection`: branch name → the
///   `GET …/branches/{branch}/protection` body (`required_pull_request_reviews`, `restrictions`);
/// - `rulesets`: the `GET /repos/{o}/{r}/rulesets/{id}` bodies; those with `target: tag` and
///   `enforcement: active` protect tags.
enum GitHubRefRulesExport {
    static func branchProtections(_ object: [String: Any], reader: inout JSONTreeReader) -> [String: GitHubRefProtection]? {
        let rules = reader.object(object, "branch_rules", at: "")
        let branches = reader.object(object, "branches", at: "")
        let classic = reader.object(object, "branch_protection", at: "")
        guard rules != nil || branches != nil || classic != nil else { return nil }
        var result: [String: GitHubRefProtection] = [:]
        for branch in (rules ?? [:]).keys.sorted() {
            let path = JSONTreeReader.path("branch_rules", branch)
            guard let list = rules?[branch] as? [Any] else {
                reader.record(path, .wrongType(expected: "an array of rules", found: JSONTreeReader.typeName(rules?[branch] as Any)))
                continue
            }
            result[branch] = fromRules(list, name: branch, path: path, reader: &reader)
        }
        for branch in Set((branches ?? [:]).keys).union((classic ?? [:]).keys).sorted() {
            var protection = GitHubRefProtection(name: branch, source: "classic", isProtected: false)
            if let body = branches?[branch] {
                let path = JSONTreeReader.path("branches", branch)
                if let item = reader.object(body, at: path) {
                    protection.isProtected = reader.bool(item, "protected", at: path, required: true) ?? false
                }
            }
            if let body = classic?[branch] {
                let path = JSONTreeReader.path("branch_protection", branch)
                if let item = reader.object(body, at: path) {
                    protection.isProtected = true
                    if let reviews = reader.object(item, "required_pull_request_reviews", at: path) {
                        protection.requiredApprovals = reader.int(
                            reviews, "required_approving_review_count", at: JSONTreeReader.path(path, "required_pull_request_reviews")) ?? 0
                        protection.ruleTypes.append("required_pull_request_reviews")
                    }
                    if let restrictions = item["restrictions"], !JSONTreeReader.isNull(restrictions) {
                        protection.restrictsUpdates = true
                        protection.ruleTypes.append("restrictions")
                    }
                }
            }
            if let existing = result[branch] {
                result[branch] = merge(existing, protection)
            } else {
                result[branch] = protection
            }
        }
        return result
    }

    private static func merge(_ a: GitHubRefProtection, _ b: GitHubRefProtection) -> GitHubRefProtection {
        var merged = a
        merged.source = "\(a.source)+\(b.source)"
        if let approvals = b.requiredApprovals { merged.requiredApprovals = max(a.requiredApprovals ?? 0, approvals) }
        merged.restrictsUpdates = a.restrictsUpdates || b.restrictsUpdates
        merged.restrictsCreation = a.restrictsCreation || b.restrictsCreation
        merged.isProtected = a.isProtected || b.isProtected
        merged.ruleTypes = a.ruleTypes + b.ruleTypes
        return merged
    }

    /// One ref's rules from a rules array (`rules/branches/{branch}`, or a ruleset's `rules`).
    private static func fromRules(_ list: [Any], name: String, path: String, reader: inout JSONTreeReader) -> GitHubRefProtection {
        var protection = GitHubRefProtection(name: name, source: "rules", isProtected: !list.isEmpty)
        for (index, element) in list.enumerated() {
            let rulePath = JSONTreeReader.path(path, index)
            guard let rule = reader.object(element, at: rulePath),
                  let type = reader.string(rule, "type", at: rulePath, required: true) else { continue }
            protection.ruleTypes.append(type)
            switch type {
            case "pull_request":
                let parameters = reader.object(rule, "parameters", at: rulePath)
                let count = parameters.flatMap {
                    reader.int($0, "required_approving_review_count", at: JSONTreeReader.path(rulePath, "parameters"))
                } ?? 0
                protection.requiredApprovals = max(protection.requiredApprovals ?? 0, count)
            case "update":
                protection.restrictsUpdates = true
            case "creation":
                protection.restrictsCreation = true
            default:
                continue
            }
        }
        return protection
    }

    static func tagRulesets(_ object: [String: Any], reader: inout JSONTreeReader) -> [GitHubRefProtection]? {
        guard let list = reader.array(object, "rulesets", at: "") else { return nil }
        var result: [GitHubRefProtection] = []
        for (index, element) in list.enumerated() {
            let path = JSONTreeReader.path("rulesets", index)
            guard let ruleset = reader.object(element, at: path),
                  reader.string(ruleset, "target", at: path) == "tag",
                  reader.string(ruleset, "enforcement", at: path, required: true) == "active" else { continue }
            var include: [String] = []
            var exclude: [String] = []
            if let conditions = reader.object(ruleset, "conditions", at: path),
               let refName = reader.object(conditions, "ref_name", at: JSONTreeReader.path(path, "conditions")) {
                let refPath = JSONTreeReader.path(JSONTreeReader.path(path, "conditions"), "ref_name")
                include = reader.strings(refName, "include", at: refPath) ?? []
                exclude = reader.strings(refName, "exclude", at: refPath) ?? []
            }
            let rules = reader.array(ruleset, "rules", at: path, required: true) ?? []
            var protection = fromRules(rules, name: include.joined(separator: ", "), path: JSONTreeReader.path(path, "rules"), reader: &reader)
            protection.include = include
            protection.exclude = exclude
            result.append(protection)
        }
        return result
    }
}

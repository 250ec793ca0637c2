/// Describes, in words, what protection an environment puts between a job and a token.
///
/// The text goes into `derived_subjects.gate` (the `trust_graph` view's `gate`) and every report of the trust graph, so it must let an
/// auditor judge the gate without looking anything up: reviewers, self-review, wait timer, which
/// refs may deploy, and whether admins may bypass.
public struct EnvironmentGate: Sendable, Equatable {
    public var repository: String
    public var name: String
    public var reviewerNames: [String]?
    public var preventSelfReview: Bool?
    public var waitTimer: Int?
    public var branchPolicy: String?
    public var branchPolicyNames: [String]
    public var canAdminsBypass: Bool?
    public var otherRules: [String]

    /// The gate text for a job's environment, given what the scan collected.
    /// - Parameters:
    ///   - environment: the environment as written in the workflow, nil for none.
    ///   - collected: whether the repository's environments were collected at all.
    ///   - gate: the matching environment from the settings, if any.
    public static func describe(environment: String?, collected: Bool, gate: EnvironmentGate?) -> String {
        guard let environment else { return "none (no environment)" }
        if environment.contains("${{") { return "unknown (environment `\(environment)` is decided at run time)" }
        guard collected else { return "environment \(environment): protection unknown (environments not collected)" }
        guard let gate else { return "environment \(environment): none (not defined in the repository; GitHub creates it unprotected on first use)" }
        return "environment \(environment): " + gate.protection
    }

    /// The protection rules in words, "no protection rules" when there are none.
    public var protection: String {
        var parts: [String] = []
        if let reviewerNames, !reviewerNames.isEmpty {
            parts.append("\(reviewerNames.count) required reviewer\(reviewerNames.count == 1 ? "" : "s") (\(reviewerNames.joined(separator: ", ")))"
                         + (preventSelfReview == true ? ", self-review prevented" : ", self-review allowed"))
        } else {
            parts.append("no required reviewers")
        }
        if let waitTimer, waitTimer > 0 { parts.append("wait \(waitTimer) min") }
        switch branchPolicy {
        case "protected"?: parts.append("protected branches only")
        case "custom"?, "protected+custom"?:
            let names = branchPolicyNames.isEmpty ? "none listed" : branchPolicyNames.joined(separator: ", ")
            parts.append((branchPolicy == "custom" ? "" : "protected branches and ") + "refs matching \(names)")
        case "all"?: parts.append("any branch")
        default: parts.append("branch policy not collected")
        }
        if !otherRules.isEmpty { parts.append("custom rules: \(otherRules.joined(separator: ", "))") }
        if canAdminsBypass == true { parts.append("admins may bypass") }
        return parts.joined(separator: "; ")
    }
}

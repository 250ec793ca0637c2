/// One way a workflow can start, reduced to what the `sub` claim depends on: the event, and
/// either the pull-request context or the git ref (concrete or a pattern).
struct TriggerScenario: Equatable {
    enum Context: Equatable {
        case pullRequest
        /// `refs/heads/…`, `refs/tags/…`, `refs/*` or `*`, in subject-pattern syntax.
        case ref(String)
    }

    /// How the workflow was started: directly, or as a reusable workflow.
    enum Invocation: Equatable {
        case direct
        /// Called by a workflow of the same repository whose triggers are known.
        case knownCaller
        case unknownCaller
    }

    /// The event name; `*` when it is the unknown caller's (reusable workflows).
    var event: String
    var context: Context
    var invocation: Invocation = .direct
    var reason: String

    /// True when the workflow runs as a reusable workflow for an unknown caller.
    var calledByUnknownCaller: Bool { invocation == .unknownCaller }

    /// The `ref` claim this scenario gives.
    var ref: String {
        switch context {
        case .pullRequest: return "refs/pull/*/merge"
        case .ref(let ref): return ref
        }
    }

    /// The `ref_type` claim: known only for branch and tag refs.
    var refType: String {
        switch context {
        case .ref(let ref) where ref.hasPrefix("refs/heads/"): return "branch"
        case .ref(let ref) where ref.hasPrefix("refs/tags/"): return "tag"
        default: return "*"
        }
    }
}

/// GitHub's rules for which ref (or pull-request context) each event runs on.
enum TriggerScenarios {
    /// Events whose `sub` uses the pull-request context.
    static let pullRequestEvents: Set = ["pull_request", "pull_request_review", "pull_request_review_comment"]

    /// Events that always run on the last commit of the default branch.
    static let defaultBranchEvents: Set = [
        "schedule", "workflow_run", "issue_comment", "issues", "label", "milestone", "discussion",
        "discussion_comment", "gollum", "member", "page_build", "project", "project_card", "project_column",
        "public", "watch", "fork", "status", "check_run", "check_suite", "branch_protection_rule", "delete",
        "registry_package", "sub_issues", "image_version",
    ]

    static func scenarios(for trigger: TriggerFact, defaultBranch: String?) -> [TriggerScenario] {
        let event = trigger.event
        func ref(_ ref: String, _ reason: String) -> TriggerScenario {
            TriggerScenario(event: event, context: .ref(ref), reason: reason)
        }
        func branches(_ filters: [String]?, _ why: String) -> [TriggerScenario] {
            guard let filters else { return [ref("refs/heads/*", "\(event) on any branch")] }
            return GitHubRefFilter.subjectPatterns(filters).map {
                ref("refs/heads/\($0)", "\(event) on branches matching \($0) (\(why))")
            }
        }
        func tags(_ filters: [String]?) -> [TriggerScenario] {
            guard let filters else { return [ref("refs/tags/*", "\(event) on any tag")] }
            return GitHubRefFilter.subjectPatterns(filters).map {
                ref("refs/tags/\($0)", "\(event) on tags matching \($0) (tags filter)")
            }
        }

        if pullRequestEvents.contains(event) {
            return [TriggerScenario(event: event, context: .pullRequest, reason: "\(event) event: pull-request subject")]
        }
        if defaultBranchEvents.contains(event) {
            guard let defaultBranch else {
                return [ref("refs/heads/*", "\(event) runs on the default branch, which was not collected")]
            }
            return [ref("refs/heads/\(defaultBranch)", "\(event) runs on the default branch")]
        }
        switch event {
        case "push":
            let hasBranchFilter = trigger.branches != nil || trigger.branchesIgnore != nil
            let hasTagFilter = trigger.tags != nil || trigger.tagsIgnore != nil
            // GitHub: with only branch filters, tag pushes do not run the workflow, and the
            // other way round; with neither, both do. `-ignore` lists only narrow, so they count
            // as "any" of their kind.
            var result: [TriggerScenario] = []
            if hasBranchFilter || !hasTagFilter { result += branches(trigger.branches, "branches filter") }
            if hasTagFilter || !hasBranchFilter { result += tags(trigger.tags) }
            return result
        case "pull_request_target":
            // Runs in the base repository's context on the base branch, yet GitHub's subject
            // rules treat it as a pull-request event: both are possible and both are derived.
            let base = branches(trigger.branches, "pull_request_target base branches filter").map {
                var scenario = $0
                scenario.reason = "pull_request_target runs on the base branch ref: " + $0.reason
                return scenario
            }
            return base + [TriggerScenario(
                event: event, context: .pullRequest,
                reason: "pull_request_target may also present the pull-request subject")]
        case "workflow_dispatch":
            // The run's ref is chosen by whoever dispatches it: any branch, and tags too
            // (the UI and API both accept a tag).
            return [ref("refs/heads/*", "workflow_dispatch can run on any branch"),
                    ref("refs/tags/*", "workflow_dispatch can run on any tag")]
        case "repository_dispatch":
            return [ref("refs/heads/*", "repository_dispatch: treated as any branch")]
        case "release":
            return [ref("refs/tags/*", "release runs on the release's tag")]
        case "create":
            return [ref("refs/heads/*", "create runs on the created branch"),
                    ref("refs/tags/*", "create runs on the created tag")]
        case "merge_group":
            // Queue branches are gh-readonly-queue/<base branch>/pr-<n>-<sha>.
            guard let filters = trigger.branches else {
                return [ref("refs/heads/gh-readonly-queue/*", "merge_group runs on merge-queue branches")]
            }
            return GitHubRefFilter.subjectPatterns(filters).map {
                ref("refs/heads/gh-readonly-queue/\($0)/*", "merge_group for base branches matching \($0)")
            }
        case "deployment", "deployment_status":
            return [ref("*", "\(event) runs on the deployed branch, tag or commit")]
        case "workflow_call":
            return [
                TriggerScenario(event: "*", context: .ref("refs/*"), invocation: .unknownCaller,
                                reason: "reusable workflow: the caller's ref is unknown"),
                TriggerScenario(event: "*", context: .pullRequest, invocation: .unknownCaller,
                                reason: "reusable workflow: a caller triggered by a pull request presents the pull-request subject"),
            ]
        default:
            return [ref("refs/*", "\(event) is not an event trustaudit knows; any ref assumed")]
        }
    }
}

/// Decides `reachable_by` for trust paths and for identities' subjects.
///
/// A writer can push a branch holding a workflow of their own, so a subject is reachable by
/// `write` unless something stops that: a branch or tag rule that only reviewed changes pass
/// (`merge`), or an environment whose required reviewers must approve the run (`approve`). A
/// path is lower still (`anyone`/`read`) when a trigger outsiders can fire runs outsider input
/// in its job. A fact that was not collected counts as the worse case, and the reason says so.
///
/// Self-review: an environment whose reviewers may approve their own runs still ranks
/// `approve` (someone named as a reviewer must act), and the reason says that such a reviewer
/// who can push deploys code of their own choosing alone.
struct ReachabilityJudge {
    let facts: TrustGraphFacts
    /// Each repository's workflows by the name `workflow_run` matches, built once: every
    /// `workflow_run` path looks its followed workflows up here.
    private let workflowsByName: [RepositoryKey: [String: [TrustGraphFacts.Workflow]]]

    init(facts: TrustGraphFacts) {
        self.facts = facts
        var index: [RepositoryKey: [String: [TrustGraphFacts.Workflow]]] = [:]
        for key in facts.workflowOrder {
            guard let workflow = facts.workflows[key] else { continue }
            index[RepositoryKey(workflow.repository), default: [:]][Self.workflowName(workflow), default: []].append(workflow)
        }
        workflowsByName = index
    }

    /// The parts of a subject that decide who can present it.
    struct SubjectShape: Equatable {
        enum Context: Equatable {
            case environment(String)
            case pullRequest
            case ref(String)
            /// Any context (`*` in place of it), or none the subject names.
            case open
        }

        var repository: String?
        var context: Context

        /// Reads `repo:OWNER/NAME:environment:X`-like subjects, including custom templates'
        /// `key:value` sequences; claim values never hold a `:` (GitHub escapes it).
        static func parse(_ subject: String) -> SubjectShape {
            let tokens = subject.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            var shape = SubjectShape(repository: nil, context: .open)
            var index = 0
            while index < tokens.count {
                let token = tokens[index]
                switch token {
                case "pull_request":
                    shape.context = .pullRequest
                    index += 1
                case "repo":
                    shape.repository = index + 1 < tokens.count ? withoutIDs(tokens[index + 1]) : nil
                    index += 2
                case "environment":
                    if index + 1 < tokens.count { shape.context = .environment(tokens[index + 1].replacingOccurrences(of: "%3A", with: ":")) }
                    index += 2
                case "ref":
                    if index + 1 < tokens.count, case .open = shape.context {
                        shape.context = .ref(tokens[index + 1].replacingOccurrences(of: "%3A", with: ":"))
                    }
                    index += 2
                default:
                    index += 2
                }
            }
            return shape
        }

        /// `acme@12/api@34` → `acme/api`.
        private static func withoutIDs(_ repository: String) -> String {
            repository.split(separator: "/", omittingEmptySubsequences: false).map { part in
                guard let at = part.firstIndex(of: "@") else { return String(part) }
                return String(part[..<at])
            }.joined(separator: "/")
        }
    }

    private static func isPattern(_ text: String) -> Bool { text.contains("*") || text.contains("?") }

    // MARK: - Paths

    /// The level of one trust path: `job` presenting `subject`.
    func path(_ subject: DerivedSubject, job: MintingJob) -> Reach {
        let repository = RepositoryKey(job.repository)
        let shape = SubjectShape.parse(subject.value)
        let gated = self.subject(shape, repository: repository, repositoryName: job.repository)
        guard let outsider = outsider(trigger: subject.trigger, job: job) else { return gated }
        if gated.level == .approve, case .environment = shape.context {
            return Reach(.approve, "\(outsider.reason), but \(gated.reason)")
        }
        return outsider
    }

    /// `anyone`/`read` when the path's trigger is one outsiders can fire and its job runs
    /// outsider input; nil otherwise.
    private func outsider(trigger: String, job: MintingJob) -> Reach? {
        guard let triggers = facts.outsiderTriggers else { return nil }
        guard var why = triggers[trigger] else { return nil }
        let repository = RepositoryKey(job.repository)
        if trigger == "workflow_run" {
            // Only as open as the runs it follows: chained from a push, only writers start it.
            let names = job.triggers.first { $0.event == "workflow_run" }?.workflows
            guard let source = workflowRunSource(names, repository: repository, depth: 1) else { return nil }
            why = source
        }
        let visibility = facts.repositories[repository]?.visibility?.lowercased()
        let level: ReachLevel
        let who: String
        switch visibility {
        case "public"?:
            level = .anyone
            who = "any GitHub user"
        case "private"?, "internal"?:
            level = .read
            who = "anyone who can read \(job.repository)"
        default:
            level = .anyone
            who = "any GitHub user (the repository's visibility was not collected, so it counts as public)"
        }
        let input: String
        if let presenting = job.presenting, let inputs = facts.outsiderInputs {
            guard let found = inputs[presenting], !found.isEmpty else { return nil }
            input = "the job runs input they control (\(found.prefix(3).joined(separator: ", ")))"
        } else if facts.outsiderInputs == nil {
            input = "whether the job runs outsider input was not collected"
        } else {
            input = "the called jobs are unknown, so they may run input they control"
        }
        return Reach(level, "\(trigger) can be started by \(who) (\(why)), and \(input)")
    }

    /// Why outsiders can cause a run of one of the workflows `names` (in `repository`), which a
    /// `workflow_run` trigger follows; nil when only writers can. A workflow that is not in the
    /// scan, or names not given, count as the worse case. GitHub chains at most three levels.
    private func workflowRunSource(_ names: [String]?, repository: RepositoryKey, depth: Int) -> String? {
        guard let names, !names.isEmpty else {
            return "it names no workflow to follow, so which runs start it is unknown (counts as runs outsiders start)"
        }
        guard depth <= 3 else { return nil }
        let direct = facts.outsiderTriggers ?? [:]
        for name in names {
            let followed = workflowsByName[repository]?[name] ?? []
            guard !followed.isEmpty else {
                return "it follows workflow `\(name)`, which is not in this scan of the repository, so it counts as one outsiders start (not collected)"
            }
            for workflow in followed {
                for trigger in workflow.triggers {
                    if trigger.event == "workflow_run" {
                        if let deeper = workflowRunSource(trigger.workflows, repository: repository, depth: depth + 1) {
                            return "it follows `\(name)`, which follows workflow runs: \(deeper)"
                        }
                    } else if trigger.event == "pull_request" {
                        return "it follows `\(name)` (\(workflow.path)), which runs for pull requests, including from forks, and hands the run's branch, commit and artifacts on with the base repository's token and secrets"
                    } else if let reason = direct[trigger.event] {
                        return "it follows `\(name)` (\(workflow.path)), which runs on \(trigger.event): \(reason)"
                    }
                }
            }
        }
        return nil
    }

    /// The name `workflow_run` matches: the workflow's `name:`, else its path, as GitHub shows it.
    private static func workflowName(_ workflow: TrustGraphFacts.Workflow) -> String {
        workflow.name ?? workflow.path
    }

    // MARK: - Identities

    /// The one repository `subject` names (not a pattern), whose settings judge it.
    static func namedRepository(_ subject: String) -> RepositoryKey? {
        guard let name = SubjectShape.parse(subject).repository, !isPattern(name) else { return nil }
        return RepositoryKey(name)
    }

    /// The level an identity's subject alone allows, for GitHub issuers; nil for others.
    func identity(_ identity: IdentityTarget) -> Reach? {
        guard IdentityIndex.isGitHubIssuer(identity.issuer) else { return nil }
        let shape = SubjectShape.parse(identity.subject)
        guard let name = shape.repository, !Self.isPattern(name) else {
            return Reach(.write, "identity subject `\(identity.subject)` accepts every repository it matches, including ones members may create, where anyone who can push a branch can add a workflow")
        }
        let repository = RepositoryKey(name)
        guard facts.repositories[repository] != nil else {
            return Reach(.write, "identity subject `\(identity.subject)` names \(name), which is not in this scan: whoever creates or controls it can present the subject")
        }
        return subject(shape, repository: repository, repositoryName: facts.repositories[repository]?.name ?? name)
    }

    // MARK: - Subjects

    func subject(_ shape: SubjectShape, repository: RepositoryKey, repositoryName: String) -> Reach {
        switch shape.context {
        case .open:
            return Reach(.write, "the subject does not pin an environment or a protected ref, so anyone who can push a branch of \(repositoryName) can present it from a workflow of their own")
        case .pullRequest:
            return Reach(.write, "a pull_request subject: anyone who can push a branch of \(repositoryName) can open a pull request running a workflow of their own (pull requests from forks get no OIDC token)")
        case .ref(let ref):
            return self.ref(ref, repository: repository, repositoryName: repositoryName)
        case .environment(let name):
            return environment(name, repository: repository, repositoryName: repositoryName)
        }
    }

    private func environment(_ name: String, repository: RepositoryKey, repositoryName: String) -> Reach {
        if Self.isPattern(name) {
            return Reach(.write, "environment `\(name)` is a pattern: anyone who can push a branch of \(repositoryName) can name a matching environment, which GitHub creates unprotected")
        }
        guard facts.environmentsCollected.contains(repository) else {
            return Reach(.write, "the environments of \(repositoryName) were not collected, so environment \(name) counts as unprotected (not collected)")
        }
        guard let gate = facts.gates[EnvironmentKey(repository: repository, name: name)] else {
            return Reach(.write, "environment \(name) is not defined in \(repositoryName): GitHub creates it unprotected on first use, so anyone who can push a branch can request it")
        }
        let bypass = gate.canAdminsBypass == true ? "; admins may bypass" : ""
        if let reviewers = gate.reviewerNames, !reviewers.isEmpty {
            let selfReview = gate.preventSelfReview == true
                ? "self-review prevented"
                : "self-review allowed, so a reviewer who can push can approve a run of their own code"
            return Reach(.approve, "environment \(gate.name) requires approval by \(reviewers.joined(separator: ", ")) (\(selfReview))\(bypass)")
        }
        switch gate.branchPolicy {
        case "protected"?, "custom"?, "protected+custom"?:
            var parts: [Reach] = []
            if gate.branchPolicy != "custom" { parts.append(protectedBranches(repository: repository, repositoryName: repositoryName)) }
            if gate.branchPolicy != "protected" {
                for policy in gate.branchPolicyNames {
                    parts.append(policy.hasPrefix("tag ")
                                 ? tag(String(policy.dropFirst(4)), repository: repository, repositoryName: repositoryName)
                                 : branch(policy, repository: repository, repositoryName: repositoryName))
                }
            }
            guard let worst = parts.min(by: { $0.level < $1.level }) else {
                return Reach(.merge, "environment \(gate.name) has no required reviewers and its branch policy lists no ref, so no run can deploy to it\(bypass)")
            }
            let level = min(worst.level, .merge)
            return Reach(level, "environment \(gate.name) has no required reviewers and deploys only from its allowed refs: \(worst.reason)\(bypass)")
        case "all"?:
            return Reach(.write, "environment \(gate.name) has no protection rule, so anyone who can push a branch of \(repositoryName) can request it\(bypass)")
        default:
            return Reach(.write, "environment \(gate.name) has no required reviewers and its branch policy was not collected, so any branch counts (not collected)\(bypass)")
        }
    }

    /// "Protected branches only": judged on the branches whose rules were collected.
    private func protectedBranches(repository: RepositoryKey, repositoryName: String) -> Reach {
        guard facts.branchRulesCollected.contains(repository) else {
            return Reach(.write, "which branches of \(repositoryName) are protected, and how, was not collected")
        }
        let protected = (facts.branchRules[repository] ?? [:]).filter { $0.value.isProtected }
        guard !protected.isEmpty else {
            return Reach(.write, "no collected branch of \(repositoryName) is protected")
        }
        let judged = protected.keys.sorted().map { branch($0, repository: repository, repositoryName: repositoryName) }
        return judged.min(by: { $0.level < $1.level }) ?? Reach(.write, "no protected branch")
    }

    private func ref(_ ref: String, repository: RepositoryKey, repositoryName: String) -> Reach {
        if ref.hasPrefix("refs/heads/") {
            return branch(String(ref.dropFirst("refs/heads/".count)), repository: repository, repositoryName: repositoryName)
        }
        if ref.hasPrefix("refs/tags/") {
            return tag(String(ref.dropFirst("refs/tags/".count)), repository: repository, repositoryName: repositoryName)
        }
        return Reach(.write, "ref `\(ref)` is not a single protected branch or tag, so anyone who can push a branch of \(repositoryName) can present it")
    }

    private func branch(_ name: String, repository: RepositoryKey, repositoryName: String) -> Reach {
        if Self.isPattern(name) {
            return Reach(.write, "branches matching `\(name)`: anyone who can push can create one in \(repositoryName)")
        }
        guard facts.branchRulesCollected.contains(repository) else {
            return Reach(.write, "the branch rules of \(repositoryName) were not collected, so branch \(name) counts as unprotected (not collected)")
        }
        guard let rule = facts.branchRules[repository]?[name] else {
            return Reach(.write, "the rules of branch \(name) of \(repositoryName) were not collected, so it counts as unprotected (not collected)")
        }
        if let approvals = rule.requiredApprovals, approvals > 0 {
            return Reach(.merge, "branch \(name) of \(repositoryName) requires \(approvals) approving review\(approvals == 1 ? "" : "s") (\(rule.source)), so only reviewed changes reach it")
        }
        if rule.restrictsUpdates {
            return Reach(.merge, "only bypass actors may push to branch \(name) of \(repositoryName) (\(rule.source))")
        }
        if rule.isProtected, rule.requiredApprovals == nil, rule.source == "classic" {
            return Reach(.write, "branch \(name) of \(repositoryName) has classic branch protection, but whether it requires an approving review was not collected (reading that needs admin access), so it counts as not requiring one (not collected)")
        }
        let what = rule.isProtected ? "is protected but requires no approving review" : "has no protection rule"
        return Reach(.write, "branch \(name) of \(repositoryName) \(what), so anyone who can push can update it")
    }

    private func tag(_ name: String, repository: RepositoryKey, repositoryName: String) -> Reach {
        guard facts.tagRulesCollected.contains(repository) else {
            return Reach(.write, "the tag rulesets of \(repositoryName) were not collected, so tags `\(name)` count as unprotected (not collected)")
        }
        let ref = "refs/tags/\(name)"
        for rule in facts.tagRules[repository] ?? [] where rule.restrictsCreation && rule.restrictsUpdates {
            let covers = rule.include.contains { pattern in
                if pattern == "~ALL" || pattern == ref || pattern == "refs/tags/*" || pattern == "refs/tags/**" { return true }
                guard !Self.isPattern(name), let converted = GitHubRefFilter.subjectPattern(pattern) else { return false }
                return SubjectPattern(converted).matches(ref)
            }
            let excluded = rule.exclude.contains { pattern in
                guard let converted = GitHubRefFilter.subjectPattern(pattern) else { return true }
                return SubjectPattern(converted).intersects(SubjectPattern(ref))
            }
            if covers && !excluded {
                return Reach(.merge, "tags `\(name)` of \(repositoryName) may only be created and moved by the ruleset's bypass actors (\(rule.name))")
            }
        }
        return Reach(.write, "no active ruleset of \(repositoryName) restricts creating tags `\(name)`, so anyone who can push can create one")
    }
}

import Foundation

/// Derives the `sub` values a job can present, following GitHub's rules for the OIDC `sub` claim: the
/// environment wins, else pull-request events give `pull_request`, else the ref; a custom
/// template replaces the whole string with its claim keys.
///
/// Where the workflow leaves a value open (a dispatch on any branch, an environment named by an
/// expression, a claim trustaudit cannot know such as `actor`) the result is a pattern with `*`
/// rather than a guess, so matching errs towards showing a possible trust edge.
public enum SubjectDerivation {
    /// The distinct subjects `job` can present, in trigger order; one entry per subject and
    /// trigger, so the trust graph can say which trigger leads to which identity.
    public static func subjects(job: JobFact, triggers: [TriggerFact], context: SubjectDerivationContext) -> [DerivedSubject] {
        subjects(job: job, environments: environmentChoices(job), triggers: triggers, context: context)
    }

    /// The same for a job whose possible environments were already evaluated (reusable-workflow
    /// inputs, matrix values).
    static func subjects(job: JobFact, environments: [EnvironmentChoice], triggers: [TriggerFact],
                         context: SubjectDerivationContext) -> [DerivedSubject] {
        var seen: Set<String> = []
        var result: [DerivedSubject] = []
        for trigger in triggers {
            for scenario in scenarios(for: trigger, context: context) {
                for environment in environments {
                    for subject in render(scenario: scenario, environment: environment, job: job, context: context) {
                        if seen.insert("\(subject.trigger)\u{0}\(subject.value)").inserted { result.append(subject) }
                    }
                }
            }
        }
        return result
    }

    /// The scenarios of one trigger; `workflow_call` expands to the known callers' triggers
    /// when the context has them (one level: a caller that is itself reusable stays unknown).
    static func scenarios(for trigger: TriggerFact, context: SubjectDerivationContext) -> [TriggerScenario] {
        guard trigger.event == "workflow_call", let callers = context.callerTriggers else {
            return TriggerScenarios.scenarios(for: trigger, defaultBranch: context.defaultBranch)
        }
        return callers.flatMap { caller in
            TriggerScenarios.scenarios(for: caller, defaultBranch: context.defaultBranch).map { scenario in
                guard scenario.invocation == .direct else { return scenario }
                var called = scenario
                called.invocation = .knownCaller
                called.reason = "called by a workflow of this repository: " + scenario.reason
                return called
            }
        }
    }

    /// One possible environment of a job: a claim value (escaped; `*` for the parts only known
    /// at run time) with the name as written, or none (`claim` nil) with why when that can happen.
    struct EnvironmentChoice: Sendable, Equatable {
        var claim: String?
        var written: String?
        var note: String?

        static func none(because note: String?) -> EnvironmentChoice {
            EnvironmentChoice(claim: nil, written: nil, note: note)
        }
    }

    /// The environments the job may run in, read from the job alone.
    static func environmentChoices(_ job: JobFact) -> [EnvironmentChoice] {
        guard let name = job.environment, !name.isEmpty else { return [.none(because: nil)] }
        let widened = expressionsWidened(name)
        guard job.environmentIsExpression || widened != name else {
            return [EnvironmentChoice(claim: SubjectClaimEscaping.escape(name), written: name, note: "environment \(name)")]
        }
        let claim = widened.contains("${{") || widened == name ? "*" : SubjectClaimEscaping.escape(widened)
        let choice = EnvironmentChoice(claim: claim, written: name,
                                       note: "environment \(name) is decided at run time, any matching name possible")
        // A name that is nothing but an expression may evaluate to "", and GitHub then runs the
        // job without an environment: the ungated subjects are possible too.
        return claim == "*" ? [choice, .none(because: "environment \(name) may evaluate to empty, and GitHub then runs the job without an environment")] : [choice]
    }

    /// `name` with every `${{ … }}` replaced by `*`.
    static func expressionsWidened(_ name: String) -> String {
        var result = ""
        var rest = name[...]
        while let open = rest.range(of: "${{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                return result + "*"
            }
            if !result.hasSuffix("*") { result += "*" }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    static func render(
        scenario: TriggerScenario, environment choice: EnvironmentChoice, job: JobFact, context: SubjectDerivationContext
    ) -> [DerivedSubject] {
        let template = context.template
        let escape = SubjectClaimEscaping.escape
        let environment = choice.claim
        let contextValue: String
        if let environment {
            contextValue = "environment:\(environment)"
        } else if scenario.context == .pullRequest {
            contextValue = "pull_request"
        } else {
            contextValue = "ref:\(escape(scenario.ref))"
        }

        var reasons = [scenario.reason]
        if let note = choice.note { reasons.append(note) }
        if !template.isDefault || template.origin.hasPrefix("assumed") {
            reasons.append("\(template.origin): \(template.claimKeys.joined(separator: ", "))")
        }

        // The `repo` value may have several forms when the subject format was not collected;
        // each yields its own subject.
        var prefixes = [""]
        for key in template.claimKeys {
            let values: [String]
            switch key {
            case "repo":
                values = template.repoValues(owner: context.owner, name: context.name)
            case "context":
                values = [contextValue]
            case "environment":
                // GitHub refuses the token when the template names `environment` and the job
                // has none, so such a job presents no subject at all.
                guard let environment else { return [] }
                values = [environment]
            default:
                values = [claimValue(key, scenario: scenario, job: job, context: context)]
            }
            // `context` already carries its own key (`environment:…`, `ref:…`).
            let segments = values.map { key == "context" ? $0 : "\(key):\($0)" }
            prefixes = prefixes.flatMap { prefix in segments.map { prefix.isEmpty ? $0 : "\(prefix):\($0)" } }
        }
        let reason = reasons.joined(separator: "; ")
        return prefixes.map {
            DerivedSubject(value: $0, trigger: scenario.event, environment: environment == nil ? nil : choice.written, reason: reason)
        }
    }

    /// The value of one claim key for a scenario, escaped; `*` for anything trustaudit cannot
    /// know before the run.
    static func claimValue(_ key: String, scenario: TriggerScenario, job: JobFact, context: SubjectDerivationContext) -> String {
        let escape = SubjectClaimEscaping.escape
        let repository = "\(context.owner)/\(context.name)"
        // The `workflow` claims describe the calling workflow, which is not this file when the
        // workflow was called.
        let unknownCaller = scenario.invocation != .direct
        switch key {
        case "repository": return escape(repository)
        case "repository_owner": return escape(context.owner)
        case "repository_owner_id": return context.ownerId.map(String.init) ?? "*"
        case "repository_id": return context.repositoryId.map(String.init) ?? "*"
        case "repository_visibility": return context.visibility.map(escape) ?? "*"
        case "event_name": return scenario.event
        case "ref": return escape(scenario.ref)
        case "ref_type": return scenario.refType
        case "workflow":
            if unknownCaller { return "*" }
            return (context.workflowName ?? context.workflowPath).map(escape) ?? "*"
        case "workflow_ref":
            guard !unknownCaller, let path = context.workflowPath else { return "*" }
            return escape("\(repository)/\(path)@\(scenario.ref)")
        case "job_workflow_ref":
            return escape(jobWorkflowRef(job: job, scenario: scenario, context: context))
        default:
            // actor, actor_id, sha, run_id, head_ref, base_ref, runner_environment, enterprise,
            // repo_property_*, and keys GitHub may add: only known at run time.
            return "*"
        }
    }

    /// `OWNER/REPO/PATH@REF` of the workflow file the job's steps come from: the called
    /// reusable workflow for a `uses:` job, else this workflow at the run's ref.
    static func jobWorkflowRef(job: JobFact, scenario: TriggerScenario, context: SubjectDerivationContext) -> String {
        let repository = "\(context.owner)/\(context.name)"
        if let called = context.calledWorkflowPath {
            return "\(called)@\(context.calledWorkflowRef ?? scenario.ref)"
        }
        if let uses = job.uses {
            if uses.hasPrefix("./") {
                // A local reusable workflow is read at the caller's ref.
                return "\(repository)/\(uses.dropFirst(2))@\(scenario.ref)"
            }
            // `owner/repo/path@ref`: GitHub expands the ref (a tag becomes refs/tags/…, a SHA
            // stays a SHA), which is not knowable without the callee's refs.
            guard let at = uses.lastIndex(of: "@") else { return "\(uses)@*" }
            return "\(uses[..<at])@*"
        }
        guard let path = context.workflowPath else { return "*" }
        // Called as a reusable workflow, this file is read at whatever ref the caller named.
        return "\(repository)/\(path)@\(scenario.calledByUnknownCaller ? "*" : scenario.ref)"
    }
}

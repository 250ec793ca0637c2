/// One `sub` value a job can present to an OIDC relying party, concrete or as a pattern.
public struct DerivedSubject: Sendable, Hashable {
    /// The subject, or a pattern over subjects using Octopus's `*` and `?`.
    public var value: String
    /// True when `value` holds a wildcard and so stands for many subjects.
    public var isPattern: Bool
    /// The event that produces this subject (`push`, `workflow_dispatch`, …; `*` when it
    /// depends on an unknown caller).
    public var trigger: String
    /// The environment gating this subject, as written in the workflow; nil when none.
    public var environment: String?
    /// Why the job can present this subject, in words for evidence.
    public var reason: String

    public init(value: String, trigger: String, environment: String? = nil, reason: String) {
        self.value = value
        self.isPattern = value.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }
        self.trigger = trigger
        self.environment = environment
        self.reason = reason
    }

    /// The value as a matchable pattern (a concrete value matches only itself).
    public var pattern: SubjectPattern { SubjectPattern(value) }
}

/// The repository-level facts subject derivation needs besides the workflow itself.
public struct SubjectDerivationContext: Sendable, Equatable {
    public var owner: String
    public var name: String
    /// Nil when not collected; default-branch events then become "any branch".
    public var defaultBranch: String?
    public var template: SubjectClaimTemplate
    /// The workflow file's path in the repository (`.github/workflows/deploy.yml`), for the
    /// `workflow_ref`/`job_workflow_ref` claims.
    public var workflowPath: String?
    /// The workflow's `name:`; GitHub's `workflow` claim falls back to the path without it.
    public var workflowName: String?
    public var visibility: String?
    public var ownerId: Int?
    public var repositoryId: Int?
    /// For a reusable workflow: the triggers of the same-repository workflows that call it
    /// (`uses: ./.github/workflows/…`). Nil when unknown, and `workflow_call` then stands for
    /// any ref and the pull-request context. Callers in other repositories present their own
    /// repository's subjects: derive those with the caller's context and triggers instead.
    public var callerTriggers: [TriggerFact]?
    /// For a job of a called reusable workflow: `owner/repo/path` of the workflow its steps come
    /// from, and the ref `job_workflow_ref` names (nil: the run's own ref, for local calls; `*`
    /// when GitHub's expansion of a tag or branch name cannot be known).
    public var calledWorkflowPath: String?
    public var calledWorkflowRef: String?

    public init(
        owner: String, name: String, defaultBranch: String?, template: SubjectClaimTemplate = SubjectClaimTemplate(),
        workflowPath: String? = nil, workflowName: String? = nil, visibility: String? = nil,
        ownerId: Int? = nil, repositoryId: Int? = nil, callerTriggers: [TriggerFact]? = nil
    ) {
        self.owner = owner
        self.name = name
        self.defaultBranch = defaultBranch
        self.template = template
        self.workflowPath = workflowPath
        self.workflowName = workflowName
        self.visibility = visibility
        self.ownerId = ownerId
        self.repositoryId = repositoryId
        self.callerTriggers = callerTriggers
    }

    /// Splits `owner/name`; nil when the string has no single `/` between two parts.
    public init?(repository fullName: String, defaultBranch: String?, template: SubjectClaimTemplate = SubjectClaimTemplate()) {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(owner: String(parts[0]), name: String(parts[1]), defaultBranch: defaultBranch, template: template)
    }
}

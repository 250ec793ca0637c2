/// Everything trustaudit keeps from one parsed workflow file.
///
/// Facts are plain values with the 1-based line they came from, so every finding can point at
/// the exact line. They are keyed by the file's content hash when stored: the same bytes are
/// parsed once however many repositories or scans contain them.
public struct WorkflowFacts: Sendable, Equatable {
    /// The workflow's `name:`.
    public var name: String?
    /// The top-level `permissions:` block; nil when the workflow declares none.
    public var permissions: PermissionBlock?
    /// The events in `on:`, in file order.
    public var triggers: [TriggerFact]
    /// The jobs under `jobs:`, in file order.
    public var jobs: [JobFact]
    /// The top-level `env:` as scalar strings.
    public var env: [String: String]
    /// `# trustaudit: ignore[…]` comments found in the file.
    public var suppressions: [SuppressionFact]
    /// For a local action's `action.yml` (no triggers or jobs): how it runs and its steps.
    public var action: ActionManifestFact?
    /// Bytes of text the reader walked, YAML aliases expanded: the same facts come out under any
    /// `max_expanded_bytes` at or above it, and none under a lower one.
    public var expandedBytes = 0

    public init(
        name: String? = nil, permissions: PermissionBlock? = nil, triggers: [TriggerFact] = [],
        jobs: [JobFact] = [], env: [String: String] = [:], suppressions: [SuppressionFact] = []
    ) {
        self.name = name
        self.permissions = permissions
        self.triggers = triggers
        self.jobs = jobs
        self.env = env
        self.suppressions = suppressions
    }
}

/// How a `permissions:` key was written.
public enum PermissionsKind: String, Sendable, Equatable {
    /// A mapping of scopes to access levels.
    case map
    /// `read-all`.
    case readAll = "read-all"
    /// `write-all`.
    case writeAll = "write-all"
    /// `{}`: every scope is `none`.
    case none
    /// `${{ … }}`: decided at run time, so unknown here.
    case expression
}

/// A declared `permissions:` block at workflow or job level.
public struct PermissionBlock: Sendable, Equatable {
    public var kind: PermissionsKind
    public var line: Int
    /// For `.map`, one entry per scope. `read-all`/`write-all` become a single `*` entry.
    public var entries: [PermissionEntry]

    public init(kind: PermissionsKind, line: Int, entries: [PermissionEntry]) {
        self.kind = kind
        self.line = line
        self.entries = entries
    }
}

/// One `scope: access` pair, e.g. `id-token: write`.
public struct PermissionEntry: Sendable, Equatable {
    public var scope: String
    public var access: String
    public var line: Int

    public init(scope: String, access: String, line: Int) {
        self.scope = scope
        self.access = access
        self.line = line
    }
}

/// One event of `on:` with its filters. A nil filter list means the filter was not given.
public struct TriggerFact: Sendable, Equatable {
    public var event: String
    public var line: Int
    public var types: [String]?
    public var branches: [String]?
    public var branchesIgnore: [String]?
    public var tags: [String]?
    public var tagsIgnore: [String]?
    public var paths: [String]?
    /// For `workflow_call`: the declared inputs, name → `{"type": …, "default": …}` as written.
    public var inputs: JSONValue?
    /// For `workflow_run`: the names of the workflows whose runs start this one.
    public var workflows: [String]?

    public init(
        event: String, line: Int, types: [String]? = nil, branches: [String]? = nil,
        branchesIgnore: [String]? = nil, tags: [String]? = nil, tagsIgnore: [String]? = nil,
        paths: [String]? = nil, inputs: JSONValue? = nil
    ) {
        self.event = event
        self.line = line
        self.types = types
        self.branches = branches
        self.branchesIgnore = branchesIgnore
        self.tags = tags
        self.tagsIgnore = tagsIgnore
        self.paths = paths
        self.inputs = inputs
    }
}

/// One job under `jobs:`.
public struct JobFact: Sendable, Equatable {
    public var key: String
    public var ordinal: Int
    public var name: String?
    public var line: Int
    public var runsOn: String?
    public var ifCondition: String?
    /// The environment's name (string form or `name:` of the mapping form).
    public var environment: String?
    public var environmentURL: String?
    /// True when the name contains `${{ … }}`: the environment is only known at run time.
    public var environmentIsExpression: Bool
    public var environmentLine: Int?
    public var needs: [String]
    /// `uses:` of a job that calls a reusable workflow.
    public var uses: String?
    public var usesLine: Int?
    public var secretsInherit: Bool
    public var secrets: [String: String]
    public var with: [String: String]
    public var env: [String: String]
    public var permissions: PermissionBlock?
    public var steps: [StepFact]
    /// `strategy.matrix` as written: a mapping (keys, `include`, `exclude`) or an expression.
    public var matrix: JSONValue?

    public init(
        key: String, ordinal: Int, name: String? = nil, line: Int, runsOn: String? = nil,
        ifCondition: String? = nil, environment: String? = nil, environmentURL: String? = nil,
        environmentIsExpression: Bool = false, environmentLine: Int? = nil, needs: [String] = [],
        uses: String? = nil, usesLine: Int? = nil, secretsInherit: Bool = false,
        secrets: [String: String] = [:], with: [String: String] = [:], env: [String: String] = [:],
        permissions: PermissionBlock? = nil, steps: [StepFact] = [], matrix: JSONValue? = nil
    ) {
        self.key = key
        self.ordinal = ordinal
        self.name = name
        self.line = line
        self.runsOn = runsOn
        self.ifCondition = ifCondition
        self.environment = environment
        self.environmentURL = environmentURL
        self.environmentIsExpression = environmentIsExpression
        self.environmentLine = environmentLine
        self.needs = needs
        self.uses = uses
        self.usesLine = usesLine
        self.secretsInherit = secretsInherit
        self.secrets = secrets
        self.with = with
        self.env = env
        self.permissions = permissions
        self.steps = steps
        self.matrix = matrix
    }
}

/// One step of a job.
public struct StepFact: Sendable, Equatable {
    public var index: Int
    public var id: String?
    public var name: String?
    public var line: Int
    public var uses: String?
    public var action: ActionReference?
    public var run: String?
    public var with: [String: String]
    public var env: [String: String]
    /// Where the step runs outsider input (interpolated contexts, pull request checkouts).
    public var outsiderInputs: [OutsiderInputFact]

    public init(
        index: Int, id: String? = nil, name: String? = nil, line: Int, uses: String? = nil,
        action: ActionReference? = nil, run: String? = nil, with: [String: String] = [:],
        env: [String: String] = [:], outsiderInputs: [OutsiderInputFact] = []
    ) {
        self.index = index
        self.id = id
        self.name = name
        self.line = line
        self.uses = uses
        self.action = action
        self.run = run
        self.with = with
        self.env = env
        self.outsiderInputs = outsiderInputs
    }
}

/// A `# trustaudit: ignore[policy-id] reason` comment.
public struct SuppressionFact: Sendable, Equatable {
    public var line: Int
    public var policy: String
    public var reason: String?

    public init(line: Int, policy: String, reason: String?) {
        self.line = line
        self.policy = policy
        self.reason = reason
    }
}

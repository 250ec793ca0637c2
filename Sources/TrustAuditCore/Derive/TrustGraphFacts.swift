/// Everything the trust graph is derived from, as plain values: what `TrustGraphReader` reads from
/// one scan and the pure builders consume.
struct TrustGraphFacts: Sendable {
    /// One job of a workflow file, with what derivation needs besides the parsed fact.
    struct Job: Sendable {
        var fact: JobFact
        /// `job_tokens.id_token` of the job read as a workflow of its own.
        var idToken: IDTokenAccess
        /// `service_account_id` of each OctopusDeploy/login step, as written; nil when absent.
        var logins: [String?]
    }

    struct Workflow: Sendable {
        var repository: String
        var path: String
        var name: String?
        var triggers: [TriggerFact]
        var jobs: [Job]
    }

    struct Repository: Sendable {
        var name: String
        var defaultBranch: String?
        var visibility: String?
        var headCommit: String?
    }

    var workflows: [WorkflowKey: Workflow] = [:]
    /// Workflow keys in a stable order (repository, path), so rows come out the same every scan.
    var workflowOrder: [WorkflowKey] = []
    var repositories: [RepositoryKey: Repository] = [:]
    /// The subject derivation context of each repository, before the workflow is known.
    var contexts: [RepositoryKey: SubjectDerivationContext] = [:]
    var identities: [IdentityTarget] = []
    var gates: [EnvironmentKey: EnvironmentGate] = [:]
    var environmentsCollected: Set<RepositoryKey> = []
    /// Branch name → its protection, for repositories whose branch rules were collected.
    var branchRules: [RepositoryKey: [String: GitHubRefProtection]] = [:]
    var branchRulesCollected: Set<RepositoryKey> = []
    var tagRules: [RepositoryKey: [GitHubRefProtection]] = [:]
    var tagRulesCollected: Set<RepositoryKey> = []
    /// `outsider_triggers`: event → why outsiders can fire it; nil when the database has no such view.
    var outsiderTriggers: [String: String]?
    /// `outsider_inputs`: the contexts each job runs outsider input from; nil when not available.
    var outsiderInputs: [WorkflowJobKey: [String]]?
}

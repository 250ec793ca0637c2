/// What trustaudit keeps from a local action's `action.yml`: how it runs and, when it is a
/// composite action, its steps (judged like the steps of the job that uses it).
public struct ActionManifestFact: Sendable, Equatable {
    /// `runs.using`, lower-cased: `composite`, `node20`, `docker`, …; nil when absent.
    public var using: String?
    public var steps: [StepFact]

    public init(using: String?, steps: [StepFact]) {
        self.using = using
        self.steps = steps
    }
}

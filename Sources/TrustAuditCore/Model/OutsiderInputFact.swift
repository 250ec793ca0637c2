/// A place in a step where input chosen by someone outside the repository is run: a context
/// they control expanded into a script, or a checkout of their pull request's code.
///
/// Found whatever the workflow's triggers; whether an outsider can really start the job is the
/// policies' question (see the `outsider_triggers` view).
public struct OutsiderInputFact: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// An attacker-controlled context interpolated with `${{ }}` into `run:` or
        /// `actions/github-script`'s `script:`.
        case templateInjection = "template-injection"
        /// A checkout of the pull request's head or merge ref.
        case untrustedCheckout = "untrusted-checkout"
    }

    public var kind: Kind
    /// The context read (`github.event.issue.title`), or for a checkout in a script the command.
    public var context: String
    /// `run`, `script` or `ref`.
    public var field: String
    /// Line of the expression or command where known, else the line of the step.
    public var line: Int
    /// The whole `${{ … }}` expression, cut to a bounded length; nil for a command.
    public var expression: String?

    public init(kind: Kind, context: String, field: String, line: Int, expression: String? = nil) {
        self.kind = kind
        self.context = context
        self.field = field
        self.line = line
        self.expression = expression
    }
}

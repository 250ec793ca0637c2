/// One workflow file, or a local action's metadata file a workflow uses: its bytes, or why they
/// could not be read.
public struct WorkflowFileInput: Sendable {
    /// Path from the repository root, e.g. `.github/workflows/deploy.yml` or
    /// `.github/actions/setup/action.yml`.
    public var path: String
    public var content: Result<[UInt8], WorkflowParseFailure>
    public var kind: WorkflowFileKind

    public init(path: String, content: Result<[UInt8], WorkflowParseFailure>, kind: WorkflowFileKind = .workflow) {
        self.path = path
        self.content = content
        self.kind = kind
    }
}

/// What a scanned file is: a workflow, or the `action.yml` of a local action (`uses: ./path`).
public enum WorkflowFileKind: String, Sendable {
    case workflow
    case action
}

/// One workflow file, or a local action's metadata file a workflow uses: its bytes, or why they
/// could not be read.
public struct WorkflowFileInput: Sendable {
    /// Path from the repository root, e.g. `.github/workflows/deploy.yml` or
    /// `.github/actions/setup/action.yml`.
    public var path: String
    public var content: Result<[UInt8], WorkflowParseFailure>
    public var kind: WorkflowFileKind
    /// Set when the file is unchanged since an earlier scan stored its facts (`FileStampCache`):
    /// the content's hash. The file was not read, and `content` is empty.
    public var unchangedHash: String?
    /// Set for a file read from disk that the `FileStampCache` may record.
    public var origin: DiskOrigin?

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

/// One repository's workflows as the scan ingests them, from disk or from memory.
///
/// Offline checkouts, policy examples and (later) live collectors all produce this same value,
/// so one code path stores and parses every source.
public struct RepositorySnapshot: Sendable {
    /// `owner/name`.
    public var fullName: String
    /// Where it came from: a folder, `example`, or an API URL.
    public var source: String
    public var headCommit: String?
    public var files: [WorkflowFileInput]
    /// What could not be read at all, such as a workflows folder without read permission: the
    /// scan's coverage lists these, so an empty result is never mistaken for a clean one.
    public var problems: [CoverageProblem]

    public init(fullName: String, source: String, headCommit: String? = nil, files: [WorkflowFileInput], problems: [CoverageProblem] = []) {
        self.fullName = fullName
        self.source = source
        self.headCommit = headCommit
        self.files = files
        self.problems = problems
    }
}

/// A part of a repository the scan could not read: where (a path in the repository) and why.
public struct CoverageProblem: Sendable, Equatable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

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

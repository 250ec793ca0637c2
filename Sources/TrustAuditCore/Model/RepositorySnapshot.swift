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

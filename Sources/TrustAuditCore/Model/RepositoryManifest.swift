/// One repository as a scan saw it: what goes into the snapshot's rows and into its hash.
struct RepositoryManifest: Sendable {
    var fullName: String
    var source: String
    var headCommit: String?
    var files: [(path: String, hash: String?, readError: String?, kind: WorkflowFileKind)]
    var problems: [CoverageProblem] = []
}

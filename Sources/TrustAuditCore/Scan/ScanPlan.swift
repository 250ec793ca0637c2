import Foundation

/// One scan as `trustaudit scan`, the benchmark and the tests describe it: where the repositories
/// and exports are, what live collection gave, which policies judge it, and with what settings.
///
/// `readInputs` discovers the repositories and loads the exports; `run` builds the request with
/// the standard stages and runs the pipeline. Printing, exit codes and live collection (which
/// needs credentials and a terminal) stay with the caller, which hands what it collected over as
/// `collected`.
public struct ScanPlan: Sendable {
    /// Repositories or folders of repositories.
    public var paths: [String]
    /// Owner for repositories without an `origin` remote.
    public var owner: String?
    /// GitHub settings exports (files or folders). When empty, `exports/github-settings/` folders
    /// found under `paths` are used.
    public var githubSettings: [String]
    /// Octopus exports (files or folders); when empty, `exports/octopus/` folders under `paths`.
    public var octopus: [String]
    public var label: String?
    public var policies: [Policy]
    public var settings: PolicySettings
    /// Inputs not read from `paths`: collected live, or given in memory (policy examples).
    public var collected: CollectedInputs?
    /// `YYYY-MM-DD`, for waiver expiry.
    public var today: String
    /// Read and hash every workflow file, even one whose size, times and inode are unchanged
    /// since the last scan (`FileStampCache`).
    public var rereadFiles = false

    public init(paths: [String], owner: String? = nil, githubSettings: [String] = [], octopus: [String] = [], label: String? = nil,
                policies: [Policy], settings: PolicySettings = PolicySettings(), collected: CollectedInputs? = nil,
                today: String = ScanRequest.todayUTC()) {
        self.paths = paths
        self.owner = owner
        self.githubSettings = githubSettings
        self.octopus = octopus
        self.label = label
        self.policies = policies
        self.settings = settings
        self.collected = collected
        self.today = today
    }

    /// The plan's inputs, read from disk.
    public struct Inputs: Sendable {
        public var repositories: [DiscoveredRepository]
        public var githubSettings: [InputDocument]
        public var octopus: [InputDocument]
        /// Export folders found under the paths and used because the plan named none.
        public var foundGitHubSettings: [String] = []
        public var foundOctopus: [String] = []
    }

    /// Discovers the repositories and loads the exports. A path that cannot be read throws; an
    /// export that cannot be read becomes a document with its error, which the scan lists in its
    /// coverage.
    public func readInputs() throws -> Inputs {
        let repositories = paths.isEmpty ? [] : try Profiling.measure("discover") {
            try RepositoryDiscovery.discover(paths: paths, owner: owner)
        }
        let found = ExportDiscovery.find(under: paths)
        let settingsPaths = githubSettings.isEmpty ? found.githubSettings : githubSettings
        let octopusPaths = octopus.isEmpty ? found.octopus : octopus
        let (settingsDocuments, octopusDocuments) = try Profiling.measure("load exports") {
            (try settingsPaths.flatMap(InputDocument.load), try octopusPaths.flatMap(InputDocument.load))
        }
        return Inputs(repositories: repositories, githubSettings: settingsDocuments, octopus: octopusDocuments,
                      foundGitHubSettings: githubSettings.isEmpty ? found.githubSettings : [],
                      foundOctopus: octopus.isEmpty ? found.octopus : [])
    }

    /// The pipeline's request for these inputs: the standard stages, plus what live collection
    /// could not collect when it ran.
    public func request(_ inputs: Inputs) -> ScanRequest {
        var stages = StandardStages.make(githubSettings: inputs.githubSettings + (collected?.githubSettings ?? []),
                                         octopus: inputs.octopus + (collected?.octopus ?? []))
        if let coverage = collected?.coverage { stages.append(LiveCoverageStage(coverage: coverage)) }
        return ScanRequest(repositories: inputs.repositories.map(RepositorySource.disk) + (collected?.repositories ?? []),
                           label: label, policies: policies, settings: settings, stages: stages, today: today,
                           rereadFiles: rereadFiles)
    }

    /// Reads the inputs and runs the scan.
    public func run(database: AuditDatabase, onWait: @escaping @Sendable (String) -> Void = { _ in }) throws -> ScanOutcome {
        try run(readInputs(), database: database, onWait: onWait)
    }

    /// Runs the scan on inputs already read.
    public func run(_ inputs: Inputs, database: AuditDatabase, onWait: @escaping @Sendable (String) -> Void = { _ in }) throws -> ScanOutcome {
        try ScanPipeline(database: database, onWait: onWait).run(request(inputs))
    }
}

/// Inputs a scan gets besides its paths: the same values files on disk become, and, after a live
/// collection, what could not be collected.
public struct CollectedInputs: Sendable {
    public var repositories: [RepositorySource]
    public var githubSettings: [InputDocument]
    public var octopus: [InputDocument]
    /// Set after a live collection (possibly complete); nil for inputs given in memory.
    public var coverage: CollectionCoverage?

    public init(repositories: [RepositorySource] = [], githubSettings: [InputDocument] = [], octopus: [InputDocument] = [],
                coverage: CollectionCoverage? = nil) {
        self.repositories = repositories
        self.githubSettings = githubSettings
        self.octopus = octopus
        self.coverage = coverage
    }
}

/// Where a repository's workflows come from: a checkout found on disk, read lazily in batches so
/// memory stays flat, or documents already in memory (policy examples, live collectors).
public enum RepositorySource: Sendable {
    case disk(DiscoveredRepository)
    case memory(RepositorySnapshot)

    /// The snapshot, not reading the files `cache` knows unchanged.
    func snapshot(cache: FileStampCache?) -> RepositorySnapshot {
        switch self {
        case .disk(let repository): return RepositoryDiscovery.snapshot(of: repository, cache: cache)
        case .memory(let snapshot): return snapshot
        }
    }
}

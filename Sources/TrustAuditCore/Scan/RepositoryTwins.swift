/// Repositories a scan is given more than once: two folders, or a folder and a live collection,
/// whose names are equal once lower-cased (two checkouts of one repository, or `API` beside `api`).
///
/// GitHub compares repository names without case, so such twins are one repository to it and to
/// the trust graph, which is keyed the same way. Read together, their files were merged under the
/// first one's name, and a file both have was silently dropped from the second. Only the first
/// (in the scan's order: discovered folders by name and path, then live collections) is read; each
/// twin becomes a coverage problem of the first, so the scan says it did not read everything and
/// which folder to remove or rename.
struct RepositoryTwins {
    /// The repositories to read, the first of each name, in the given order.
    var kept: [RepositorySource] = []
    /// Per kept repository (by its name as given), the twins left out of the scan.
    var problems: [String: [CoverageProblem]] = [:]

    init(_ sources: [RepositorySource]) {
        var first: [String: (name: String, origin: String)] = [:]
        for source in sources {
            let (name, origin) = Self.describe(source)
            let key = name.lowercased()
            if let kept = first[key] {
                let sameName = kept.name == name ? "the same name" : "a name that differs only in case (\(kept.name))"
                problems[kept.name, default: []].append(CoverageProblem(
                    path: origin,
                    message: "not read: \(name) from \(origin) has \(sameName) as \(kept.origin), which was read; GitHub repository "
                        + "names ignore case, so both are one repository: scan one of them, or rename the folder of the other"))
            } else {
                first[key] = (name, origin)
                kept.append(source)
            }
        }
    }

    private static func describe(_ source: RepositorySource) -> (name: String, origin: String) {
        switch source {
        case .disk(let repository): return (repository.fullName, repository.root.path)
        case .memory(let snapshot): return (snapshot.fullName, snapshot.source)
        }
    }
}

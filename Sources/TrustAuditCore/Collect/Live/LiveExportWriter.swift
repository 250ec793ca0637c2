import Foundation

/// Writes a GitHub collection in the layout `trustaudit scan DIR` reads offline:
///
/// - `DIR/exports/github-settings/<owner>.organization.json` and `<owner>__<repo>.json`
///   (README, "The trust graph"; GitHub owners cannot contain `_`, so the names cannot collide);
/// - `DIR/<owner>/<repo>/.github/workflows/<file>`: each repository's default-branch workflows
///   (the folder exists even when empty, so the repository is still discovered);
/// - `DIR/exports/collection-coverage.json`: what could not be collected, for people (a scan
///   of DIR sees missing keys as "not collected" either way).
///
/// Old workflow files of a repository being written are replaced; a folder holding a git
/// checkout (`.git`) is never written into.
public enum LiveExportWriter {
    public enum WriteError: Error, CustomStringConvertible {
        case checkout(String)
        case unsafeName(String)

        public var description: String {
            switch self {
            case .checkout(let path): return "\(path) is a git checkout; not writing collected workflows into it"
            case .unsafeName(let name): return "\(name) is not a safe file name"
            }
        }
    }

    public static func write(_ collection: GitHubCollection, to directory: URL) throws {
        let fileManager = FileManager.default
        let settings = directory.appendingPathComponent(ExportDiscovery.folder).appendingPathComponent("github-settings")
        try fileManager.createDirectory(at: settings, withIntermediateDirectories: true)
        for organization in collection.organizations {
            let name = String(organization.name.split(separator: "/").last ?? "")
            try checkSafe(name)
            try organization.data.write(to: settings.appendingPathComponent("\(name).organization.json"), options: .atomic)
        }
        for repository in collection.repositories {
            let parts = repository.fullName.split(separator: "/").map(String.init)
            guard parts.count == 2 else { throw WriteError.unsafeName(repository.fullName) }
            try parts.forEach(checkSafe)
            try repository.settings.data.write(to: settings.appendingPathComponent("\(parts[0])__\(parts[1]).json"), options: .atomic)

            let root = directory.appendingPathComponent(parts[0]).appendingPathComponent(parts[1])
            if fileManager.fileExists(atPath: root.appendingPathComponent(".git").path) {
                throw WriteError.checkout(root.path)
            }
            let workflows = root.appendingPathComponent(".github/workflows")
            try fileManager.createDirectory(at: workflows, withIntermediateDirectories: true)
            for old in (try? fileManager.contentsOfDirectory(atPath: workflows.path)) ?? [] where old.hasSuffix(".yml") || old.hasSuffix(".yaml") {
                try fileManager.removeItem(at: workflows.appendingPathComponent(old))
            }
            for file in repository.snapshot.files {
                guard case .success(let bytes) = file.content else { continue }
                let name = String(file.path.split(separator: "/").last ?? "")
                try checkSafe(name)
                try Data(bytes).write(to: workflows.appendingPathComponent(name), options: .atomic)
            }
        }
        let coverage = directory.appendingPathComponent(ExportDiscovery.folder).appendingPathComponent("collection-coverage.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(CollectionCoverage(failures: collection.coverage.sorted)).write(to: coverage, options: .atomic)
    }

    /// One path component: no separators, no `..`, nothing hidden.
    static func checkSafe(_ name: String) throws {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"), !name.contains("\0") else {
            throw WriteError.unsafeName(name)
        }
    }
}

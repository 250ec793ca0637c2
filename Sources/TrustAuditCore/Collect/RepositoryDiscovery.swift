import Foundation

/// A repository found on disk, before its files are read.
public struct DiscoveredRepository: Sendable, Equatable {
    public var fullName: String
    public var root: URL
    public var headCommit: String?
}

/// Why discovery could not proceed. Maps to exit code 2.
public enum DiscoveryError: Error, Equatable, CustomStringConvertible {
    case pathNotFound(String)
    case noRepositories(String)

    public var description: String {
        switch self {
        case .pathNotFound(let path):
            return "\(path): no such file or directory"
        case .noRepositories(let path):
            return "\(path): no repository with a .github/workflows folder found here or up to \(RepositoryDiscovery.maxDepth) levels below"
        }
    }
}

/// Finds repositories under the paths given to `scan` and reads their workflow files.
///
/// A path is a repository when it has `.github/workflows/`; otherwise its subfolders are searched
/// a few levels deep. The name comes from the `origin` remote, else from `--owner` (or the name
/// of the folder holding the repository) plus the repository's folder name.
public enum RepositoryDiscovery {
    public static let maxDepth = 3
    private static let skipped: Set<String> = ["node_modules", ".build", "vendor", "Pods", "target", "dist"]

    public static func discover(paths: [String], owner: String?) throws -> [DiscoveredRepository] {
        var found: [DiscoveredRepository] = []
        var seen = Set<String>()
        for path in paths {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DiscoveryError.pathNotFound(path)
            }
            let roots = repositoryRoots(under: url, depth: 0)
            if roots.isEmpty { throw DiscoveryError.noRepositories(path) }
            for root in roots where seen.insert(root.path).inserted {
                found.append(DiscoveredRepository(
                    fullName: name(of: root, owner: owner),
                    root: root,
                    headCommit: GitMetadata.headCommit(of: root)))
            }
        }
        return found.sorted { $0.fullName < $1.fullName || ($0.fullName == $1.fullName && $0.root.path < $1.root.path) }
    }

    static func repositoryRoots(under url: URL, depth: Int) -> [URL] {
        if isRepository(url) { return [url] }
        guard depth < maxDepth,
              let children = try? FileManager.default.contentsOfDirectory(
                at: url, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey], options: [.skipsHiddenFiles])
        else { return [] }
        var result: [URL] = []
        for child in children.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            let values = try? child.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            guard values?.isDirectory == true, values?.isSymbolicLink != true,
                  !skipped.contains(child.lastPathComponent) else { continue }
            result += repositoryRoots(under: child, depth: depth + 1)
        }
        return result
    }

    static func isRepository(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.appendingPathComponent(".github/workflows").path, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    static func name(of root: URL, owner: String?) -> String {
        if let remote = GitMetadata.originURL(of: root), let name = GitMetadata.repositoryName(fromRemote: remote) {
            return name
        }
        let folderOwner = owner ?? root.deletingLastPathComponent().lastPathComponent
        return "\(folderOwner)/\(root.lastPathComponent)"
    }

    /// Reads a repository's `.github/workflows/*.yml|*.yaml` files, refusing any that resolve
    /// outside the repository (a symlink must not turn a scan into a read of the host).
    public static func snapshot(of repository: DiscoveredRepository) -> RepositorySnapshot {
        let root = repository.root.resolvingSymlinksInPath()
        let folder = repository.root.appendingPathComponent(".github/workflows")
        // Resolving every path is the slow part of reading ten thousand repositories; it is only
        // needed where a symlink is involved, so plain folders and files are read directly.
        let plainFolder = !isSymlink(repository.root.appendingPathComponent(".github").path) && !isSymlink(folder.path)
        var files: [WorkflowFileInput] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
            let path = ".github/workflows/\(name)"
            let url = folder.appendingPathComponent(name)
            if plainFolder, let bytes = readPlainFile(url.path) {
                files.append(WorkflowFileInput(path: path, content: bytes))
            } else {
                files.append(WorkflowFileInput(path: path, content: read(url, inside: root)))
            }
        }
        return RepositorySnapshot(fullName: repository.fullName, source: repository.root.path,
                                  headCommit: repository.headCommit, files: files)
    }

    static func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// Reads a path that is a regular file itself (not a symlink), or returns nil to let the
    /// careful path decide.
    static func readPlainFile(_ path: String) -> Result<[UInt8], WorkflowParseFailure>? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(info.st_size)
        if size > InputGuards.maxBytes {
            return .failure(.init("file is \(size) bytes, over the \(InputGuards.maxBytes)-byte limit for a workflow"))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(descriptor, buffer.baseAddress! + offset, size - offset)
            }
            if count <= 0 { break }
            offset += count
        }
        return .success(Array(bytes[0..<offset]))
    }

    static func read(_ url: URL, inside root: URL) -> Result<[UInt8], WorkflowParseFailure> {
        let resolved = url.resolvingSymlinksInPath()
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        guard resolved.path.hasPrefix(rootPath) else {
            return .failure(.init("symlink pointing outside the repository (to \(resolved.path)); not followed"))
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved.path) else {
            return .failure(.init("cannot read the file (broken symlink or no permission)"))
        }
        if let type = attributes[.type] as? FileAttributeType, type != .typeRegular {
            return .failure(.init("not a regular file"))
        }
        if let size = attributes[.size] as? Int, size > InputGuards.maxBytes {
            return .failure(.init("file is \(size) bytes, over the \(InputGuards.maxBytes)-byte limit for a workflow"))
        }
        guard let data = FileManager.default.contents(atPath: resolved.path) else {
            return .failure(.init("cannot read the file"))
        }
        return .success([UInt8](data))
    }
}

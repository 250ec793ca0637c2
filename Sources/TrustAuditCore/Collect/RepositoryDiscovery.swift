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
        var roots: [String] = []
        var seen = Set<String>()
        for path in paths {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DiscoveryError.pathNotFound(path)
            }
            let found = repositoryRoots(under: url.path, depth: 0)
            if found.isEmpty { throw DiscoveryError.noRepositories(path) }
            roots += found.filter { seen.insert($0).inserted }
        }
        // Naming reads each repository's git config and HEAD: independent small reads, done in parallel.
        let found = ParallelMap.map(roots) { path -> DiscoveredRepository in
            let root = URL(fileURLWithPath: path, isDirectory: true)
            return DiscoveredRepository(fullName: name(of: root, owner: owner), root: root, headCommit: GitMetadata.headCommit(of: root))
        }
        return found.sorted { $0.fullName < $1.fullName || ($0.fullName == $1.fullName && $0.root.path < $1.root.path) }
    }

    static func repositoryRoots(under path: String, depth: Int) -> [String] {
        if isRepository(path) { return [path] }
        guard depth < maxDepth else { return [] }
        var result: [String] = []
        for child in subdirectories(of: path).sorted() where !skipped.contains(child) {
            result += repositoryRoots(under: path == "/" ? "/\(child)" : "\(path)/\(child)", depth: depth + 1)
        }
        return result
    }

    /// Names of the visible subfolders of `path`, symlinks excluded, read with one `readdir` pass
    /// (an organization folder holds thousands of repositories).
    static func subdirectories(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var info = stat()
                guard lstat("\(path)/\(name)", &info) == 0 else { continue }
                type = (info.st_mode & S_IFMT) == S_IFDIR ? Int32(DT_DIR) : Int32(DT_REG)
            }
            if type == Int32(DT_DIR) { names.append(name) }
        }
        return names
    }

    static func isRepository(_ path: String) -> Bool {
        var info = stat()
        return stat("\(path)/.github/workflows", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func name(of root: URL, owner: String?) -> String {
        if let remote = GitMetadata.originURL(of: root), let name = GitMetadata.repositoryName(fromRemote: remote) {
            return name
        }
        let folderOwner = owner ?? root.deletingLastPathComponent().lastPathComponent
        return "\(folderOwner)/\(root.lastPathComponent)"
    }

    /// Reads a repository's `.github/workflows/*.yml|*.yaml` files, refusing any that resolve
    /// outside the repository (a symlink must not turn a scan into a read of the host), and the
    /// `action.yml` of the local actions they use (`LocalActionCollector`).
    public static func snapshot(of repository: DiscoveredRepository) -> RepositorySnapshot {
        let rootPath = repository.root.path
        let folder = "\(rootPath)/.github/workflows"
        // Resolving every path is the slow part of reading ten thousand repositories; it is only
        // needed where a symlink is involved, so plain folders and files are read directly.
        let plainFolder = !isSymlink("\(rootPath)/.github") && !isSymlink(folder)
        var files: [WorkflowFileInput] = []
        var resolvedRoot: URL?
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names.sorted() where name.hasSuffix(".yml") || name.hasSuffix(".yaml") {
            let path = ".github/workflows/\(name)"
            if plainFolder, let bytes = readPlainFile("\(folder)/\(name)") {
                files.append(WorkflowFileInput(path: path, content: bytes))
            } else {
                let root = resolvedRoot ?? repository.root.resolvingSymlinksInPath()
                resolvedRoot = root
                files.append(WorkflowFileInput(path: path, content: read(URL(fileURLWithPath: "\(folder)/\(name)"), inside: root)))
            }
        }
        files += LocalActionCollector.collect(root: repository.root, workflows: files)
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

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
            let found = repositoryRoots(under: url.path)
            if found.isEmpty { throw DiscoveryError.noRepositories(path) }
            roots += found.filter { seen.insert($0).inserted }
        }
        // Naming reads each repository's git config and HEAD: independent small reads, done in parallel.
        let found = ParallelMap.map(roots, width: ParallelMap.fileSystemWidth) { path -> DiscoveredRepository in
            let root = URL(fileURLWithPath: path, isDirectory: true)
            let git = GitMetadata.originAndHead(of: root)
            return DiscoveredRepository(fullName: name(of: root, origin: git.origin, owner: owner), root: root, headCommit: git.head)
        }
        return found.sorted { $0.fullName < $1.fullName || ($0.fullName == $1.fullName && $0.root.path < $1.root.path) }
    }

    /// The repositories at `path` or up to `maxDepth` levels below it, in the order of a walk
    /// that visits subfolders by name. Each level's folders are looked at side by side: an
    /// organization's folder holds thousands of repositories, each a few file-system calls, which
    /// wait on the disk when the cache is cold.
    static func repositoryRoots(under path: String) -> [String] {
        // Each folder with its place in the walk: its own position among its parent's sorted
        // subfolders, after its parent's place.
        var level: [(folder: String, place: [Int])] = [(path, [])]
        var found: [(folder: String, place: [Int])] = []
        for depth in 0...maxDepth where !level.isEmpty {
            let looks = ParallelMap.map(level.map(\.folder), width: ParallelMap.fileSystemWidth) { folder -> (repository: Bool, children: [String]) in
                if isRepository(folder) { return (true, []) }
                guard depth < maxDepth else { return (false, []) }
                let children = subdirectories(of: folder).sorted().filter { !skipped.contains($0) }
                return (false, children.map { folder == "/" ? "/\($0)" : "\(folder)/\($0)" })
            }
            var next: [(folder: String, place: [Int])] = []
            for (parent, look) in zip(level, looks) {
                if look.repository { found.append(parent) }
                next += look.children.enumerated().map { ($0.element, parent.place + [$0.offset]) }
            }
            level = next
        }
        return found.sorted { $0.place.lexicographicallyPrecedes($1.place) }.map(\.folder)
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

    static func name(of root: URL, origin: String?, owner: String?) -> String {
        if let remote = origin, let name = GitMetadata.repositoryName(fromRemote: remote) {
            return name
        }
        // From the path's text: URL's path methods cost more than the rest of naming.
        var components = root.path.split(separator: "/")
        let folder = components.popLast().map(String.init) ?? "/"
        let folderOwner = owner ?? components.last.map(String.init) ?? "/"
        return "\(folderOwner)/\(folder)"
    }

    /// Reads a repository's `.github/workflows/*.yml|*.yaml` files, refusing any that resolve
    /// outside the repository (a symlink must not turn a scan into a read of the host), and the
    /// `action.yml` of the local actions they use (`LocalActionCollector`). Files the `cache`
    /// knows unchanged are not read.
    public static func snapshot(of repository: DiscoveredRepository, cache: FileStampCache? = nil) -> RepositorySnapshot {
        let rootPath = repository.root.path
        let folder = "\(rootPath)/.github/workflows"
        // Resolving every path is the slow part of reading ten thousand repositories; it is only
        // needed where a symlink is involved, so a folder reached without one is listed and its
        // files stamped through one open descriptor (a whole path is walked once, not per file).
        let plain = PlainFolder(root: rootPath)
        let plainFolder = plain != nil
        var files: [WorkflowFileInput] = []
        var localActions: [String] = []
        var resolvedRoot: URL?
        let listing = plain.map { (names: workflowNames(listing: $0.stream), error: nil) } ?? workflowNames(in: folder)
        for entry in listing.names {
            let path = ".github/workflows/\(entry.display)"
            let fullPath = Array("\(folder)/".utf8) + entry.fileSystemName
            if plainFolder, let known = cache?.unchanged(fullPath, directory: plain?.descriptor ?? -1, name: entry.fileSystemName) {
                var file = WorkflowFileInput(path: path, content: .success([]))
                file.unchangedHash = known.hash
                files.append(file)
                localActions += known.localActions
            } else if plainFolder, let read = RegularFileReader.readWithStatus(fullPath, followingSymlinks: false, limit: InputGuards.maxBytes) {
                switch read {
                case .success(let (bytes, status)):
                    let stamp = FileStamp(status)
                    var file = WorkflowFileInput(path: path, content: .success(bytes))
                    let references = LocalActionCollector.references(in: bytes)
                    if let cache, cache.mayRecord(stamp) {
                        file.origin = DiskOrigin(path: fullPath, stamp: stamp, localActions: references)
                    }
                    files.append(file)
                    localActions += references
                case .failure(let failure):
                    files.append(WorkflowFileInput(path: path, content: .failure(WorkflowParseFailure(failure.reason))))
                }
            } else {
                let root = resolvedRoot ?? repository.root.resolvingSymlinksInPath()
                resolvedRoot = root
                let content = read(fullPath, inside: root)
                if case .success(let bytes) = content { localActions += LocalActionCollector.references(in: bytes) }
                files.append(WorkflowFileInput(path: path, content: content))
            }
        }
        var problems = listing.error.map { [CoverageProblem(path: ".github/workflows", message: "cannot list the folder: \($0)")] } ?? []
        for file in files {
            if case .failure(let failure) = file.content {
                problems.append(CoverageProblem(path: file.path, message: "not read: \(failure.description)"))
            }
        }
        files += LocalActionCollector.collect(root: repository.root, references: localActions)
        return RepositorySnapshot(fullName: repository.fullName, source: repository.root.path,
                                  headCommit: repository.headCommit, files: files, problems: problems)
    }

    /// A workflow file's name as the file system has it, and as reports show it.
    struct WorkflowName {
        /// The bytes of the name, for opening the file.
        var fileSystemName: [UInt8]
        /// The name as text: the name itself when it is UTF-8, else with each invalid byte written `\xNN`.
        var display: String
    }

    /// `.github/workflows` opened with neither component a symlink, kept open while the
    /// repository is read; nil when either is a symlink or cannot be opened (the careful path
    /// then says why).
    final class PlainFolder {
        let stream: OpaquePointer

        init?(root: String) {
            let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW
            let github = open("\(root)/.github", flags)
            guard github >= 0 else { return nil }
            let folder = openat(github, "workflows", flags)
            close(github)
            guard folder >= 0 else { return nil }
            guard let stream = fdopendir(folder) else {
                close(folder)
                return nil
            }
            self.stream = stream
        }

        var descriptor: Int32 { dirfd(stream) }

        deinit { closedir(stream) }
    }

    /// The `*.yml`/`*.yaml` names in `folder`, sorted, read with `readdir` so that a name that is
    /// not UTF-8 is still found (and named), or why the folder cannot be listed.
    static func workflowNames(in folder: String) -> (names: [WorkflowName], error: String?) {
        guard let directory = opendir(folder) else {
            return ([], String(cString: strerror(errno)))
        }
        defer { closedir(directory) }
        return (workflowNames(listing: directory), nil)
    }

    private static func workflowNames(listing directory: OpaquePointer) -> [WorkflowName] {
        var names: [WorkflowName] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes.count > 4, bytes.suffix(4).elementsEqual(".yml".utf8) || bytes.suffix(5).elementsEqual(".yaml".utf8) else { continue }
            // A String made from invalid UTF-8 would replace its bytes, and the file could no
            // longer be opened by that name: the bytes are kept for opening.
            names.append(WorkflowName(fileSystemName: bytes, display: String(validating: bytes, as: UTF8.self) ?? escapedName(bytes)))
        }
        return names.sorted { $0.display < $1.display }
    }

    /// `name` with every byte that is not part of valid UTF-8 written as `\xNN`.
    static func escapedName(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            var matched = false
            for width in (1...4).reversed() where index + width <= bytes.count {
                if let scalar = String(validating: bytes[index..<(index + width)], as: UTF8.self), scalar.unicodeScalars.count == 1 {
                    out += scalar
                    index += width
                    matched = true
                    break
                }
            }
            if !matched {
                out += String(format: "\\x%02X", bytes[index])
                index += 1
            }
        }
        return out
    }

    /// Reads a workflow file under the workflow size limit (see `RegularFileReader`). A symlink
    /// without `followingSymlinks` returns nil for the careful path (`read(_:inside:)`).
    static func readFile(_ path: [UInt8], followingSymlinks: Bool, limit: Int? = InputGuards.maxBytes) -> Result<[UInt8], WorkflowParseFailure>? {
        RegularFileReader.read(path, followingSymlinks: followingSymlinks, limit: limit)?.mapError { WorkflowParseFailure($0.reason) }
    }

    /// Reads a path that may be or pass through a symlink: only when it resolves inside `root`.
    static func read(_ path: [UInt8], inside root: URL) -> Result<[UInt8], WorkflowParseFailure> {
        var resolvedBytes: [UInt8]?
        if let resolved = realpath(RegularFileReader.cString(path), nil) {
            resolvedBytes = Array(UnsafeBufferPointer(start: resolved, count: strlen(resolved))).map { UInt8(bitPattern: $0) }
            free(resolved)
        }
        guard let resolvedBytes else {
            return .failure(.init("cannot read the file (broken symlink or no permission): \(String(cString: strerror(errno)))"))
        }
        let rootPath = Array((root.path.hasSuffix("/") ? root.path : root.path + "/").utf8)
        guard resolvedBytes.starts(with: rootPath) else {
            let shown = String(validating: resolvedBytes, as: UTF8.self) ?? escapedName(resolvedBytes)
            return .failure(.init("symlink pointing outside the repository (to \(shown)); not followed"))
        }
        return readFile(resolvedBytes, followingSymlinks: true)
            ?? .failure(.init("cannot read the file"))
    }
}

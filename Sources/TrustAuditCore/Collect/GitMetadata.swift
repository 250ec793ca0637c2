import Foundation

/// Reads what a scan records from a checkout's `.git` folder: the `origin` remote and HEAD.
///
/// Read from the files directly rather than by running `git`, so a scan of ten thousand
/// checkouts starts no processes and works where git is not installed.
public enum GitMetadata {
    /// The git directory of a checkout: `.git` itself, or where a `.git` file (`gitdir: …`)
    /// points for worktrees and submodules.
    static func gitDirectory(of root: URL) -> URL? {
        // One `stat` on the path: discovery asks this of thousands of checkouts, and building
        // URLs to ask FileManager cost more than the answer.
        let path = root.path.hasSuffix("/") ? "\(root.path).git" : "\(root.path)/.git"
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        let dotGit = URL(fileURLWithPath: path, isDirectory: isDirectory)
        if isDirectory { return dotGit }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("gitdir:") }) else { return nil }
        let target = line.dropFirst("gitdir:".count).trimmingWhitespace()
        return target.hasPrefix("/") ? URL(fileURLWithPath: target) : root.appendingPathComponent(target)
    }

    /// The folder holding shared files (`config`, `packed-refs`) for a worktree's git directory.
    static func commonDirectory(of gitDir: URL) -> URL {
        if let text = try? String(contentsOf: gitDir.appendingPathComponent("commondir"), encoding: .utf8) {
            let target = text.trimmingWhitespace()
            return target.hasPrefix("/") ? URL(fileURLWithPath: target) : gitDir.appendingPathComponent(target)
        }
        return gitDir
    }

    /// The `url` of `[remote "origin"]` in the checkout's git config, and the commit HEAD points
    /// at (following one symbolic ref through loose refs or `packed-refs`).
    public static func originAndHead(of root: URL) -> (origin: String?, head: String?) {
        guard let gitDir = gitDirectory(of: root) else { return (nil, nil) }
        return (originURL(gitDirectory: gitDir), headCommit(gitDirectory: gitDir))
    }

    private static func originURL(gitDirectory gitDir: URL) -> String? {
        guard let config = try? String(contentsOf: commonDirectory(of: gitDir).appendingPathComponent("config"), encoding: .utf8)
        else { return nil }
        var inOrigin = false
        for rawLine in config.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingWhitespace()
            if line.hasPrefix("[") {
                let header = line.replacingOccurrences(of: " ", with: "")
                inOrigin = header == "[remote\"origin\"]"
                continue
            }
            guard inOrigin, let equals = line.firstIndex(of: "=") else { continue }
            if line[..<equals].trimmingWhitespace() == "url" {
                return line[line.index(after: equals)...].trimmingWhitespace()
            }
        }
        return nil
    }

    /// `owner/name` from a remote URL in any of git's forms: `https://host/owner/name(.git)`,
    /// `ssh://git@host[:port]/owner/name`, `git@host:owner/name.git`, `git://host/owner/name`.
    public static func repositoryName(fromRemote remote: String) -> String? {
        var path: Substring
        if let scheme = remote.range(of: "://") {
            let rest = remote[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            path = rest[rest.index(after: slash)...]
        } else if let colon = remote.firstIndex(of: ":"), !remote[..<colon].contains("/") {
            path = remote[remote.index(after: colon)...]
        } else {
            return nil
        }
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.hasSuffix(".git") { path = path.dropLast(4) }
        let parts = path.split(separator: "/")
        guard parts.count >= 2 else { return nil }
        return "\(parts[parts.count - 2])/\(parts[parts.count - 1])"
    }

    private static func headCommit(gitDirectory gitDir: URL) -> String? {
        guard let head = try? String(contentsOf: gitDir.appendingPathComponent("HEAD"), encoding: .utf8) else { return nil }
        let value = head.trimmingWhitespace()
        guard value.hasPrefix("ref:") else { return isObjectID(value) ? value : nil }
        let ref = value.dropFirst(4).trimmingWhitespace()
        for dir in [gitDir, commonDirectory(of: gitDir)] {
            if let loose = try? String(contentsOf: dir.appendingPathComponent(ref), encoding: .utf8) {
                let id = loose.trimmingWhitespace()
                if isObjectID(id) { return id }
            }
        }
        guard let packed = try? String(contentsOf: commonDirectory(of: gitDir).appendingPathComponent("packed-refs"), encoding: .utf8)
        else { return nil }
        for line in packed.split(whereSeparator: \.isNewline) where line.hasSuffix(" " + ref) {
            let id = String(line.prefix { $0 != " " })
            if isObjectID(id) { return id }
        }
        return nil
    }

    static func isObjectID(_ value: String) -> Bool {
        (value.utf8.count == 40 || value.utf8.count == 64) && value.allSatisfy(\.isHexDigit)
    }
}

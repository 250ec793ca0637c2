import Foundation

/// Reads the metadata files of the local actions (`uses: ./path`) a repository's workflows use,
/// so their steps can be judged with the job's.
///
/// References are found in the workflow text (and, for composite actions, in the action's own
/// text, since a composite action may use further local actions), resolved against the
/// repository root as GitHub does, and read as `action.yml`, else `action.yaml`. A reference that
/// points outside the repository, names no file, or is decided at run time becomes an entry with
/// the reason instead of content; at most `maxActions` are read per repository, so a chain of
/// actions costs a bounded amount of work. Each entry's path is the reference's folder as
/// written (without `./` and a trailing `/`) plus the file name, which is how policies join a
/// step's `uses:` to it.
public enum LocalActionCollector {
    public static let maxActions = 64

    /// The local actions that `references` (found in the workflows' text, in file order) lead to.
    public static func collect(root: URL, references: [String]) -> [WorkflowFileInput] {
        var pending = references
        var seen = Set<String>()
        var result: [WorkflowFileInput] = []
        // Resolved only when an action file is found: most references of a repository (a local
        // reusable workflow, a missing folder) need no resolution, and resolving costs a `stat`
        // per component of the root's path.
        var resolvedRoot: URL?
        let resolve = {
            let resolved = resolvedRoot ?? root.resolvingSymlinksInPath()
            resolvedRoot = resolved
            return resolved
        }
        while !pending.isEmpty {
            let reference = pending.removeFirst()
            let folder = folderText(of: reference)
            guard seen.insert(folder).inserted else { continue }
            guard result.count < maxActions else {
                result.append(WorkflowFileInput(
                    path: "\(folder)/action.yml",
                    content: .failure(WorkflowParseFailure("not read: more than \(maxActions) local actions in this repository")),
                    kind: .action))
                continue
            }
            let entry = read(folder: folder, root: root, resolvedRoot: resolve)
            if case .success(let bytes) = entry.content { pending += Self.references(in: bytes) }
            result.append(entry)
        }
        return result
    }

    /// `./a/b/` → `a/b`: the folder as written, which a policy can compute from `uses:` too.
    static func folderText(of reference: String) -> String {
        var text = Substring(reference.trimmingWhitespace())
        if text.hasPrefix("./") { text = text.dropFirst(2) }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }

    /// Reads `folder`'s action file; `resolvedRoot` gives the root with its symlinks resolved,
    /// which the file must lie inside.
    static func read(folder: String, root: URL, resolvedRoot: () -> URL) -> WorkflowFileInput {
        func failure(_ reason: String) -> WorkflowFileInput {
            WorkflowFileInput(path: "\(folder)/action.yml", content: .failure(WorkflowParseFailure(reason)), kind: .action)
        }
        if folder.contains("${{") {
            return failure("the local action's path is an expression, decided at run time")
        }
        var parts: [String] = []
        for part in folder.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return failure("`./\(folder)` points outside the repository; not read") }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        func file(_ name: String, under base: URL) -> String {
            ([base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path] + parts + [name]).joined(separator: "/")
        }
        for name in ["action.yml", "action.yaml"] {
            // Anything by that name, a broken symlink included: reading it says what is wrong.
            var info = stat()
            guard lstat(file(name, under: root), &info) == 0 else { continue }
            let inside = resolvedRoot()
            return WorkflowFileInput(path: "\(folder)/\(name)", content: RepositoryDiscovery.read(Array(file(name, under: inside).utf8), inside: inside),
                                     kind: .action)
        }
        return failure("no action.yml or action.yaml in `\(parts.isEmpty ? "." : parts.joined(separator: "/"))`")
    }

    /// The `uses: ./…` values in a file's text, found line by line (a flow-style step such as
    /// `- { uses: ./x }` included). A reference this misses is simply not read, and the policies
    /// treat an unread local action as "cannot tell".
    ///
    /// What this finds is recorded with each file's stamp (`FileStampStore.recordedBy`): a change
    /// to these rules must change that name, or unchanged files keep the old answer.
    static func references(in bytes: [UInt8]) -> [String] {
        // Every file of every scan passes through here, changed or not: one pass over the bytes,
        // looking at a line only where `uses:` occurs in it.
        bytes.withUnsafeBufferPointer { buffer in
            let newline = UInt8(ascii: "\n")
            var found: [String] = []
            var searchFrom = 0
            while let keyStart = nextUsesKey(in: buffer, from: searchFrom) {
                var lineStart = keyStart
                while lineStart > searchFrom, buffer[lineStart - 1] != newline { lineStart -= 1 }
                var lineEnd = keyStart
                while lineEnd < buffer.count, buffer[lineEnd] != newline { lineEnd += 1 }
                // Only the first `uses:` of a line counts, so the search goes on at the next line.
                searchFrom = lineEnd + 1
                if let value = usesValue(in: buffer, lineStart: lineStart, keyStart: keyStart, lineEnd: lineEnd) {
                    found.append(value)
                }
            }
            return found
        }
    }

    private static let usesKey: [UInt8] = Array("uses:".utf8)

    /// The position of the next `uses:` at or after `from`.
    private static func nextUsesKey(in buffer: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        let key = usesKey
        var index = from
        while index + key.count <= buffer.count {
            if buffer[index] == key[0], buffer[index + 1] == key[1], buffer[index + 2] == key[2], buffer[index + 3] == key[3],
               buffer[index + 4] == key[4] {
                return index
            }
            index += 1
        }
        return nil
    }

    /// The `./…` value of the `uses:` key at `keyStart`, when it is a key of its own (only
    /// indentation, `-`, `{` or `,` before it, not a script's text) and its value is local.
    private static func usesValue(in buffer: UnsafeBufferPointer<UInt8>, lineStart: Int, keyStart: Int, lineEnd: Int) -> String? {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var count = 0
        var last: UInt8 = 0
        for index in lineStart..<keyStart where buffer[index] != space && buffer[index] != tab {
            count += 1
            last = buffer[index]
        }
        let keyOfItsOwn = count == 0 || (count == 1 && last == UInt8(ascii: "-"))
            || last == UInt8(ascii: "{") || last == UInt8(ascii: ",")
        guard keyOfItsOwn else { return nil }
        var index = keyStart + usesKey.count
        while index < lineEnd, buffer[index] == space || buffer[index] == tab { index += 1 }
        var valueEnd = index
        if index < lineEnd, buffer[index] == UInt8(ascii: "\"") || buffer[index] == UInt8(ascii: "'") {
            let quote = buffer[index]
            index += 1
            valueEnd = index
            while valueEnd < lineEnd, buffer[valueEnd] != quote { valueEnd += 1 }
        } else {
            while valueEnd < lineEnd {
                let byte = buffer[valueEnd]
                if byte == space || byte == tab || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: ",")
                    || byte == UInt8(ascii: "\r") {
                    break
                }
                valueEnd += 1
            }
        }
        guard valueEnd - index >= 2, buffer[index] == UInt8(ascii: "."), buffer[index + 1] == UInt8(ascii: "/") else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<valueEnd]), as: UTF8.self)
    }
}

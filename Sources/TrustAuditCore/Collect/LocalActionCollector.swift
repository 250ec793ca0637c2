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

    public static func collect(root: URL, workflows: [WorkflowFileInput]) -> [WorkflowFileInput] {
        var pending: [String] = []
        for file in workflows {
            if case .success(let bytes) = file.content { pending += references(in: bytes) }
        }
        var seen = Set<String>()
        var result: [WorkflowFileInput] = []
        var resolvedRoot: URL?
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
            let root = resolvedRoot ?? root.resolvingSymlinksInPath()
            resolvedRoot = root
            let entry = read(folder: folder, root: root)
            if case .success(let bytes) = entry.content { pending += references(in: bytes) }
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

    static func read(folder: String, root: URL) -> WorkflowFileInput {
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
        let directory = parts.isEmpty ? root : root.appendingPathComponent(parts.joined(separator: "/"))
        for name in ["action.yml", "action.yaml"] {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) || RepositoryDiscovery.isSymlink(url.path) else { continue }
            return WorkflowFileInput(path: "\(folder)/\(name)", content: RepositoryDiscovery.read(Array(url.path.utf8), inside: root), kind: .action)
        }
        return failure("no action.yml or action.yaml in `\(parts.isEmpty ? "." : parts.joined(separator: "/"))`")
    }

    /// The `uses: ./…` values in a file's text, found line by line (a flow-style step such as
    /// `- { uses: ./x }` included). A reference this misses is simply not read, and the policies
    /// treat an unread local action as "cannot tell".
    static func references(in bytes: [UInt8]) -> [String] {
        // Every file of every scan passes through here, changed or not: bytes, not Strings.
        let key = Array("uses:".utf8)
        var found: [String] = []
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { lineStart = lineEnd + 1 }
            guard let keyStart = Self.find(key, in: bytes, from: lineStart, to: lineEnd) else { continue }
            // A key of its own: only indentation, `-`, `{` or `,` before it (not a script's text).
            let before = bytes[lineStart..<keyStart].filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            guard before.isEmpty || before == [UInt8(ascii: "-")] || before.last == UInt8(ascii: "{") || before.last == UInt8(ascii: ",") else {
                continue
            }
            var index = keyStart + key.count
            while index < lineEnd, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
            var value: ArraySlice<UInt8>
            if index < lineEnd, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                let quote = bytes[index]
                let rest = bytes[(index + 1)..<lineEnd]
                value = rest.prefix { $0 != quote }
            } else {
                let stops: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "#"), UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "\r")]
                value = bytes[index..<lineEnd].prefix { !stops.contains($0) }
            }
            if value.starts(with: [UInt8(ascii: "."), UInt8(ascii: "/")]) { found.append(String(decoding: value, as: UTF8.self)) }
        }
        return found
    }

    /// The first position of `needle` in `bytes[from..<to]`.
    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int, to: Int) -> Int? {
        guard let first = needle.first, to - from >= needle.count else { return nil }
        var index = from
        while index <= to - needle.count {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

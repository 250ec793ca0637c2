import Foundation

/// A JSON document given to a scan (a GitHub settings or Octopus export), with the name used
/// in error messages: a file path, or `example N` for policy examples.
public struct InputDocument: Sendable {
    public var name: String
    public var data: Data

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }

    /// Reads a file, or every `*.json` file of a folder (sorted by name).
    public static func load(path: String) throws -> [InputDocument] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiscoveryError.pathNotFound(path)
        }
        let files: [String]
        if isDirectory.boolValue {
            files = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { $0.hasSuffix(".json") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        } else {
            files = [path]
        }
        return files.map { InputDocument(name: $0, data: FileManager.default.contents(atPath: $0) ?? Data()) }
    }
}

import Foundation

/// A JSON document given to a scan (a GitHub settings or Octopus export), with the name used
/// in error messages: a file path, or `example N` for policy examples.
public struct InputDocument: Sendable {
    public var name: String
    public var data: Data
    /// Why the file could not be read (a FIFO, no permission); the scan lists it as unreadable.
    public var readError: String?

    public init(name: String, data: Data, readError: String? = nil) {
        self.name = name
        self.data = data
        self.readError = readError
    }

    /// Reads a file, or every `*.json` file of a folder (sorted by name).
    public static func load(path: String) throws -> [InputDocument] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiscoveryError.pathNotFound(path)
        }
        let files: [String]
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                // A folder of exports that cannot be listed is a document the scan could not read.
                return [InputDocument(name: path, data: Data(), readError: "cannot list the folder: \(error.localizedDescription)")]
            }
            files = names.filter { $0.hasSuffix(".json") }.sorted().map { (path as NSString).appendingPathComponent($0) }
        } else {
            files = [path]
        }
        return files.map { file in
            switch RegularFileReader.read(Array(file.utf8), followingSymlinks: true, limit: nil) {
            case .success(let bytes)?: return InputDocument(name: file, data: Data(bytes))
            case .failure(let failure)?: return InputDocument(name: file, data: Data(), readError: failure.reason)
            case nil: return InputDocument(name: file, data: Data(), readError: "cannot read the file")
            }
        }
    }
}

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
        let files: [String]
        switch InputFiles.list(path, suffixes: [".json"]) {
        case .success(let found): files = found
        case .failure(.missing): throw DiscoveryError.pathNotFound(path)
        case .failure(.unlistable(let why)):
            // A folder of exports that cannot be listed is a document the scan could not read.
            return [InputDocument(name: path, data: Data(), readError: "cannot list the folder: \(why)")]
        }
        // Read in parallel: an organization's settings export is a folder of thousands of files.
        return ParallelMap.map(files, width: ParallelMap.fileSystemWidth) { file in
            switch RegularFileReader.read(Array(file.utf8), followingSymlinks: true, limit: nil) {
            case .success(let bytes)?: return InputDocument(name: file, data: Data(bytes))
            case .failure(let failure)?: return InputDocument(name: file, data: Data(), readError: failure.reason)
            case nil: return InputDocument(name: file, data: Data(), readError: "cannot read the file")
            }
        }
    }
}

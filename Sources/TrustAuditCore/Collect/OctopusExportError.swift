/// Why an Octopus export file could not be loaded at all. Anything narrower is an
/// ``ExportProblem`` and the rest of the file still loads.
public enum OctopusExportError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The bytes are not JSON; line and column are 1-based when Foundation gave a position.
    case malformedJSON(file: String, line: Int?, column: Int?, detail: String)
    /// The document is JSON but not an object.
    case notAnObject(file: String, found: String)
    /// `server` is absent or not a string: without it the instance cannot be told apart from
    /// others across scans.
    case invalidServer(file: String, found: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read Octopus export: \(reason)"
        case .malformedJSON(let file, let line, let column, let detail):
            let location = line.map { line in ":\(line)" + (column.map { ":\($0)" } ?? "") } ?? ""
            return "\(file)\(location): Octopus export is not valid JSON: \(detail)"
        case .notAnObject(let file, let found):
            return "\(file): Octopus export must be a JSON object, found \(found)"
        case .invalidServer(let file, let found):
            return "\(file): key \"server\" must be the instance URL as a string, found \(found)"
        }
    }
}

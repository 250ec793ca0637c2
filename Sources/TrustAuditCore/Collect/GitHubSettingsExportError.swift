/// Why a GitHub settings file could not be loaded at all. Narrower defects are
/// ``ExportProblem``s and the rest of the file still loads.
public enum GitHubSettingsExportError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// Line and column are 1-based when Foundation gave a position.
    case malformedJSON(file: String, line: Int?, column: Int?, detail: String)
    case notAnObject(file: String, found: String)
    /// Neither a string `repository` nor a string `organization` key: the file cannot be
    /// attributed to anything.
    case unidentified(file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read GitHub settings export: \(reason)"
        case .malformedJSON(let file, let line, let column, let detail):
            let location = line.map { line in ":\(line)" + (column.map { ":\($0)" } ?? "") } ?? ""
            return "\(file)\(location): GitHub settings export is not valid JSON: \(detail)"
        case .notAnObject(let file, let found):
            return "\(file): GitHub settings export must be a JSON object, found \(found)"
        case .unidentified(let file):
            return "\(file): GitHub settings export needs a \"repository\" (owner/name) or an \"organization\" string key"
        }
    }
}

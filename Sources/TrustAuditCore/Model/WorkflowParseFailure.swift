/// Why a workflow could not be parsed, with the line where that is known.
public struct WorkflowParseFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var line: Int?
    /// The limit the file went over (`max_expanded_bytes`, …), when that is why: such a failure
    /// says nothing about the content under another limit, so it is not stored with the content.
    public var limit: String?

    public init(_ reason: String, line: Int? = nil, limit: String? = nil) {
        self.reason = reason
        self.line = line
        self.limit = limit
    }

    public var description: String {
        line.map { "line \($0): \(reason)" } ?? reason
    }
}

/// A part of a repository the scan could not read: where (a path in the repository) and why.
public struct CoverageProblem: Sendable, Equatable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// The outcome of parsing one workflow file: facts, or the reason it could not be read.
///
/// A failure is data, not an exception: the scan records it as a `workflow-unparseable` finding
/// and goes on with every other file.
public enum WorkflowParseResult: Sendable, Equatable {
    case parsed(WorkflowFacts)
    case failed(WorkflowParseFailure)
}

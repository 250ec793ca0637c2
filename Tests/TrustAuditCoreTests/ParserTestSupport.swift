/// Helpers shared by the parser tests.
import Testing
@testable import TrustAuditCore

/// Parses `text` and returns the facts, recording an issue when it fails.
func parsed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> WorkflowFacts? {
    switch WorkflowParser.parse(bytes: Array(text.utf8)) {
    case .parsed(let facts):
        return facts
    case .failed(let failure):
        Issue.record("expected the workflow to parse, got: \(failure)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Parses `bytes` and returns the failure, recording an issue when it parses.
func failure(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> WorkflowParseFailure? {
    switch WorkflowParser.parse(bytes: bytes) {
    case .parsed:
        Issue.record("expected the workflow to fail", sourceLocation: sourceLocation)
        return nil
    case .failed(let failure):
        return failure
    }
}

func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> WorkflowParseFailure? {
    failure(Array(text.utf8), sourceLocation: sourceLocation)
}

import Yams

/// What the configuration and policy readers share with the workflow parser. Those files are
/// written by people and read with Yams' full YAML 1.1 resolver (`true`, `3`); workflows are
/// composed by `YAMLComposer`, and both report problems the same way.
extension WorkflowParser {
    static func describe(_ error: YamlError) -> WorkflowParseFailure {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return .init("invalid YAML: \(detail)", line: mark.line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .init("duplicate key \(duplicates.joined(separator: ", ")) in a mapping", line: context.mark.line)
        case .reader(let problem, _, let value, _):
            return .init("cannot read the file: \(problem) (\(value))")
        default:
            return .init("invalid YAML: \(error)")
        }
    }
}

extension YAMLAccess {
    /// Plain `null`, `~` or an empty value, as `isNull` reads a composed workflow node.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return isNullSpelling(scalar.string)
    }
}

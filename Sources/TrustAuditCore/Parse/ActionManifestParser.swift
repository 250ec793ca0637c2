/// Reads a local action's `action.yml`: how it runs and, for a composite action, its steps.
///
/// Steps are read exactly as a job's steps are (same bounds, same outsider-input facts), so a
/// policy can judge them with the steps of the job that uses the action. Like the workflow
/// parser it never throws and never traps.
public enum ActionManifestParser {
    public static func parse(bytes: [UInt8]) -> WorkflowParseResult {
        switch InputGuards.decode(bytes) {
        case .failure(let failure): return .failed(failure)
        case .success(let text): return parse(text: text)
        }
    }

    public static func parse(text: String) -> WorkflowParseResult {
        WorkflowParser.read(text) { reader, root in try reader.readAction(root) }
    }
}

extension WorkflowReader {
    mutating func readAction(_ root: YAMLNode) throws -> WorkflowFacts {
        guard case .mapping = root else {
            throw WorkflowParseFailure("the top level of an action's metadata must be a mapping", line: root.line)
        }
        var facts = WorkflowFacts()
        var manifest: ActionManifestFact?
        for pair in try yaml.pairs(root) {
            switch pair.key {
            case "name":
                facts.name = YAMLAccess.scalarString(pair.value)
            case "runs":
                guard case .mapping = pair.value else {
                    throw WorkflowParseFailure("`runs` must be a mapping", line: pair.keyLine)
                }
                var fact = ActionManifestFact(using: nil, steps: [])
                for field in try yaml.pairs(pair.value) {
                    switch field.key {
                    case "using": fact.using = YAMLAccess.scalarString(field.value)?.trimmingWhitespace().lowercased()
                    case "steps": fact.steps = try steps(field.value, job: "runs", keyLine: field.keyLine)
                    default: continue
                    }
                }
                manifest = fact
            default:
                continue
            }
        }
        guard let manifest else {
            throw WorkflowParseFailure("no `runs:` found; this is not an action's metadata file", line: 1)
        }
        facts.action = manifest
        return facts
    }
}

import GRDB

/// A parse result as the values of the rows `WorkflowFactStore` writes, all but the document
/// number.
///
/// Built on the parsing threads (JSON encoding and action-reference parsing included), so that
/// the one writer of a cold scan only binds values: it is the scan's narrowest stage.
struct WorkflowFactRows: Sendable {
    /// `wf_documents` without `doc`: the parse error row when the file could not be parsed.
    var document: [DatabaseValue]
    var parsed: Bool
    var triggers = PackedRows(width: 10)
    var permissions = PackedRows(width: 4)
    var jobs = PackedRows(width: 21)
    var steps = PackedRows(width: 14)
    var outsiderInputs = PackedRows(width: 8)
    var actions = PackedRows(width: 1)
    var suppressions = PackedRows(width: 3)

    init(_ result: WorkflowParseResult) {
        switch result {
        case .failed(let failure):
            document = [WorkflowParser.version.databaseValue, failure.reason.databaseValue, failure.line.databaseValue]
            parsed = false
        case .parsed(let facts):
            parsed = true
            document = [WorkflowParser.version.databaseValue, facts.name.databaseValue, (facts.permissions?.kind.rawValue).databaseValue,
                        (facts.permissions?.line).databaseValue, Self.json(facts.env).databaseValue, facts.expandedBytes.databaseValue]
            for fact in facts.triggers {
                triggers.append(fact.event)
                triggers.append(fact.line)
                triggers.appendJSON(fact.types)
                triggers.appendJSON(fact.branches)
                triggers.appendJSON(fact.branchesIgnore)
                triggers.appendJSON(fact.tags)
                triggers.appendJSON(fact.tagsIgnore)
                triggers.appendJSON(fact.paths)
                triggers.appendJSON(fact.inputs)
                triggers.appendJSON(fact.workflows)
            }
            for entry in facts.permissions?.entries ?? [] { addPermission("", entry) }
            if let action = facts.action {
                actions.append(action.using)
                // An action has no jobs: its steps are stored under the job key ''.
                addSteps(action.steps, job: "")
            }
            for fact in facts.jobs {
                jobs.append(fact.key)
                jobs.append(fact.ordinal)
                jobs.append(fact.name)
                jobs.append(fact.line)
                jobs.append(fact.runsOn)
                jobs.append(fact.ifCondition)
                jobs.append(fact.environment)
                jobs.append(fact.environmentURL)
                jobs.append(fact.environmentIsExpression)
                jobs.append(fact.environmentLine)
                jobs.appendJSON(fact.needs.isEmpty ? nil : fact.needs)
                jobs.append(fact.uses)
                jobs.append(fact.uses.map { ActionReferenceParser.parse($0).kind.rawValue })
                jobs.append(fact.usesLine)
                jobs.append(fact.secretsInherit)
                jobs.appendJSON(fact.secrets)
                jobs.appendJSON(fact.with)
                jobs.appendJSON(fact.env)
                jobs.append(fact.permissions?.kind.rawValue)
                jobs.append(fact.permissions?.line)
                jobs.appendJSON(fact.matrix)
                for entry in fact.permissions?.entries ?? [] { addPermission(fact.key, entry) }
                addSteps(fact.steps, job: fact.key)
            }
            for suppression in facts.suppressions {
                suppressions.append(suppression.line)
                suppressions.append(suppression.policy)
                suppressions.append(suppression.reason)
            }
        }
    }

    private mutating func addSteps(_ items: [StepFact], job: String) {
        for item in items {
            let action = item.action
            steps.append(job)
            steps.append(item.index)
            steps.append(item.id)
            steps.append(item.name)
            steps.append(item.line)
            steps.append(item.uses)
            steps.append(action?.owner)
            steps.append(action?.repo)
            steps.append(action?.path)
            steps.append(action?.ref)
            steps.append(action?.kind.rawValue)
            steps.append(item.run)
            steps.appendJSON(item.with)
            steps.appendJSON(item.env)
            for (ordinal, input) in item.outsiderInputs.enumerated() {
                outsiderInputs.append(job)
                outsiderInputs.append(item.index)
                outsiderInputs.append(ordinal)
                outsiderInputs.append(input.kind.rawValue)
                outsiderInputs.append(input.context)
                outsiderInputs.append(input.field)
                outsiderInputs.append(input.line)
                outsiderInputs.append(input.expression)
            }
        }
    }

    private mutating func addPermission(_ job: String, _ entry: PermissionEntry) {
        permissions.append(job)
        permissions.append(entry.scope)
        permissions.append(entry.access)
        permissions.append(entry.line)
    }

    private static func json(_ map: [String: String]) -> String? {
        guard !map.isEmpty else { return nil }
        var out: [UInt8] = []
        JSONValue.writeStrings(map, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

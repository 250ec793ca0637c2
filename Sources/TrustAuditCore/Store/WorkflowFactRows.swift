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
    var triggers: [[DatabaseValue]] = []
    var permissions: [[DatabaseValue]] = []
    var jobs: [[DatabaseValue]] = []
    var steps: [[DatabaseValue]] = []
    var outsiderInputs: [[DatabaseValue]] = []
    var actions: [[DatabaseValue]] = []
    var suppressions: [[DatabaseValue]] = []

    init(_ result: WorkflowParseResult) {
        switch result {
        case .failed(let failure):
            document = [WorkflowParser.version.databaseValue, failure.reason.databaseValue, failure.line.databaseValue]
            parsed = false
        case .parsed(let facts):
            parsed = true
            document = Self.values(WorkflowParser.version, facts.name, facts.permissions?.kind.rawValue, facts.permissions?.line,
                                   Self.json(facts.env), facts.expandedBytes)
            triggers = facts.triggers.map { fact in
                Self.values(fact.event, fact.line, Self.json(fact.types), Self.json(fact.branches), Self.json(fact.branchesIgnore),
                            Self.json(fact.tags), Self.json(fact.tagsIgnore), Self.json(fact.paths), fact.inputs?.jsonText,
                            Self.json(fact.workflows))
            }
            permissions = (facts.permissions?.entries ?? []).map { Self.values("", $0.scope, $0.access, $0.line) }
            if let action = facts.action {
                actions.append(Self.values(action.using))
                // An action has no jobs: its steps are stored under the job key ''.
                addSteps(action.steps, job: "")
            }
            for fact in facts.jobs {
                jobs.append(Self.values(
                    fact.key, fact.ordinal, fact.name, fact.line, fact.runsOn, fact.ifCondition, fact.environment,
                    fact.environmentURL, fact.environmentIsExpression, fact.environmentLine,
                    fact.needs.isEmpty ? nil : Self.json(fact.needs), fact.uses,
                    fact.uses.map { ActionReferenceParser.parse($0).kind.rawValue }, fact.usesLine, fact.secretsInherit,
                    Self.json(fact.secrets), Self.json(fact.with), Self.json(fact.env), fact.permissions?.kind.rawValue,
                    fact.permissions?.line, fact.matrix?.jsonText))
                permissions += (fact.permissions?.entries ?? []).map { Self.values(fact.key, $0.scope, $0.access, $0.line) }
                addSteps(fact.steps, job: fact.key)
            }
            suppressions = facts.suppressions.map { Self.values($0.line, $0.policy, $0.reason) }
        }
    }

    private mutating func addSteps(_ items: [StepFact], job: String) {
        for item in items {
            let action = item.action
            steps.append(Self.values(
                job, item.index, item.id, item.name, item.line, item.uses, action?.owner, action?.repo, action?.path,
                action?.ref, action?.kind.rawValue, item.run, Self.json(item.with), Self.json(item.env)))
            for (ordinal, input) in item.outsiderInputs.enumerated() {
                outsiderInputs.append(Self.values(
                    job, item.index, ordinal, input.kind.rawValue, input.context, input.field, input.line, input.expression))
            }
        }
    }

    private static func values(_ items: (any DatabaseValueConvertible)?...) -> [DatabaseValue] {
        items.map { $0?.databaseValue ?? .null }
    }

    private static func json(_ map: [String: String]) -> String? {
        map.isEmpty ? nil : JSONValue.strings(map).jsonText
    }

    private static func json(_ list: [String]?) -> String? {
        list.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
    }
}

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
            document = [WorkflowParser.version.databaseValue, facts.name.databaseValue, (facts.permissions?.kind.rawValue).databaseValue,
                        (facts.permissions?.line).databaseValue, Self.json(facts.env).databaseValue, facts.expandedBytes.databaseValue]
            triggers = facts.triggers.map { fact in
                [fact.event.databaseValue, fact.line.databaseValue, Self.json(fact.types).databaseValue, Self.json(fact.branches).databaseValue,
                 Self.json(fact.branchesIgnore).databaseValue, Self.json(fact.tags).databaseValue, Self.json(fact.tagsIgnore).databaseValue,
                 Self.json(fact.paths).databaseValue, (fact.inputs?.jsonText).databaseValue, Self.json(fact.workflows).databaseValue]
            }
            permissions = (facts.permissions?.entries ?? []).map { Self.permission("", $0) }
            if let action = facts.action {
                actions.append([action.using.databaseValue])
                // An action has no jobs: its steps are stored under the job key ''.
                addSteps(action.steps, job: "")
            }
            for fact in facts.jobs {
                jobs.append([
                    fact.key.databaseValue, fact.ordinal.databaseValue, fact.name.databaseValue, fact.line.databaseValue,
                    fact.runsOn.databaseValue, fact.ifCondition.databaseValue, fact.environment.databaseValue,
                    fact.environmentURL.databaseValue, fact.environmentIsExpression.databaseValue, fact.environmentLine.databaseValue,
                    (fact.needs.isEmpty ? nil : Self.json(fact.needs)).databaseValue, fact.uses.databaseValue,
                    (fact.uses.map { ActionReferenceParser.parse($0).kind.rawValue }).databaseValue, fact.usesLine.databaseValue,
                    fact.secretsInherit.databaseValue, Self.json(fact.secrets).databaseValue, Self.json(fact.with).databaseValue,
                    Self.json(fact.env).databaseValue, (fact.permissions?.kind.rawValue).databaseValue,
                    (fact.permissions?.line).databaseValue, (fact.matrix?.jsonText).databaseValue,
                ])
                permissions += (fact.permissions?.entries ?? []).map { Self.permission(fact.key, $0) }
                addSteps(fact.steps, job: fact.key)
            }
            suppressions = facts.suppressions.map { [$0.line.databaseValue, $0.policy.databaseValue, $0.reason.databaseValue] }
        }
    }

    private mutating func addSteps(_ items: [StepFact], job: String) {
        for item in items {
            let action = item.action
            steps.append([
                job.databaseValue, item.index.databaseValue, item.id.databaseValue, item.name.databaseValue, item.line.databaseValue,
                item.uses.databaseValue, (action?.owner).databaseValue, (action?.repo).databaseValue, (action?.path).databaseValue,
                (action?.ref).databaseValue, (action?.kind.rawValue).databaseValue, item.run.databaseValue,
                Self.json(item.with).databaseValue, Self.json(item.env).databaseValue,
            ])
            for (ordinal, input) in item.outsiderInputs.enumerated() {
                outsiderInputs.append([
                    job.databaseValue, item.index.databaseValue, ordinal.databaseValue, input.kind.rawValue.databaseValue,
                    input.context.databaseValue, input.field.databaseValue, input.line.databaseValue, input.expression.databaseValue,
                ])
            }
        }
    }

    /// A permission entry's row. Rows are built value by value from each value's own type, not
    /// through a list of `any DatabaseValueConvertible`, whose boxing, metadata lookups and extra
    /// array cost a good part of building the rows of hundreds of thousands of steps.
    private static func permission(_ job: String, _ entry: PermissionEntry) -> [DatabaseValue] {
        [job.databaseValue, entry.scope.databaseValue, entry.access.databaseValue, entry.line.databaseValue]
    }

    private static func json(_ map: [String: String]) -> String? {
        map.isEmpty ? nil : JSONValue.strings(map).jsonText
    }

    private static func json(_ list: [String]?) -> String? {
        list.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
    }
}

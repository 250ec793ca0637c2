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
                triggers.append([fact.event.databaseValue, fact.line.databaseValue, Self.json(fact.types).databaseValue, Self.json(fact.branches).databaseValue,
                 Self.json(fact.branchesIgnore).databaseValue, Self.json(fact.tags).databaseValue, Self.json(fact.tagsIgnore).databaseValue,
                 Self.json(fact.paths).databaseValue, (fact.inputs?.jsonText).databaseValue, Self.json(fact.workflows).databaseValue])
            }
            for entry in facts.permissions?.entries ?? [] { permissions.append(Self.permission("", entry)) }
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
                for entry in fact.permissions?.entries ?? [] { permissions.append(Self.permission(fact.key, entry)) }
                addSteps(fact.steps, job: fact.key)
            }
            for suppression in facts.suppressions {
                suppressions.append([suppression.line.databaseValue, suppression.policy.databaseValue, suppression.reason.databaseValue])
            }
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

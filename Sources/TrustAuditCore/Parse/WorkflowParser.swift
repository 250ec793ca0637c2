/// Turns a workflow file's bytes into `WorkflowFacts`, or a failure with its reason and line.
///
/// Reads the YAML the way GitHub does where loaders disagree: `on` is the trigger key, spelled
/// exactly so (GitHub reads YAML 1.2 and refuses `On:`, `yes:` or `true:`), merge keys
/// `<<` and anchors are honoured, and a scalar is accepted wherever GitHub accepts a one-element
/// list. It never throws and never traps: every problem becomes a `WorkflowParseFailure`.
public enum WorkflowParser {
    /// Bumped when the facts extracted from the same bytes change, so stored facts are re-derived.
    public static let version = 4

    public static func parse(bytes: [UInt8], maxExpandedBytes: Int = ScanLimits.defaultMaxExpandedBytes) -> WorkflowParseResult {
        switch InputGuards.decode(bytes) {
        case .failure(let failure): return .failed(failure)
        case .success(let text): return parse(text: text, maxExpandedBytes: maxExpandedBytes)
        }
    }

    public static func parse(text: String, maxExpandedBytes: Int = ScanLimits.defaultMaxExpandedBytes) -> WorkflowParseResult {
        read(text, maxExpandedBytes: maxExpandedBytes) { reader, root in
            var facts = try reader.read(root)
            facts.suppressions = SuppressionScanner.scan(text)
            return facts
        }
    }

    /// Composes `text` and hands its root to `extract`, turning every YAML error and reader
    /// failure into a located `WorkflowParseFailure`: shared by workflows and action manifests so
    /// both fail the same way, under the same bounds, and never throw.
    static func read(_ text: String, maxExpandedBytes: Int = ScanLimits.defaultMaxExpandedBytes,
                     extract: (inout WorkflowReader, YAMLNode) throws -> WorkflowFacts) -> WorkflowParseResult {
        do {
            guard let root = try YAMLComposer.compose(text) else {
                return .failed(.init("file holds no YAML document"))
            }
            var reader = WorkflowReader()
            reader.yaml.maxExpandedBytes = maxExpandedBytes
            var facts = try extract(&reader, root)
            facts.expandedBytes = reader.yaml.expandedBytes
            return .parsed(facts)
        } catch let failure as WorkflowParseFailure {
            return .failed(failure)
        } catch {
            return .failed(.init("\(error)"))
        }
    }
}

/// The walk over one composed document (a workflow, or an action's metadata).
struct WorkflowReader {
    var yaml = YAMLAccess()

    mutating func read(_ root: YAMLNode) throws -> WorkflowFacts {
        guard case .mapping = root else {
            throw WorkflowParseFailure("the top level is \(kind(of: root)), not a mapping of workflow keys", line: root.line)
        }
        var facts = WorkflowFacts()
        var sawTriggers = false
        var sawJobs = false
        for pair in try yaml.pairs(root) {
            switch pair.key {
            case "name":
                facts.name = YAMLAccess.scalarString(pair.value)
            case "on":
                sawTriggers = true
                facts.triggers = try triggers(pair.value, keyLine: pair.keyLine)
            case _ where Self.triggerKeyLookalikes.contains(pair.key):
                // GitHub reads YAML 1.2: `On`, `yes` or `y` are text, `true` a boolean it turns into
                // the key "true", and it matches top-level keys exactly, so none of them is `on`.
                // Its workflow schema has no other keys, so GitHub refuses the whole file.
                throw WorkflowParseFailure(
                    "`\(pair.key):` is not the trigger key: GitHub reads only lowercase `on` and refuses this workflow (unexpected value '\(pair.key)'), so it never runs",
                    line: pair.keyLine)
            case "permissions":
                facts.permissions = try permissions(pair.value, keyLine: pair.keyLine, path: "permissions")
            case "env":
                facts.env = try yaml.stringMap(pair.value)
            case "jobs":
                sawJobs = true
                facts.jobs = try jobs(pair.value, keyLine: pair.keyLine)
            default:
                continue
            }
        }
        if !sawTriggers && !sawJobs {
            throw WorkflowParseFailure("neither `on:` nor `jobs:` found; this is not a GitHub Actions workflow", line: 1)
        }
        return facts
    }

    /// Keys a YAML 1.1 reader would take for `on` (or for the boolean `on` becomes there).
    static let triggerKeyLookalikes: Set<String> = ["On", "ON", "oN", "true", "True", "TRUE", "yes", "Yes", "YES", "y", "Y"]

    func kind(of node: YAMLNode) -> String {
        switch node {
        case .scalar: return "a single value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    mutating func triggers(_ node: YAMLNode, keyLine: Int) throws -> [TriggerFact] {
        switch node {
        case .scalar(let scalar):
            return [TriggerFact(event: scalar.string, line: Int(scalar.line))]
        case .sequence:
            return try yaml.elements(node).compactMap { element in
                YAMLAccess.scalarString(element).map { TriggerFact(event: $0, line: element.line) }
            }
        case .mapping:
            var result: [TriggerFact] = []
            for pair in try yaml.pairs(node) {
                var trigger = TriggerFact(event: pair.key, line: pair.keyLine)
                if case .mapping = pair.value {
                    for filter in try yaml.pairs(pair.value) {
                        let values = filter.key == "inputs" || filter.key == "outputs" || filter.key == "secrets"
                            ? [] : try yaml.strings(filter.value)
                        switch filter.key {
                        case "types": trigger.types = values
                        case "branches": trigger.branches = values
                        case "branches-ignore": trigger.branchesIgnore = values
                        case "tags": trigger.tags = values
                        case "tags-ignore": trigger.tagsIgnore = values
                        case "paths": trigger.paths = values
                        case "workflows" where pair.key == "workflow_run": trigger.workflows = values
                        case "inputs" where pair.key == "workflow_call": trigger.inputs = try yaml.json(filter.value)
                        default: continue
                        }
                    }
                }
                result.append(trigger)
            }
            return result
        }
    }

    mutating func permissions(_ node: YAMLNode, keyLine: Int, path: String) throws -> PermissionBlock {
        switch node {
        case .scalar(let scalar):
            let value = scalar.string.trimmingWhitespace()
            switch value {
            case "read-all":
                return PermissionBlock(kind: .readAll, line: keyLine, entries: [PermissionEntry(scope: "*", access: "read", line: keyLine)])
            case "write-all":
                return PermissionBlock(kind: .writeAll, line: keyLine, entries: [PermissionEntry(scope: "*", access: "write", line: keyLine)])
            case "", "{}":
                return PermissionBlock(kind: .none, line: keyLine, entries: [])
            default:
                if value.contains("${{") {
                    return PermissionBlock(kind: .expression, line: keyLine, entries: [])
                }
                throw WorkflowParseFailure("`\(path)` must be read-all, write-all or a mapping of scopes, not `\(value)`", line: keyLine)
            }
        case .mapping:
            var entries: [PermissionEntry] = []
            for pair in try yaml.pairs(node) {
                // GitHub refuses the whole workflow for any other access level.
                guard let access = YAMLAccess.scalarString(pair.value)?.trimmingWhitespace(),
                      ["read", "write", "none"].contains(access) else {
                    throw WorkflowParseFailure("`\(path).\(pair.key)` must be read, write or none", line: pair.keyLine)
                }
                entries.append(PermissionEntry(scope: pair.key, access: access, line: pair.keyLine))
            }
            return PermissionBlock(kind: entries.isEmpty ? .none : .map, line: keyLine, entries: entries)
        default:
            throw WorkflowParseFailure("`\(path)` must be read-all, write-all or a mapping of scopes", line: keyLine)
        }
    }

    mutating func jobs(_ node: YAMLNode, keyLine: Int) throws -> [JobFact] {
        if YAMLAccess.isNull(node) { return [] }
        guard case .mapping = node else {
            throw WorkflowParseFailure("`jobs` must be a mapping of job ids to jobs", line: keyLine)
        }
        var result: [JobFact] = []
        for (ordinal, pair) in try yaml.pairs(node).enumerated() {
            result.append(try job(key: pair.key, ordinal: ordinal, node: pair.value, keyLine: pair.keyLine))
        }
        return result
    }

    mutating func job(key: String, ordinal: Int, node: YAMLNode, keyLine: Int) throws -> JobFact {
        guard case .mapping = node else {
            throw WorkflowParseFailure("job `\(key)` must be a mapping", line: keyLine)
        }
        var job = JobFact(key: key, ordinal: ordinal, line: keyLine)
        for pair in try yaml.pairs(node) {
            switch pair.key {
            case "name":
                job.name = try yaml.render(pair.value)
            case "runs-on":
                job.runsOn = try yaml.render(pair.value)
            case "if":
                job.ifCondition = try yaml.render(pair.value)
            case "environment":
                job.environmentLine = pair.keyLine
                if case .mapping = pair.value {
                    for field in try yaml.pairs(pair.value) {
                        if field.key == "name" { job.environment = try yaml.render(field.value) }
                        if field.key == "url" { job.environmentURL = try yaml.render(field.value) }
                    }
                } else if !YAMLAccess.isNull(pair.value) {
                    job.environment = try yaml.render(pair.value)
                }
                job.environmentIsExpression = job.environment?.contains("${{") ?? false
            case "needs":
                job.needs = try yaml.strings(pair.value)
            case "uses":
                job.uses = try yaml.render(pair.value)
                job.usesLine = pair.keyLine
            case "secrets":
                if let value = YAMLAccess.scalarString(pair.value), value.trimmingWhitespace() == "inherit" {
                    job.secretsInherit = true
                } else {
                    job.secrets = try yaml.stringMap(pair.value)
                }
            case "with":
                job.with = try yaml.stringMap(pair.value)
            case "env":
                job.env = try yaml.stringMap(pair.value)
            case "permissions":
                job.permissions = try permissions(pair.value, keyLine: pair.keyLine, path: "jobs.\(key).permissions")
            case "steps":
                job.steps = try steps(pair.value, job: key, keyLine: pair.keyLine)
            case "strategy":
                for field in try yaml.pairs(pair.value) where field.key == "matrix" {
                    job.matrix = try yaml.json(field.value)
                }
            default:
                continue
            }
        }
        return job
    }

    mutating func steps(_ node: YAMLNode, job: String, keyLine: Int) throws -> [StepFact] {
        if YAMLAccess.isNull(node) { return [] }
        guard case .sequence = node else {
            throw WorkflowParseFailure("`jobs.\(job).steps` must be a list", line: keyLine)
        }
        var result: [StepFact] = []
        for (index, element) in try yaml.elements(node).enumerated() {
            guard case .mapping = element else {
                throw WorkflowParseFailure("step \(index + 1) of job `\(job)` must be a mapping", line: element.line)
            }
            var step = StepFact(index: index, line: element.line)
            var run: OutsiderInputScanner.Located?
            var script: OutsiderInputScanner.Located?
            for pair in try yaml.pairs(element) {
                switch pair.key {
                case "id": step.id = try yaml.render(pair.value)
                case "name": step.name = try yaml.render(pair.value)
                case "uses":
                    let uses = try yaml.render(pair.value)
                    step.uses = uses
                    step.action = ActionReferenceParser.parse(uses)
                case "run":
                    let text = try yaml.render(pair.value)
                    step.run = text
                    run = located(text, pair.value, keyLine: pair.keyLine)
                case "with":
                    step.with = try yaml.stringMap(pair.value)
                    if let field = try yaml.pairs(pair.value).first(where: { $0.key == "script" }), let text = step.with["script"] {
                        script = located(text, field.value, keyLine: field.keyLine)
                    }
                case "env": step.env = try yaml.stringMap(pair.value)
                default: continue
                }
            }
            step.outsiderInputs = OutsiderInputScanner.scan(action: step.action, run: run, script: script, with: step.with, stepLine: step.line)
            result.append(step)
        }
        return result
    }

    /// Where a scalar's text starts: a block scalar (`|`, `>`) on the line after its indicator.
    func located(_ text: String, _ node: YAMLNode, keyLine: Int) -> OutsiderInputScanner.Located {
        guard case .scalar(let scalar) = node else { return .init(text: text, firstLine: keyLine) }
        let line = Int(scalar.line)
        switch scalar.style {
        case .literal, .folded: return .init(text: text, firstLine: line + 1)
        default: return .init(text: text, firstLine: line)
        }
    }
}

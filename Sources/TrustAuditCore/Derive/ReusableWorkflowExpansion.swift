import Foundation

/// Turns workflow files into the jobs that actually run and can present a subject.
///
/// Only a workflow started by an event of its own is an entry point: a reusable workflow's jobs
/// run as part of their callers, with the caller's repository, refs and triggers, so they are
/// reached through each call (`uses:` at job level) with the inputs that call passes. Calls are
/// followed up to GitHub's nesting limit; a cycle, a called file missing from the scan or a call
/// past the limit becomes a path whose environment is unknown and whose note says why, never an
/// invented exact path.
struct ReusableWorkflowExpansion {
    /// GitHub connects at most ten levels of workflows: the top-level caller and nine levels of
    /// reusable workflows.
    static let maxWorkflowLevels = 10

    /// One environment row of `derived_job_environments`.
    struct EnvironmentRow: Sendable {
        var repository: String
        var file: String
        var job: String
        var line: Int?
        var written: String
        var environment: String?
        var dynamic: Bool
        var via: String?
        var minting: Bool
        var logsIn: Bool
    }

    let facts: TrustGraphFacts
    private(set) var jobs: [MintingJob] = []
    private(set) var environmentRows: [EnvironmentRow] = []

    init(facts: TrustGraphFacts) {
        self.facts = facts
    }

    /// Expands every entry workflow of the scan. Entry workflows expand independently of each
    /// other, so slices of them expand on every core and are joined in order: a cold derivation
    /// waits for this with the other core idle.
    static func expand(_ facts: TrustGraphFacts) -> (jobs: [MintingJob], environments: [EnvironmentRow]) {
        let order = facts.workflowOrder
        // More slices than cores, so that a slice of large workflows does not finish alone.
        let sliceCount = min(order.count, 4 * ProcessInfo.processInfo.activeProcessorCount)
        guard sliceCount > 1 else { return expand(facts, entries: order[...]) }
        let slices = (0..<sliceCount).map { order.count * $0 / sliceCount..<order.count * ($0 + 1) / sliceCount }
        let parts = ParallelMap.map(slices) { expand(facts, entries: order[$0]) }
        return (parts.flatMap(\.jobs), parts.flatMap(\.environments))
    }

    private static func expand(_ facts: TrustGraphFacts, entries: ArraySlice<WorkflowKey>)
        -> (jobs: [MintingJob], environments: [EnvironmentRow]) {
        var expansion = ReusableWorkflowExpansion(facts: facts)
        for key in entries {
            guard let workflow = facts.workflows[key] else { continue }
            let triggers = workflow.triggers.filter { $0.event != "workflow_call" }
            guard !triggers.isEmpty else { continue }
            expansion.expandEntry(workflow, key: key, triggers: triggers)
        }
        return (expansion.jobs, expansion.environmentRows)
    }

    /// Where the expansion stands inside one entry job.
    private struct Frame {
        var entry: TrustGraphFacts.Workflow
        var entryJob: JobFact
        var triggers: [TriggerFact]
        var context: SubjectDerivationContext
        /// The workflow whose jobs are being expanded and its repository.
        var workflow: TrustGraphFacts.Workflow
        var key: WorkflowKey
        var inputs: [String: WorkflowExpression.Outcome]?
        /// Callers so far, outermost first.
        var via: [CallHop]
        /// The `uses:` values followed so far, for the environment rows.
        var uses: [String]
        /// Workflows on the chain, to stop at a cycle.
        var chain: [WorkflowKey]
        /// The token the calling job grants (nil for the entry workflow itself).
        var callerToken: IDTokenAccess?
        /// `owner/repo/path` of this workflow as `job_workflow_ref` names it, and its ref (nil:
        /// the run's own ref, for a chain of local calls).
        var workflowRefPath: String?
        var workflowRef: String?
        var notes: [String]
    }

    private mutating func expandEntry(_ workflow: TrustGraphFacts.Workflow, key: WorkflowKey, triggers: [TriggerFact]) {
        guard var context = facts.contexts[key.repository] else { return }
        context.workflowPath = workflow.path
        context.workflowName = workflow.name
        for job in workflow.jobs {
            let frame = Frame(entry: workflow, entryJob: job.fact, triggers: triggers, context: context, workflow: workflow, key: key,
                              inputs: nil, via: [], uses: [], chain: [key], callerToken: nil, workflowRefPath: nil, workflowRef: nil,
                              notes: [])
            expandJob(job, frame: frame)
        }
    }


    private mutating func expandJob(_ job: TrustGraphFacts.Job, frame: Frame) {
        let token = job.idToken.effective(caller: frame.callerToken)
        let combinations = MatrixExpansion.combinations(job.fact.matrix)
        var scopes: [WorkflowExpression.Scope] = []
        switch combinations {
        case .combinations(let list):
            scopes = list.map { WorkflowExpression.Scope(inputs: frame.inputs, matrix: $0) }
        case .unknown(let reason):
            var scope = WorkflowExpression.Scope(inputs: frame.inputs, matrix: nil)
            scope.matrixUnknownReason = reason
            scopes = [scope]
        }
        if let uses = job.fact.uses {
            guard token.mayMint else { return }
            call(uses, from: job, token: token, scopes: scopes, frame: frame)
            return
        }
        let environments = Self.environmentChoices(job.fact.environment, scopes: scopes)
        let logsIn = !job.logins.isEmpty
        if let written = job.fact.environment?.trimmingWhitespace(), !written.isEmpty, frame.via.isEmpty || token.mayMint {
            let callLine = frame.via.isEmpty ? nil : frame.entryJob.usesLine ?? frame.entryJob.line
            for choice in environments.rows {
                environmentRows.append(EnvironmentRow(
                    repository: frame.entry.repository, file: frame.entry.path, job: frame.entryJob.key,
                    line: callLine ?? job.fact.environmentLine ?? job.fact.line, written: written, environment: choice.name,
                    dynamic: choice.name == nil,
                    via: frame.uses.isEmpty ? nil : frame.uses.joined(separator: " → ") + " (job \(job.fact.key))",
                    minting: token.mayMint, logsIn: logsIn))
            }
        }
        guard token.mayMint else { return }
        var named = Set<String>()
        for login in job.logins {
            guard let login else { continue }
            for scope in scopes {
                if case .values(let values) = WorkflowExpression.substitute(login, scope: scope) {
                    named.formUnion(values.map { $0.trimmingWhitespace().lowercased() }.filter { !$0.isEmpty })
                }
            }
        }
        var fact = frame.entryJob
        var context = frame.context
        var notes = frame.notes
        if !frame.via.isEmpty {
            fact.uses = frame.uses.first
            context.calledWorkflowPath = frame.workflowRefPath
            context.calledWorkflowRef = frame.workflowRef
            notes.append("through reusable workflow \(frame.workflow.repository)/\(frame.workflow.path), job \(job.fact.key)")
        }
        jobs.append(MintingJob(
            repository: frame.entry.repository, file: frame.entry.path, job: fact, idToken: token, triggers: frame.triggers,
            context: context, namedAccounts: named, note: notes.isEmpty ? nil : notes.joined(separator: "; "),
            calledFile: frame.via.isEmpty ? nil : Self.display(frame.workflow, relativeTo: frame.entry.repository),
            calledJob: frame.via.isEmpty ? nil : job.fact.key, environments: environments.choices, via: frame.via,
            presenting: WorkflowJobKey(workflow: frame.key, job: job.fact.key)))
    }

    /// A called file as paths show it: the path alone within the caller's repository.
    private static func display(_ workflow: TrustGraphFacts.Workflow, relativeTo repository: String) -> String {
        workflow.repository.lowercased() == repository.lowercased() ? workflow.path : "\(workflow.repository)/\(workflow.path)"
    }

    /// The path of a call whose called jobs cannot be known: its environment is unknown.
    private mutating func unknownCall(_ uses: String, from job: TrustGraphFacts.Job, token: IDTokenAccess, frame: Frame, why: String) {
        var fact = frame.entryJob
        fact.uses = frame.uses.first ?? uses
        var notes = frame.notes
        notes.append("through reusable workflow \(uses): \(why), so its jobs and their environments are unknown")
        let hop = CallHop(repository: frame.workflow.repository, file: frame.workflow.path, job: job.fact.key)
        let environment = SubjectDerivation.EnvironmentChoice(claim: "*", written: "${{ environment of \(uses) }}",
                                                              note: "the called jobs' environment is unknown")
        let none = SubjectDerivation.EnvironmentChoice.none(because: "the called jobs may have no environment")
        var context = frame.context
        context.calledWorkflowPath = Self.calledPath(uses, in: frame.workflow.repository)
        context.calledWorkflowRef = "*"
        jobs.append(MintingJob(
            repository: frame.entry.repository, file: frame.entry.path, job: fact, idToken: token, triggers: frame.triggers,
            context: context, namedAccounts: [], note: notes.joined(separator: "; "), calledFile: uses, calledJob: nil,
            environments: [environment, none], via: frame.via + [hop]))
    }

    private static func calledPath(_ uses: String, in repository: String) -> String {
        if uses.hasPrefix("./") { return "\(repository)/\(uses.dropFirst(2))" }
        guard let at = uses.lastIndex(of: "@") else { return uses }
        return String(uses[..<at])
    }

    private mutating func call(_ uses: String, from job: TrustGraphFacts.Job, token: IDTokenAccess, scopes: [WorkflowExpression.Scope],
                               frame: Frame) {
        guard frame.chain.count < Self.maxWorkflowLevels else {
            unknownCall(uses, from: job, token: token, frame: frame,
                        why: "it would be level \(frame.chain.count + 1) of nested workflows, past GitHub's limit of \(Self.maxWorkflowLevels), so GitHub refuses the run")
            return
        }
        let reference = ActionReferenceParser.parse(uses)
        var target: WorkflowKey
        var refPath: String
        var ref: String? = frame.workflowRef
        var notes = frame.notes
        switch reference.kind {
        case .local:
            guard var path = reference.path else {
                unknownCall(uses, from: job, token: token, frame: frame, why: "the call names no file")
                return
            }
            if path.hasPrefix("./") { path.removeFirst(2) }
            target = WorkflowKey(repository: frame.key.repository, path: path)
            refPath = "\(frame.workflow.repository)/\(path)"
        case .docker, .none:
            unknownCall(uses, from: job, token: token, frame: frame, why: "it is not a reusable workflow reference")
            return
        default:
            guard let owner = reference.owner, let repo = reference.repo, let path = reference.path else {
                unknownCall(uses, from: job, token: token, frame: frame, why: "the call names no file")
                return
            }
            let repository = RepositoryKey("\(owner)/\(repo)")
            guard let scanned = facts.repositories[repository] else {
                unknownCall(uses, from: job, token: token, frame: frame, why: "\(owner)/\(repo) is not in this scan")
                return
            }
            target = WorkflowKey(repository: repository, path: path)
            refPath = "\(owner)/\(repo)/\(path)"
            let calledRef = reference.ref ?? ""
            // A full commit SHA is what `job_workflow_ref` carries as is; a tag or branch is
            // expanded by GitHub to refs/tags/… or refs/heads/…, which the scan cannot tell apart.
            let isSHA = calledRef.count == 40 && calledRef.allSatisfy(\.isHexDigit)
            ref = isSHA ? calledRef : "*"
            if let head = scanned.headCommit, isSHA, head.lowercased() == calledRef.lowercased() {
                // The scanned commit is the called one.
            } else {
                let scannedAt = scanned.headCommit.map { "commit \($0.prefix(12))" } ?? "an unrecorded commit"
                notes.append("calls \(scanned.name) at `\(calledRef)` while the scan read it at \(scannedAt), so the called file may differ")
            }
        }
        guard let called = facts.workflows[target] else {
            unknownCall(uses, from: job, token: token, frame: frame,
                        why: "\(target.path) is not a workflow file of the scanned \(facts.repositories[target.repository]?.name ?? frame.workflow.repository)")
            return
        }
        if frame.chain.contains(target) {
            let cycle = (frame.chain + [target]).compactMap { facts.workflows[$0].map { "\($0.repository)/\($0.path)" } }
            unknownCall(uses, from: job, token: token, frame: frame, why: "it closes a call cycle (\(cycle.joined(separator: " → ")))")
            return
        }
        var next = frame
        next.workflow = called
        next.key = target
        next.inputs = Self.inputs(of: called, passed: job.fact.with, scopes: scopes)
        next.via = frame.via + [CallHop(repository: frame.workflow.repository, file: frame.workflow.path, job: job.fact.key)]
        next.uses = frame.uses + [uses]
        next.chain = frame.chain + [target]
        next.callerToken = token
        next.workflowRefPath = refPath
        next.workflowRef = ref
        next.notes = notes
        for calledJob in called.jobs {
            expandJob(calledJob, frame: next)
        }
    }

    /// The called workflow's inputs as the call sets them: the caller's `with:` evaluated in the
    /// caller's scope (every matrix combination of the calling job), else the input's default,
    /// else GitHub's empty value for its type.
    static func inputs(of workflow: TrustGraphFacts.Workflow, passed: [String: String],
                       scopes: [WorkflowExpression.Scope]) -> [String: WorkflowExpression.Outcome] {
        var declared: [String: JSONValue] = [:]
        if let trigger = workflow.triggers.first(where: { $0.event == "workflow_call" }), case .object(let inputs)? = trigger.inputs {
            declared = inputs
        }
        let passedByName = Dictionary(passed.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        var result: [String: WorkflowExpression.Outcome] = [:]
        var names = Set(declared.keys.map { $0.lowercased() })
        // An input passed but not declared is refused by GitHub; it is still evaluated so that a
        // declaration the parser could not read does not hide the value.
        names.formUnion(passedByName.keys)
        for name in names {
            let declaration = declared.first { $0.key.lowercased() == name }?.value
            var type = "string"
            var defaultValue: JSONValue?
            if case .object(let fields)? = declaration {
                type = fields["type"]?.stringValue?.lowercased() ?? "string"
                defaultValue = fields["default"]
            }
            if let written = passedByName[name] {
                var values: Set<WorkflowExpression.Value> = []
                var unknown: String?
                for scope in scopes {
                    switch WorkflowExpression.substitute(written, scope: scope) {
                    case .values(let texts): values.formUnion(texts.map { typed($0, type: type) })
                    case .pattern(_, let reason): unknown = reason
                    }
                }
                if let unknown {
                    result[name] = .unknown("input \(name) is passed as `\(written)`: \(unknown)")
                } else if values.count > WorkflowExpression.maxValues {
                    result[name] = .unknown("input \(name) can take more than \(WorkflowExpression.maxValues) values")
                } else {
                    result[name] = .values(values)
                }
                continue
            }
            switch defaultValue {
            case .string(let text)?:
                if text.contains("${{") {
                    switch WorkflowExpression.substitute(text, scope: WorkflowExpression.Scope(inputs: [:], matrix: [:])) {
                    case .values(let texts): result[name] = .values(Set(texts.map { typed($0, type: type) }))
                    case .pattern(_, let reason): result[name] = .unknown("input \(name) defaults to `\(text)`: \(reason)")
                    }
                } else {
                    result[name] = .just(typed(text, type: type))
                }
            case .some(let other) where other != .null:
                result[name] = .just(WorkflowExpression.Value(other))
            default:
                switch type {
                case "boolean": result[name] = .just(.bool(false))
                case "number": result[name] = .just(.number(0))
                default: result[name] = .just(.string(""))
                }
            }
        }
        return result
    }

    private static func typed(_ text: String, type: String) -> WorkflowExpression.Value {
        switch type {
        case "boolean": return .bool(text.trimmingWhitespace().lowercased() == "true")
        case "number": return Double(text.trimmingWhitespace()).map { .number($0) } ?? .string(text)
        default: return .string(text)
        }
    }

    /// The environments a job can run in, over every scope (matrix combination) it runs with.
    static func environmentChoices(_ environment: String?, scopes: [WorkflowExpression.Scope])
        -> (choices: [SubjectDerivation.EnvironmentChoice], rows: [(name: String?, written: String)]) {
        guard let written = environment?.trimmingWhitespace(), !written.isEmpty else { return ([.none(because: nil)], []) }
        guard written.contains("${{") else {
            return ([SubjectDerivation.EnvironmentChoice(claim: SubjectClaimEscaping.escape(written), written: written,
                                                         note: "environment \(written)")], [(written, written)])
        }
        var values: [String] = []
        var seen: Set<String> = []
        var patterns: [(pattern: String, reason: String)] = []
        for scope in scopes {
            switch WorkflowExpression.substitute(written, scope: scope) {
            case .values(let texts):
                for text in texts.sorted() where seen.insert(text).inserted { values.append(text) }
            case .pattern(let pattern, let reason):
                if !patterns.contains(where: { $0.pattern == pattern }) { patterns.append((pattern, reason)) }
            }
        }
        if values.count > MatrixExpansion.maxCombinations {
            patterns.append(("*", "`\(written)` can take more than \(MatrixExpansion.maxCombinations) values"))
            values = []
        }
        var choices: [SubjectDerivation.EnvironmentChoice] = []
        var rows: [(name: String?, written: String)] = []
        for value in values {
            let name = value.trimmingWhitespace()
            if name.isEmpty {
                choices.append(.none(because: "environment `\(written)` evaluates to empty, and GitHub then runs the job without an environment"))
            } else {
                choices.append(SubjectDerivation.EnvironmentChoice(
                    claim: SubjectClaimEscaping.escape(name), written: name, note: "environment \(name) (from `\(written)`)"))
                rows.append((name, written))
            }
        }
        for (pattern, reason) in patterns {
            choices.append(SubjectDerivation.EnvironmentChoice(
                claim: SubjectClaimEscaping.escape(pattern), written: written,
                note: "environment `\(written)` is decided at run time (\(reason)), any matching name possible"))
            rows.append((nil, written))
            if pattern == "*" {
                choices.append(.none(because: "environment `\(written)` may evaluate to empty (\(reason)), and GitHub then runs the job without an environment"))
            }
        }
        return (choices, rows)
    }
}

import Foundation
import GRDB

/// Runs policies against one stored scan and turns their rows into findings.
///
/// Each query runs on a read-only SQLite connection (a `DatabasePool` reader), must be a single
/// SELECT, and sees its parameters through `param('name')`. A policy that fails is reported with
/// its file name; the others still run.
public enum PolicyEngine {
    /// Columns a policy query may return; `message` is required.

    public static let resultColumns = ["message", "resource", "repository", "file", "line", "job", "service_account", "evidence", "severity"]

    /// Runs every enabled policy. With an `incremental` scope, repository-scoped policies see and
    /// report only the scope's repositories and service-account-scoped policies do not run: the
    /// caller carries their other findings over from the previous evaluation.
    /// With a `connection` (a read showing the snapshot, already open), the policies run one after
    /// another in it, so that all of them see the database as it was when it was opened.
    public static func evaluate(
        database: AuditDatabase, scanID: Int64, policies: [Policy], settings: PolicySettings,
        incremental: IncrementalScope? = nil, connection: Database? = nil
    ) -> (findings: [Finding], errors: [PolicyRunError]) {
        let active = policies.filter(settings.isEnabled).filter { incremental == nil || $0.scope != .serviceAccount }
        let results = ResultBox(count: active.count)
        let scopedViews = incremental == nil ? [] : ((try? database.pool.read { db in try ScopedViews.repositoryViews(db) }) ?? [])
        @Sendable func evaluateOne(_ index: Int, rows query: (Policy, (views: [String], names: [String])?) throws -> [Row]) {
            let policy = active[index]
            var clock = PhaseClock()
            var rowCount = 0
            defer {
                if Profiling.enabled {
                    let findings = clock.phases.first { $0.phase == "findings" }?.seconds ?? 0
                    Profiling.report("policy \(policy.id) query", seconds: clock.phases.first?.seconds ?? 0,
                                     detail: String(format: ", findings %.3f s, %d rows", findings, rowCount))
                }
            }
            do {
                let scope = policy.scope == .repository ? incremental : nil
                let rows = try clock.measure("query") { try query(policy, scope.map { (scopedViews, $0.visibleNames) }) }
                rowCount = rows.count
                var list = try clock.measure("findings") { () throws -> [Finding] in
                    guard let first = rows.first else { return [] }
                    let columns = FindingColumns(first)
                    return try rows.map { try finding(from: $0, columns: columns, policy: policy, settings: settings) }
                }
                if let scope {
                    list.removeAll { !scope.dirty.contains(($0.repository ?? "").lowercased()) }
                }
                results.set(index, .success(list))
            } catch {
                results.set(index, .failure(PolicyRunError(policy: policy.id, source: policy.source, message: describe(error))))
            }
        }
        @Sendable func pooled(_ policy: Policy, _ scope: (views: [String], names: [String])?) throws -> [Row] {
            try run(policy, database: database, snapshot: scanID, params: settings.params(for: policy), limits: settings.limits, scope: scope)
        }
        // Workers take policies in this order; global policies go first because they read the
        // whole graph even in an incremental evaluation, and a long query started last keeps one
        // core busy after the others are done (service-account-shared, 0.9 s of a 1%-changed
        // rescan's 1.9 s evaluation, ran last in name order). Results keep the policies' order.
        let order = active.indices.filter { active[$0].scope == .global } + active.indices.filter { active[$0].scope != .global }
        if let connection {
            for index in order {
                evaluateOne(index) { policy, scope in
                    try run(policy, in: connection, params: settings.params(for: policy), limits: settings.limits, scope: scope)
                }
            }
        } else if Profiling.serial {
            for index in order { evaluateOne(index, rows: pooled) }
        } else {
            DispatchQueue.concurrentPerform(iterations: order.count) { evaluateOne(order[$0], rows: pooled) }
        }
        var findings: [Finding] = []
        var errors: [PolicyRunError] = []
        var seen = Set<String>()
        for result in results.values {
            switch result {
            case .success(let list):
                for finding in list where seen.insert(finding.fingerprint).inserted { findings.append(finding) }
            case .failure(let error):
                errors.append(error)
            case nil:
                break
            }
        }
        return (findings, errors)
    }

    /// Two evaluations of different policies on the same snapshot as one: a fingerprint found by
    /// both is kept once, as `evaluate` keeps it.
    static func merged(_ first: consuming (findings: [Finding], errors: [PolicyRunError]),
                       _ second: consuming (findings: [Finding], errors: [PolicyRunError])) -> (findings: [Finding], errors: [PolicyRunError]) {
        // Appended to the first list rather than both copied into a new one: a copy of a finding
        // is a copy of each of its strings, tens of thousands of times.
        var seen = Set(first.findings.map(\.fingerprint))
        second.findings.removeAll { !seen.insert($0.fingerprint).inserted }
        first.findings.append(contentsOf: second.findings)
        first.errors.append(contentsOf: second.errors)
        return first
    }

    /// Runs one policy's query and returns its rows; with a `scope`, the given views show only
    /// the named repositories (see `ScopedViews`).
    static func run(_ policy: Policy, database: AuditDatabase, snapshot: Int64, params: [String: JSONValue], limits: ScanLimits,
                    scope: (views: [String], names: [String])? = nil) throws -> [Row] {
        try database.read(snapshot: snapshot) { db in try run(policy, in: db, params: params, limits: limits, scope: scope) }
    }

    /// `run` in an open read whose views show the snapshot.
    static func run(_ policy: Policy, in db: Database, params: [String: JSONValue], limits: ScanLimits,
                    scope: (views: [String], names: [String])? = nil) throws -> [Row] {
        db.add(function: paramFunction(params, policy: policy.id))
        if let scope {
            try ScopedViews.install(db, views: scope.views, names: scope.names)
        }
        defer { if let scope { try? ScopedViews.remove(db, views: scope.views) } }
        let statement = try checkedStatement(policy.query, db: db)
        let rows = try BoundedQuery.rows(statement, db: db, timeout: limits.policyTimeout, maxRows: limits.policyMaxRows)
        if policy.scope == .repository, let row = rows.first(where: { ($0["repository"] as DatabaseValue?)?.isNull ?? true }) {
            throw PolicyQueryError.repositoryScopeWithoutRepository(columns: Array(row.columnNames))
        }
        return rows
    }

    /// Prepares a query and refuses anything that is not one read-only SELECT.
    public static func checkedStatement(_ sql: String, db: Database) throws -> Statement {
        let statement = try singleStatement(sql, db: db)
        let firstWord = withoutLeadingComments(sql).prefix { $0.isLetter }.lowercased()
        guard statement.isReadonly, ["select", "with", "values"].contains(firstWord) else {
            throw PolicyQueryError.notReadOnly
        }
        return statement
    }

    /// Prepares exactly one statement of user-written SQL.
    public static func singleStatement(_ sql: String, db: Database) throws -> Statement {
        do {
            return try db.makeStatement(sql: sql)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_MISUSE && (error.message ?? "").hasPrefix("Multiple statements") {
            // GRDB's message names its own API; the user only needs to know what to change.
            throw PolicyQueryError.multipleStatements
        }
    }

    /// The SQL after any leading whitespace and `--` or `/* */` comments.
    static func withoutLeadingComments(_ sql: String) -> Substring {
        var rest = sql[...]
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                return rest
            }
        }
    }

    /// `param('name')`: text for strings, numbers and 0/1 for booleans, JSON text for lists and
    /// maps (use with `json_each`). An unknown name is an error, so typos fail loudly.
    static func paramFunction(_ params: [String: JSONValue], policy: String) -> DatabaseFunction {
        DatabaseFunction("param", argumentCount: 1, pure: true) { arguments in
            guard let name = String.fromDatabaseValue(arguments[0]) else { return nil }
            guard let value = params[name] else {
                throw PolicyQueryError.unknownParam(name, known: params.keys.sorted())
            }
            switch value {
            case .null: return nil
            case .bool(let flag): return flag ? 1 : 0
            case .number(let number): return number.rounded() == number ? Int64(number) as DatabaseValueConvertible : number
            case .string(let text): return text
            case .array, .object: return value.jsonText
            }
        }
    }

    static func finding(from row: Row, columns: FindingColumns, policy: Policy, settings: PolicySettings) throws -> Finding {
        guard let message: String = try columns.value(columns.message, in: row) else {
            throw PolicyQueryError.missingMessage(columns: Array(row.columnNames))
        }
        let evidence: JSONValue
        if let text: String = try columns.value(columns.evidence, in: row) {
            evidence = JSONValue.parse(text) ?? .string(text)
        } else {
            evidence = .object([:])
        }
        let rowSeverity = (try columns.value(columns.severity, in: row) as String?).flatMap(Severity.init(rawValue:))
        let severity = settings.overrides[policy.id]?.severity ?? rowSeverity ?? policy.severity
        let repository: String? = try columns.value(columns.repository, in: row)
        let file: String? = try columns.value(columns.file, in: row)
        let resource: String? = try columns.value(columns.resource, in: row)
        // Written out once, for the fingerprint and as the finding's stored text: a finding's
        // evidence may list hundreds of repositories.
        let text = evidence.jsonText
        var finding = Finding(
            fingerprint: Fingerprint.compute(policy: policy.id, repository: repository, file: file, resource: resource, evidence: evidence, text: text),
            policy: policy.id, severity: severity, category: policy.category, title: policy.title,
            message: message, resource: resource, repository: repository, file: file,
            line: try columns.value(columns.line, in: row), job: try columns.value(columns.job, in: row),
            serviceAccount: try columns.value(columns.serviceAccount, in: row))
        finding.evidenceJSON = text
        return finding
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            return error.message.map { "SQL error: \($0)" } ?? "\(error)"
        }
        return "\(error)"
    }
}

/// Why a policy's query was refused or failed.
public enum PolicyQueryError: Error, CustomStringConvertible {
    case notReadOnly
    case multipleStatements
    case timeLimit(seconds: Double)
    case rowLimit(Int)
    case missingMessage(columns: [String])
    case unknownParam(String, known: [String])
    case repositoryScopeWithoutRepository(columns: [String])
    case wrongColumnType(column: String, expected: String, found: String, conversion: String)

    public var description: String {
        switch self {
        case .notReadOnly:
            return "a policy query must be a single read-only SELECT (or WITH … SELECT)"
        case .multipleStatements:
            return "only one SQL statement is allowed, but this text holds several (separated by `;`); run them one at a time"
        case .timeLimit(let seconds):
            return "the query ran longer than its \(seconds.formatted()) s limit and was stopped (raise it with --policy-timeout or `limits.policy_timeout`)"
        case .rowLimit(let count):
            return "the query returned more than \(count) rows and was stopped (raise the cap with --policy-max-rows or `limits.policy_max_rows`)"
        case .missingMessage(let columns):
            return "the query must return a `message` column (it returned: \(columns.joined(separator: ", ")))"
        case .wrongColumnType(let column, let expected, let found, let conversion):
            return "the query's `\(column)` column must hold \(expected) or NULL, but a row had \(found); convert it in the SELECT (e.g. \(conversion))"
        case .repositoryScopeWithoutRepository(let columns):
            return "the policy declares `scope: repository`, so every row needs a `repository`, but a row had none (columns: \(columns.joined(separator: ", "))); declare `scope: global` or return the repository"
        case .unknownParam(let name, let known):
            return "param('\(name)') is not a parameter of this policy (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        }
    }
}

/// Results written by concurrent policy runs, each into its own slot.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<[Finding], PolicyRunError>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<[Finding], PolicyRunError>) {
        lock.withLock { values[index] = value }
    }
}

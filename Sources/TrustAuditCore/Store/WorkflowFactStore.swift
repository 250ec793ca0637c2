import Foundation
import GRDB

/// Writes parsed workflow facts, keyed by content hash, so each distinct file is stored once.
enum WorkflowFactStore {
    /// Content hashes whose facts were produced by the current parser version.
    static func parsedHashes(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT blob_hash FROM wf_documents WHERE parser_version = ?",
                                arguments: [WorkflowParser.version]))
    }

    static func storeBlob(_ db: Database, hash: String, bytes: [UInt8]) throws {
        try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO blobs (hash, kind, size, content) VALUES (?, 'workflow', ?, ?)").execute(arguments: [hash, bytes.count, Data(bytes)])
    }

    /// Content hashes whose facts an older parser version produced; they are replaced when seen.
    static func staleHashes(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT blob_hash FROM wf_documents WHERE parser_version != ?",
                                arguments: [WorkflowParser.version]))
    }

    /// Stores `result` for this content, replacing what an older parser stored when `stale`.
    static func store(_ db: Database, hash: String, result: WorkflowParseResult, stale: Bool = true) throws {
        if stale {
            for table in ["wf_triggers", "wf_jobs", "wf_permissions", "wf_steps", "wf_suppressions", "wf_documents"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE blob_hash = ?").execute(arguments: [hash])
            }
        }
        switch result {
        case .failed(let failure):
            try db.cachedStatement(
                sql: "INSERT INTO wf_documents (blob_hash, parser_version, parse_error, error_line) VALUES (?, ?, ?, ?)").execute(arguments: [hash, WorkflowParser.version, failure.reason, failure.line])
        case .parsed(let facts):
            try insert(db, hash: hash, facts: facts)
        }
    }

    private static func json(_ map: [String: String]) -> String? {
        map.isEmpty ? nil : JSONValue.strings(map).jsonText
    }

    private static func json(_ list: [String]?) -> String? {
        list.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
    }

    private static func insert(_ db: Database, hash: String, facts: WorkflowFacts) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO wf_documents (blob_hash, parser_version, name, permissions_kind, permissions_line, env_json)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [hash, WorkflowParser.version, facts.name, facts.permissions?.kind.rawValue,
                        facts.permissions?.line, json(facts.env)])
        let trigger = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_triggers (blob_hash, event, line, types_json, branches_json, branches_ignore_json,
                tags_json, tags_ignore_json, paths_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for fact in facts.triggers {
            try trigger.execute(arguments: [hash, fact.event, fact.line, json(fact.types), json(fact.branches),
                                            json(fact.branchesIgnore), json(fact.tags), json(fact.tagsIgnore), json(fact.paths)])
        }
        let permission = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_permissions (blob_hash, job_key, scope, access, line) VALUES (?, ?, ?, ?, ?)
            """)
        for entry in facts.permissions?.entries ?? [] {
            try permission.execute(arguments: [hash, "", entry.scope, entry.access, entry.line])
        }
        let job = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_jobs (blob_hash, job_key, ordinal, name, line, runs_on, if_condition, environment,
                environment_url, environment_is_expression, environment_line, needs_json, uses, uses_ref_kind, uses_line,
                secrets_inherit, secrets_json, with_json, env_json, permissions_kind, permissions_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let step = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_steps (blob_hash, job_key, step_index, step_id, name, line, uses, uses_owner,
                uses_repo, uses_path, uses_ref, ref_kind, run, with_json, env_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for fact in facts.jobs {
            let arguments: [(any DatabaseValueConvertible)?] = [
                hash, fact.key, fact.ordinal, fact.name, fact.line, fact.runsOn, fact.ifCondition, fact.environment,
                fact.environmentURL, fact.environmentIsExpression, fact.environmentLine,
                fact.needs.isEmpty ? nil : json(fact.needs), fact.uses,
                fact.uses.map { ActionReferenceParser.parse($0).kind.rawValue }, fact.usesLine, fact.secretsInherit,
                json(fact.secrets), json(fact.with), json(fact.env), fact.permissions?.kind.rawValue, fact.permissions?.line,
            ]
            try job.execute(arguments: StatementArguments(arguments))
            for entry in fact.permissions?.entries ?? [] {
                try permission.execute(arguments: [hash, fact.key, entry.scope, entry.access, entry.line])
            }
            for item in fact.steps {
                let action = item.action
                let stepArguments: [(any DatabaseValueConvertible)?] = [
                    hash, fact.key, item.index, item.id, item.name, item.line, item.uses,
                    action?.owner, action?.repo, action?.path, action?.ref, action?.kind.rawValue,
                    item.run, json(item.with), json(item.env),
                ]
                try step.execute(arguments: StatementArguments(stepArguments))
            }
        }
        let suppression = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_suppressions (blob_hash, line, policy, reason) VALUES (?, ?, ?, ?)
            """)
        for fact in facts.suppressions {
            try suppression.execute(arguments: [hash, fact.line, fact.policy, fact.reason])
        }
    }
}

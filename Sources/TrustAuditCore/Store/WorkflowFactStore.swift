import Foundation
import GRDB

/// Writes parsed workflow facts, keyed by document number, so each distinct file is stored once.
///
/// A document is identified by the SHA-256 of its bytes and numbered (`blobs.id`) in the order
/// first seen; facts are keyed by that number so a new document's rows are appended (see
/// migration 0006).
enum WorkflowFactStore {
    /// Document numbers by content hash, for documents whose facts the current parser produced.
    static func parsedDocuments(_ db: Database) throws -> [String: Int64] {
        try documents(db, sql: "SELECT b.hash, b.id FROM wf_documents d JOIN blobs b ON b.id = d.doc WHERE d.parser_version = ?")
    }

    /// Document numbers by content hash, for documents whose facts an older parser produced;
    /// they are replaced when seen.
    static func staleDocuments(_ db: Database) throws -> [String: Int64] {
        try documents(db, sql: "SELECT b.hash, b.id FROM wf_documents d JOIN blobs b ON b.id = d.doc WHERE d.parser_version != ?")
    }

    private static func documents(_ db: Database, sql: String) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: [WorkflowParser.version])
        while let row = try cursor.next() {
            result[row[0]] = row[1]
        }
        return result
    }

    /// Stores the bytes under their hash unless already there, and returns the document number.
    static func storeBlob(_ db: Database, hash: String, bytes: [UInt8]) throws -> Int64 {
        try db.cachedStatement(
            sql: "INSERT INTO blobs (hash, kind, size, content) VALUES (?, 'workflow', ?, ?) ON CONFLICT (hash) DO NOTHING")
            .execute(arguments: [hash, bytes.count, Data(bytes)])
        if db.changesCount > 0 { return db.lastInsertedRowID }
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM blobs WHERE hash = ?"), arguments: [hash]) else {
            throw DatabaseError(message: "blob \(hash) vanished while being stored")
        }
        return id
    }

    /// Stores `result` for document `doc`, replacing what an older parser stored when `stale`.
    static func store(_ db: Database, doc: Int64, result: WorkflowParseResult, stale: Bool = true) throws {
        if stale {
            for table in ["wf_triggers", "wf_jobs", "wf_permissions", "wf_steps", "wf_suppressions", "wf_documents"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE doc = ?").execute(arguments: [doc])
            }
        }
        switch result {
        case .failed(let failure):
            try db.cachedStatement(
                sql: "INSERT INTO wf_documents (doc, parser_version, parse_error, error_line) VALUES (?, ?, ?, ?)").execute(arguments: [doc, WorkflowParser.version, failure.reason, failure.line])
        case .parsed(let facts):
            try insert(db, doc: doc, facts: facts)
        }
    }

    private static func json(_ map: [String: String]) -> String? {
        map.isEmpty ? nil : JSONValue.strings(map).jsonText
    }

    private static func json(_ list: [String]?) -> String? {
        list.map { JSONValue.array($0.map(JSONValue.string)).jsonText }
    }

    private static func insert(_ db: Database, doc: Int64, facts: WorkflowFacts) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO wf_documents (doc, parser_version, name, permissions_kind, permissions_line, env_json)
                VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [doc, WorkflowParser.version, facts.name, facts.permissions?.kind.rawValue,
                        facts.permissions?.line, json(facts.env)])
        let trigger = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_triggers (doc, event, line, types_json, branches_json, branches_ignore_json,
                tags_json, tags_ignore_json, paths_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for fact in facts.triggers {
            try trigger.execute(arguments: [doc, fact.event, fact.line, json(fact.types), json(fact.branches),
                                            json(fact.branchesIgnore), json(fact.tags), json(fact.tagsIgnore), json(fact.paths)])
        }
        let permission = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_permissions (doc, job_key, scope, access, line) VALUES (?, ?, ?, ?, ?)
            """)
        for entry in facts.permissions?.entries ?? [] {
            try permission.execute(arguments: [doc, "", entry.scope, entry.access, entry.line])
        }
        let job = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_jobs (doc, job_key, ordinal, name, line, runs_on, if_condition, environment,
                environment_url, environment_is_expression, environment_line, needs_json, uses, uses_ref_kind, uses_line,
                secrets_inherit, secrets_json, with_json, env_json, permissions_kind, permissions_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let step = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_steps (doc, job_key, step_index, step_id, name, line, uses, uses_owner,
                uses_repo, uses_path, uses_ref, ref_kind, run, with_json, env_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for fact in facts.jobs {
            let arguments: [(any DatabaseValueConvertible)?] = [
                doc, fact.key, fact.ordinal, fact.name, fact.line, fact.runsOn, fact.ifCondition, fact.environment,
                fact.environmentURL, fact.environmentIsExpression, fact.environmentLine,
                fact.needs.isEmpty ? nil : json(fact.needs), fact.uses,
                fact.uses.map { ActionReferenceParser.parse($0).kind.rawValue }, fact.usesLine, fact.secretsInherit,
                json(fact.secrets), json(fact.with), json(fact.env), fact.permissions?.kind.rawValue, fact.permissions?.line,
            ]
            try job.execute(arguments: StatementArguments(arguments))
            for entry in fact.permissions?.entries ?? [] {
                try permission.execute(arguments: [doc, fact.key, entry.scope, entry.access, entry.line])
            }
            for item in fact.steps {
                let action = item.action
                let stepArguments: [(any DatabaseValueConvertible)?] = [
                    doc, fact.key, item.index, item.id, item.name, item.line, item.uses,
                    action?.owner, action?.repo, action?.path, action?.ref, action?.kind.rawValue,
                    item.run, json(item.with), json(item.env),
                ]
                try step.execute(arguments: StatementArguments(stepArguments))
            }
        }
        let suppression = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO wf_suppressions (doc, line, policy, reason) VALUES (?, ?, ?, ?)
            """)
        for fact in facts.suppressions {
            try suppression.execute(arguments: [doc, fact.line, fact.policy, fact.reason])
        }
    }
}

import GRDB

extension PolicyEngine {
    /// The policies among `policies` whose queries read no table outside `tables` and none of
    /// the `except` columns, found from what SQLite says each prepared query reads (through the
    /// views it names). A query that cannot be prepared, or whose reads SQLite cannot tell, is
    /// not among them.
    static func readingOnly(_ tables: Set<String>, except columns: [String: Set<String>], policies: [Policy], settings: PolicySettings,
                            database: AuditDatabase, snapshot: Int64) -> [Policy] {
        (try? database.read(snapshot: snapshot) { db -> [Policy] in
            let others = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                .filter { !tables.contains($0) }.map { DatabaseEventKind.insert(tableName: $0) }
            let forbidden = others + columns.map { DatabaseEventKind.update(tableName: $0.key, columnNames: $0.value) }
            return policies.filter { policy in
                db.add(function: paramFunction(settings.params(for: policy), policy: policy.id))
                guard let region = try? checkedStatement(policy.query, db: db).databaseRegion, !region.isFullDatabase,
                      !region.isEmpty else { return false }
                return !forbidden.contains { region.isModified(byEventsOfKind: $0) }
            }
        }) ?? []
    }
}

import Foundation
import GRDB

/// Writes one Octopus export (service accounts, identities, keys, permissions) into a scan, and
/// reads back what a user picks from.
public enum OctopusStore {
    static func insert(_ instance: OctopusInstance, scanID: Int64, db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO oct_instances (scan_id, server, document) VALUES (?, ?, ?)").execute(arguments: [scanID, instance.server, instance.file])
        for account in instance.serviceAccounts {
            let arguments: [(any DatabaseValueConvertible)?] = [
                scanID, instance.server, account.id, account.externalId?.uuidString.lowercased(), account.username,
                account.displayName, account.isActive, account.apiKeys != nil, account.permissions != nil,
            ]
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO oct_service_accounts (scan_id, server, account_id, external_id, username, display_name,
                        is_active, api_keys_exported, permissions_exported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: StatementArguments(arguments))
            for identity in account.identities {
                // Every snapshot's row of an identity carries one key, which trust edges shared
                // between snapshots name (see migration 0019).
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO oct_identity_keys (server, identity_id) VALUES (?, ?)")
                    .execute(arguments: [instance.server, identity.id])
                try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO oct_identities (scan_id, server, account_id, identity_id, name, issuer, subject, audience, key_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM oct_identity_keys WHERE server = ? AND identity_id = ?))
                        """).execute(arguments: [scanID, instance.server, account.id, identity.id, identity.name, identity.issuer, identity.subject,
                                                 identity.audience, instance.server, identity.id])
            }
            for key in account.apiKeys ?? [] {
                try db.cachedStatement(
                    sql: "INSERT INTO oct_api_keys (scan_id, server, account_id, key_id, purpose, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(arguments: [scanID, instance.server, account.id, key.id, key.purpose, key.created, key.expires])
            }
            if let permissions = account.permissions {
                for permission in permissions.systemPermissions {
                    try db.cachedStatement(
                        sql: "INSERT INTO oct_permissions (scan_id, server, account_id, level, permission) VALUES (?, ?, ?, 'system', ?)").execute(arguments: [scanID, instance.server, account.id, permission])
                }
                for (permission, scopes) in permissions.spacePermissions {
                    for scope in scopes {
                        var other = scope.restrictions
                        other["Environment"] = nil
                        other["Project"] = nil
                        other = other.filter { !$0.value.isEmpty }
                        let otherJSON = other.isEmpty ? nil : JSONValue.object(other.mapValues { .array($0.map(JSONValue.string)) }).jsonText
                        try db.cachedStatement(
                            sql: """
                                INSERT INTO oct_permissions (scan_id, server, account_id, level, permission, space_id,
                                    restricted_environments_json, restricted_projects_json, restricted_other_json)
                                VALUES (?, ?, ?, 'space', ?, ?, ?, ?, ?)
                                """).execute(arguments: [scanID, instance.server, account.id, permission, scope.spaceId,
                                        SettingsStore.jsonList(scope.restrictedToEnvironmentIds),
                                        SettingsStore.jsonList(scope.restrictedToProjectIds), otherJSON])
                    }
                }
                for team in permissions.teams {
                    try db.cachedStatement(sql: "INSERT INTO oct_teams (scan_id, server, account_id, team_id, name) VALUES (?, ?, ?, ?, ?)").execute(arguments: [scanID, instance.server, account.id, team.id, team.name])
                }
            }
        }
    }

    /// Copies server `server`'s rows of scan `previous` into `scanID`, each table in the order its
    /// rows were written: what `insert` writes for the export that scan read, when this scan reads
    /// the same bytes (`EarlierOctopusExports`). Identity keys are shared between scans already.
    static func copy(server: String, from previous: Int64, to scanID: Int64, db: Database) throws {
        let tables = [
            ("oct_instances", "server, document", "rowid"),
            ("oct_service_accounts", "server, account_id, external_id, username, display_name, is_active, api_keys_exported, permissions_exported", "rowid"),
            ("oct_identities", "server, account_id, identity_id, name, issuer, subject, audience, key_id", "id"),
            ("oct_api_keys", "server, account_id, key_id, purpose, created, expires", "rowid"),
            ("oct_permissions", "server, account_id, level, permission, space_id, restricted_environments_json, restricted_projects_json, restricted_other_json", "rowid"),
            ("oct_teams", "server, account_id, team_id, name", "rowid"),
        ]
        for (table, columns, order) in tables {
            try db.execute(sql: """
                INSERT INTO \(table) (scan_id, \(columns))
                SELECT ?, \(columns) FROM \(table) WHERE scan_id = ? AND server = ? ORDER BY \(order)
                """, arguments: [scanID, previous, server])
        }
    }

    /// Usernames (else `Users-N` ids) of snapshot `scanID`'s service accounts, sorted, at most
    /// `limit`: what a mistyped `--service-account` is told it could have meant.
    public static func serviceAccountNames(_ db: Database, scanID: Int64, limit: Int = 30) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT COALESCE(username, account_id) FROM oct_service_accounts WHERE scan_id = ? ORDER BY 1 LIMIT ?
            """, arguments: [scanID, limit])
    }
}

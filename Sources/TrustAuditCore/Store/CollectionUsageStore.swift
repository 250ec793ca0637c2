import GRDB

extension CollectionUsage {
    /// Records what the collection of `service` cost in scan `scanID` (`scan_api_usage`).
    public func record(service: String, scanID: Int64, in database: AuditDatabase) throws {
        try database.pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO scan_api_usage
                    (scan_id, service, repositories, rest_requests, not_modified, cache_hits, graphql_requests, graphql_cost, seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [scanID, service, repositories, restRequests, notModified, cacheHits, graphQLRequests, graphQLCost, seconds])
        }
    }

    /// The recorded usage of every scan, by scan id and service.
    static func load(db: Database) throws -> [Int64: [String: CollectionUsage]] {
        var result: [Int64: [String: CollectionUsage]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM scan_api_usage") {
            var usage = CollectionUsage(repositories: row["repositories"], restRequests: row["rest_requests"], notModified: row["not_modified"],
                                        cacheHits: row["cache_hits"], graphQLRequests: row["graphql_requests"], graphQLCost: row["graphql_cost"])
            usage.seconds = row["seconds"]
            result[row["scan_id"], default: [:]][row["service"]] = usage
        }
        return result
    }
}

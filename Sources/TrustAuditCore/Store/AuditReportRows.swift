import GRDB

/// What an audit report lists about a snapshot besides its findings: its repositories, Octopus
/// instances and input documents, and the open findings of every complete scan up to it.
public enum AuditReportRows {
    /// One repository of the snapshot, and what was collected for it.
    public struct Repository: Sendable, Equatable {
        public var name: String
        public var workflowFiles: Int
        /// True when a GitHub settings export described this repository.
        public var settingsCollected: Bool
        public var environmentsCollected: Bool
        public var collectionError: String?
    }

    /// One Octopus instance of the snapshot.
    public struct OctopusInstance: Sendable, Equatable {
        public var server: String
        public var serviceAccounts: Int
        public var identities: Int
    }

    /// Input documents given to the scan, by kind (`github-settings`, `octopus`).
    public struct InputCount: Sendable, Equatable {
        public var kind: String
        public var documents: Int
        public var unreadable: Int
    }

    /// Open (unwaived) findings per severity in one complete scan.
    public struct TrendPoint: Sendable, Equatable {
        public var scanID: Int64
        public var startedAt: String
        public var label: String?
        public var counts: [Severity: Int]
    }

    /// Snapshot `scanID`'s repositories, by lower-cased name.
    static func repositories(_ db: Database, scanID: Int64) throws -> [Repository] {
        try Row.fetchAll(db, sql: """
            SELECT r.full_name, r.collection_error,
                   (SELECT COUNT(*) FROM scan_workflow_files f WHERE f.repository_id = r.id) AS files,
                   g.repository IS NOT NULL AS settings, COALESCE(g.environments_collected, 0) AS environments
            FROM scan_repositories r
            LEFT JOIN gh_repositories g ON g.scan_id = r.scan_id AND lower(g.repository) = lower(r.full_name)
            WHERE r.scan_id = ? ORDER BY lower(r.full_name)
            """, arguments: [scanID]).map {
            Repository(name: $0["full_name"], workflowFiles: $0["files"], settingsCollected: $0["settings"],
                       environmentsCollected: $0["environments"], collectionError: $0["collection_error"])
        }
    }

    /// Snapshot `scanID`'s Octopus instances by server, with how many accounts and identities each has.
    static func octopusInstances(_ db: Database, scanID: Int64) throws -> [OctopusInstance] {
        try Row.fetchAll(db, sql: """
            SELECT o.server,
                   (SELECT COUNT(*) FROM oct_service_accounts a WHERE a.scan_id = o.scan_id AND a.server = o.server) AS accounts,
                   (SELECT COUNT(*) FROM oct_identities i WHERE i.scan_id = o.scan_id AND i.server = o.server) AS identities
            FROM oct_instances o WHERE o.scan_id = ? ORDER BY o.server
            """, arguments: [scanID]).map {
            OctopusInstance(server: $0["server"], serviceAccounts: $0["accounts"], identities: $0["identities"])
        }
    }

    /// Snapshot `scanID`'s input documents counted by kind.
    static func inputCounts(_ db: Database, scanID: Int64) throws -> [InputCount] {
        try Row.fetchAll(db, sql: """
            SELECT kind, COUNT(*) AS documents, SUM(error IS NOT NULL) AS unreadable
            FROM scan_inputs WHERE scan_id = ? GROUP BY kind ORDER BY kind
            """, arguments: [scanID]).map {
            InputCount(kind: $0["kind"], documents: $0["documents"], unreadable: $0["unreadable"] ?? 0)
        }
    }

    /// Open findings per severity for every complete scan up to `scanID`, oldest first; only
    /// those of `repository` (lower-cased) when given.
    static func trend(_ db: Database, upTo scanID: Int64, repository: String?) throws -> [TrendPoint] {
        let scans = try Row.fetchAll(db, sql: """
            SELECT id, started_at, label, COALESCE(findings_scan_id, id) AS findings FROM scans
            WHERE status = 'complete' AND id <= ? ORDER BY id
            """, arguments: [scanID])
        // One count per scan: `scan_findings` joins a scan's own and carried rows, and is read by
        // its scan (a join over it would list every scan's findings first).
        let counts = try db.cachedStatement(sql: """
            SELECT severity, COUNT(*) AS n FROM scan_findings
            WHERE scan_id = ?1 AND waived = 0 AND (?2 IS NULL OR lower(repository) = ?2) GROUP BY severity
            """)
        var points: [TrendPoint] = []
        for scan in scans {
            var point = TrendPoint(scanID: scan["id"], startedAt: scan["started_at"], label: scan["label"],
                                   counts: Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) }))
            for row in try Row.fetchAll(counts, arguments: [scan["findings"] as Int64, repository]) {
                if let name: String = row["severity"], let severity = Severity(rawValue: name) {
                    point.counts[severity] = row["n"]
                }
            }
            points.append(point)
        }
        return points
    }
}

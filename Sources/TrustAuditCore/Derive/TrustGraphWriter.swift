import GRDB

/// Stores a derived trust graph: subjects as rows of their own, edges as references to them and
/// to identities. The graph is mostly edges, so an edge must stay a few bytes (see migration 0005).
struct TrustGraphWriter {
    let db: Database
    let scanID: Int64
    let facts: TrustGraphFacts
    let judge: ReachabilityJudge
    /// Gate texts by environment (nil: none), computed once per repository and name.
    private var gates: [GateKey: String] = [:]

    private struct GateKey: Hashable {
        var repository: RepositoryKey
        var environment: String?
    }

    init(db: Database, scanID: Int64, facts: TrustGraphFacts) {
        self.db = db
        self.scanID = scanID
        self.facts = facts
        judge = ReachabilityJudge(facts: facts)
    }

    func write(environments: [ReusableWorkflowExpansion.EnvironmentRow]) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO derived_job_environments (scan_id, repository, file, job, line, written, environment, dynamic, via, minting, logs_in)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for item in environments {
            try statement.execute(arguments: [scanID, item.repository, item.file, item.job, item.line, item.written,
                                              item.environment, item.dynamic, item.via, item.minting, item.logsIn])
        }
    }

    mutating func write(_ result: [[SubjectTrust]], jobs: [MintingJob]) throws {
        let subjectStatement = try BoundInsert(db, sql: """
            INSERT INTO derived_subjects (id, edges_subject, scan_id, repository, file, job, trigger, subject, is_pattern, environment,
                id_token, reason, note, gate, called_file, called_job, via_json, reachable_by, reachable_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // A derived subject's edges are its own: ids are given here so that `edges_subject` is
        // written with the row (this scan is the only writer).
        var subjectID = try Int64.fetchOne(db, sql: "SELECT COALESCE(max(id), 0) FROM derived_subjects") ?? 0
        var edges = RowBatch(db: db, scanID: scanID, table: "trust_edges", columns: ["subject_id", "identity_key", "match_kind", "in_use"])
        // Per account and repository, the first path at the lowest level (see `writeAccountReach`).
        // Accounts by number, each identity pointing at its account's: hashing the server and the
        // account id for each of hundreds of thousands of edges cost more than the edges' rows.
        var accounts: [AccountKey] = []
        var accountNumbers: [AccountKey: Int] = [:]
        let identityAccounts = facts.identities.map { identity -> Int in
            let account = AccountKey(server: identity.server, accountID: identity.accountID)
            if let number = accountNumbers[account] { return number }
            accountNumbers[account] = accounts.count
            accounts.append(account)
            return accounts.count - 1
        }
        var repositoryReach = [[String: (level: ReachLevel, subjectID: Int64)]](repeating: [:], count: accounts.count)
        // Paths are judged on every core before the rows are written: judging was a third of the
        // Swift work in this loop, while the writer is the scan's one busy core.
        let judge = self.judge
        let chunks = stride(from: 0, to: jobs.count, by: Self.jobsPerChunk).map { $0..<min($0 + Self.jobsPerChunk, jobs.count) }
        let reaches = ParallelMap.map(chunks) { range in
            range.map { index in result[index].map { judge.path($0.subject, job: jobs[index]) } }
        }.joined()
        for ((job, subjects), jobReaches) in zip(zip(jobs, result), reaches) {
            let note = TrustGraphBuilder.note(for: job)
            let repository = RepositoryKey(job.repository)
            let via = job.via.isEmpty ? nil : JSONValue.array(job.via.map(\.jsonValue)).jsonText
            for (trust, reach) in zip(subjects, jobReaches) {
                let environment = trust.subject.environment
                let gate = gateText(repository: repository, environment: environment)
                subjectID += 1
                try subjectStatement.execute([
                    subjectID.databaseValue, subjectID.databaseValue, scanID.databaseValue, job.repository.databaseValue,
                    job.file.databaseValue, job.job.key.databaseValue, trust.subject.trigger.databaseValue,
                    trust.subject.value.databaseValue, trust.subject.isPattern.databaseValue, environment.databaseValue,
                    job.idToken.rawValue.databaseValue, trust.subject.reason.databaseValue, note.databaseValue, gate.databaseValue,
                    job.calledFile.databaseValue, job.calledJob.databaseValue, via.databaseValue, reach.level.word.databaseValue,
                    reach.reason.databaseValue,
                ])
                for match in trust.matches {
                    let account = identityAccounts[match.identity]
                    if repositoryReach[account][job.repository].map({ reach.level < $0.level }) ?? true {
                        repositoryReach[account][job.repository] = (reach.level, subjectID)
                    }
                    let kind: Int64 = switch match.match {
                    case .exact: 0
                    case .pattern: 1
                    case .overlap: 2
                    }
                    try edges.append(subjectID.databaseValue, facts.identities[match.identity].key.databaseValue, kind.databaseValue,
                                     match.inUse.databaseValue)
                }
            }
        }
        try edges.flush()
        // In the table's key order: rows inserted in hash order cost more than the edges themselves
        // on ten thousand repositories. Per account, by level and the repository's bytes (SQLite's
        // own order), so most comparisons are of integers, not of three strings.
        var reachRows = RowBatch(db: db, scanID: scanID, table: "derived_repository_reach",
                                 columns: ["server", "account_id", "level", "repository", "subject_id"])
        let byName = accounts.indices.sorted { (accounts[$0].server, accounts[$0].accountID) < (accounts[$1].server, accounts[$1].accountID) }
        let reach = repositoryReach
        let sorted = ParallelMap.map(byName) { number in
            reach[number].sorted {
                $0.value.level != $1.value.level ? $0.value.level < $1.value.level : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8)
            }
        }
        for (number, rows) in zip(byName, sorted) {
            let account = accounts[number]
            for (repository, reach) in rows {
                try reachRows.append([account.server.databaseValue, account.accountID.databaseValue, reach.level.rawValue.databaseValue,
                                      repository.databaseValue, reach.subjectID.databaseValue])
            }
        }
        try reachRows.flush()
    }

    /// Each account's level: the lowest of what its identities' subjects allow and of every
    /// repository's paths to it. On a tie the identity's reason wins, then the first repository by
    /// name, which is the first path in derivation order (jobs are derived repository by
    /// repository, ordered by name), whichever repositories this scan derived or carried over.
    func writeAccountReach() throws {
        var accounts: [AccountKey: Reach] = [:]
        for identity in facts.identities {
            if let reach = judge.identity(identity) {
                let key = AccountKey(server: identity.server, accountID: identity.accountID)
                accounts[key] = Reach.lower(accounts[key], Reach(reach.level, "identity `\(identity.subject)`: \(reach.reason)"))
            }
        }
        // Rows come best first per account, so each account's first row is its best path.
        var best: [(key: AccountKey, level: ReachLevel, subjectID: Int64)] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT server, account_id, level, subject_id FROM derived_repository_reach WHERE scan_id = ?
            ORDER BY server, account_id, level, repository
            """, arguments: [scanID])
        var previous: AccountKey?
        while let row = try rows.next() {
            let key = AccountKey(server: row[0], accountID: row[1])
            guard key != previous, let level = ReachLevel(rawValue: row[2]) else { continue }
            previous = key
            if accounts[key].map({ level < $0.level }) ?? true { best.append((key, level, row[3])) }
        }
        let subject = try db.cachedStatement(sql: """
            SELECT repository, file, job, trigger, COALESCE(reachable_reason, '') FROM derived_subjects WHERE id = ?
            """)
        for (key, level, subjectID) in best {
            guard let row = try Row.fetchOne(subject, arguments: [subjectID]) else { continue }
            accounts[key] = Reach(level, "\(row[0] as String)/\(row[1] as String) job \(row[2] as String) on \(row[3] as String): \(row[4] as String)")
        }
        let accountStatement = try db.cachedStatement(sql: """
            INSERT INTO derived_account_reach (scan_id, server, account_id, reachable_by, reason) VALUES (?, ?, ?, ?, ?)
            """)
        for (key, reach) in accounts.sorted(by: { ($0.key.server, $0.key.accountID) < ($1.key.server, $1.key.accountID) }) {
            try accountStatement.execute(arguments: [scanID, key.server, key.accountID, reach.level.word, reach.reason])
        }
    }

    /// Jobs judged per task: enough that handing out tasks costs little beside the judging.
    private static let jobsPerChunk = 256

    private struct AccountKey: Hashable {
        var server: String
        var accountID: String
    }

    private mutating func gateText(repository: RepositoryKey, environment: String?) -> String {
        let key = GateKey(repository: repository, environment: environment)
        if let known = gates[key] { return known }
        let text = EnvironmentGate.describe(
            environment: environment, collected: facts.environmentsCollected.contains(repository),
            gate: environment.flatMap { facts.gates[EnvironmentKey(repository: repository, name: $0)] })
        gates[key] = text
        return text
    }
}

/// Inserts rows of one table a few hundred per statement: one statement per row costs more than
/// the row on a graph of hundreds of thousands of edges.
private struct RowBatch {
    static let rowsPerStatement = 200
    let db: Database
    /// `INSERT INTO table (scan_id, a, b) VALUES `.
    let head: String
    /// One row's values with the scan's id written in: `(7, ?, ?)`.
    let row: String
    private var values: [DatabaseValue] = []
    private var rows = 0

    init(db: Database, scanID: Int64, table: String, columns: [String]) {
        self.db = db
        head = "INSERT INTO \(table) (scan_id, \(columns.joined(separator: ", "))) VALUES "
        row = "(\(scanID), " + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        values.reserveCapacity(Self.rowsPerStatement * columns.count)
    }

    mutating func append(_ values: [DatabaseValue]) throws {
        self.values += values
        try endRow()
    }

    /// One edge's four values, appended without an array of their own: the graph has hundreds of
    /// thousands of edges.
    mutating func append(_ first: DatabaseValue, _ second: DatabaseValue, _ third: DatabaseValue, _ fourth: DatabaseValue) throws {
        values.append(first)
        values.append(second)
        values.append(third)
        values.append(fourth)
        try endRow()
    }

    private mutating func endRow() throws {
        rows += 1
        if rows == Self.rowsPerStatement { try flush() }
    }

    mutating func flush() throws {
        guard rows > 0 else { return }
        try BoundInsert(db, sql: head + Array(repeating: row, count: rows).joined(separator: ", ")).execute(values)
        values.removeAll(keepingCapacity: true)
        rows = 0
    }
}

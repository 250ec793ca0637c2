import GRDB

/// The repositories an incremental evaluation must re-evaluate, found by comparing a snapshot with
/// the one the previous scan was evaluated on.
///
/// A repository is changed when its workflow files (path, content, read error), its source or
/// HEAD commit, or its GitHub settings document differ, or when it appears or disappears. Findings
/// of a repository-scoped policy may also depend on repositories connected by reusable-workflow
/// calls (a caller's trust edges carry the called workflow's jobs, a called workflow's login is
/// judged by its callers), so every caller and callee of a changed repository, transitively, is
/// re-evaluated too (`dirty`), and the queries see the callers and callees of those (`visible`).
/// Organization settings and Octopus exports are part of the evaluation base instead: when they
/// differ there is no previous evaluation to build on.
public struct IncrementalScope: Sendable, Equatable {
    /// Lower-cased names of the repositories whose findings are recomputed.
    public var dirty: Set<String>
    /// Every spelling (as stored) of the repositories whose rows the queries may read.
    public var visibleNames: [String]
    /// How many repositories the current snapshot has.
    public var repositoryCount: Int

    /// What the comparison needs of one snapshot: each repository's inputs (`inputs`) and its
    /// reusable-workflow calls (`calls`).
    struct Side: Sendable {
        var inputs: [String: String]
        var calls: [(String, String)]

        static func read(_ db: Database, scanID: Int64) throws -> Side {
            try SnapshotPart.read(db, scanID: scanID).side(db, scanID: scanID)
        }
    }

    /// The part of a `Side` that the snapshot's repositories and workflow files decide, which
    /// are committed before the stages run and which no stage changes, so it can be read on
    /// another connection while the stages write the settings the rest is made from.
    struct SnapshotPart: Sendable {
        var files: [String: StateDigest]
        var calls: [(String, String)]

        static func read(_ db: Database, scanID: Int64) throws -> SnapshotPart {
            SnapshotPart(files: try IncrementalScope.files(db, scanID: scanID), calls: try IncrementalScope.calls(db, scanID: scanID))
        }

        /// The whole side, with the settings documents of snapshot `scanID` as `db` sees them.
        func side(_ db: Database, scanID: Int64) throws -> Side {
            Side(inputs: try IncrementalScope.addingSettings(db, scanID: scanID, to: files), calls: calls)
        }
    }

    /// Compares data scan `current`, read on `db`, with the earlier snapshot `previous` returns
    /// once the current one is read (it may be read on another connection meanwhile: a complete
    /// snapshot never changes). `currentPart`, when given, is the current snapshot's part read
    /// already.
    static func compute(_ db: Database, previous: () throws -> Side, current: Int64,
                        currentPart: SnapshotPart? = nil) throws -> IncrementalScope {
        let after = try (currentPart ?? SnapshotPart.read(db, scanID: current)).side(db, scanID: current)
        let before = try previous()
        var changed = Set<String>()
        for (name, key) in after.inputs where before.inputs[name] != key { changed.insert(name) }
        for name in before.inputs.keys where after.inputs[name] == nil { changed.insert(name) }
        var callees: [String: Set<String>] = [:]
        var callers: [String: Set<String>] = [:]
        for (caller, callee) in before.calls + after.calls {
            callees[caller, default: []].insert(callee)
            callers[callee, default: []].insert(caller)
        }
        func closure(_ start: Set<String>) -> Set<String> {
            var result = start
            for edges in [callers, callees] {
                var queue = Array(start)
                var seen = start
                while let name = queue.popLast() {
                    for next in edges[name] ?? [] where seen.insert(next).inserted {
                        queue.append(next)
                        result.insert(next)
                    }
                }
            }
            return result
        }
        let dirty = closure(changed)
        let visible = closure(dirty)
        let names = try spellings(db, scanID: current).filter { visible.contains($0.lowercased()) }
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM scan_repositories WHERE scan_id = ?", arguments: [current]) ?? 0
        return IncrementalScope(dirty: dirty, visibleNames: names.sorted(), repositoryCount: count)
    }

    /// Every spelling of a repository name snapshot `scanID` stores: its repositories' and its
    /// repository settings documents'. Derived rows name repositories as these do.
    static func spellings(_ db: Database, scanID: Int64) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: """
            SELECT full_name FROM scan_repositories WHERE scan_id = ?1
            UNION SELECT subject FROM scan_inputs WHERE scan_id = ?1 AND kind = 'github-settings' AND subject LIKE '%/%'
            """, arguments: [scanID]))
    }

    /// Each repository's source, HEAD commit and workflow files, digested, keyed by lower-cased
    /// name: the part of a repository's inputs the snapshot decides (`addingSettings` adds the
    /// rest).
    static func files(_ db: Database, scanID: Int64) throws -> [String: StateDigest] {
        var keys: [String: StateDigest] = [:]
        let files = try Row.fetchCursor(db, sql: """
            SELECT r.full_name, r.source, r.head_commit, f.path, f.blob_hash, f.read_error
            FROM scan_repositories r LEFT JOIN scan_workflow_files f ON f.repository_id = r.id
            WHERE r.scan_id = ?
            ORDER BY r.full_name, f.path
            """, arguments: [scanID])
        while let row = try files.next() {
            let name: String = row[0]
            let key = name.lowercased()
            if keys[key] == nil {
                var digest = StateDigest()
                digest.add("repository", name, row[1] as String? ?? "", row[2] as String? ?? "")
                keys[key] = digest
            }
            if let path: String = row[3] {
                keys[key, default: StateDigest()].add("file", path, row[4] as String? ?? "", row[5] as String? ?? "")
            }
        }
        return keys
    }

    /// `files` with each repository's settings documents added after its files, as hex digests.
    static func addingSettings(_ db: Database, scanID: Int64, to files: [String: StateDigest]) throws -> [String: String] {
        var keys = files
        let settings = try Row.fetchCursor(db, sql: """
            SELECT subject, document, blob_hash FROM scan_inputs
            WHERE scan_id = ? AND kind = 'github-settings' AND subject LIKE '%/%' AND error IS NULL
            ORDER BY subject, document
            """, arguments: [scanID])
        while let row = try settings.next() {
            let subject: String = row[0]
            keys[subject.lowercased(), default: StateDigest()].add("settings", row[1] as String, row[2] as String? ?? "")
        }
        return keys.mapValues(\.hex)
    }

    /// What decides every repository's findings at once: GitHub settings documents that are not a
    /// repository's (organizations, unreadable ones) and the Octopus exports, with their problems.
    static func sharedInputs(_ db: Database, scanID: Int64) throws -> String {
        var digest = StateDigest("shared-inputs-v2")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT kind, document, subject, blob_hash, error FROM scan_inputs
            WHERE scan_id = ? AND NOT (kind = 'github-settings' AND subject LIKE '%/%' AND error IS NULL)
            ORDER BY kind, document, subject
            """, arguments: [scanID])
        while let row = try rows.next() {
            digest.add(row[0] as String? ?? "", row[1] as String? ?? "", row[2] as String? ?? "",
                       row[3] as String? ?? "", row[4] as String? ?? "")
        }
        return digest.hex
    }

    /// Reusable-workflow calls between repositories, as (caller, callee) lower-cased names.
    static func calls(_ db: Database, scanID: Int64) throws -> [(String, String)] {
        var result: [(String, String)] = []
        let rows = try Row.fetchCursor(db, sql: """
            SELECT DISTINCT r.full_name, j.uses
            FROM scan_workflow_files f
            JOIN scan_repositories r ON r.id = f.repository_id
            JOIN wf_jobs j ON j.doc = f.doc
            WHERE f.scan_id = ? AND j.uses IS NOT NULL AND j.uses NOT LIKE './%'
            """, arguments: [scanID])
        while let row = try rows.next() {
            let caller = (row[0] as String).lowercased()
            let uses: String = row[1]
            let target = uses.split(separator: "@", maxSplits: 1).first.map(String.init) ?? uses
            let parts = target.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2 else { continue }
            let callee = "\(parts[0])/\(parts[1])".lowercased()
            if callee != caller { result.append((caller, callee)) }
        }
        return result
    }
}

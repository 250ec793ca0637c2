import Foundation
import GRDB

/// Runs one scan end to end: read → parse → store → derive → evaluate → record findings.
///
/// Content is stored once: workflow bytes and their parsed facts are keyed by hash. A snapshot is
/// stored once too: when the scan's inputs hash to the state of an earlier complete scan, the
/// new scan points at that scan's rows instead of copying them, and when the same policies were
/// already evaluated on that snapshot it shares those findings. So a nightly scan of an
/// unchanged organization adds one row.
///
/// The files' facts and the snapshot are written in one transaction, what the stages derive in a
/// second (reads and policies that need none of it run beside that transaction on readers,
/// `DerivationPrefetch` and `EarlyPolicyEvaluation`), the
/// policies are evaluated on read-only connections, then findings and the `complete` status are
/// written. If anything fails, the scan's own rows and the content only it named are removed and
/// only its `failed` row remains; earlier snapshots are never touched. One scan runs at a time per
/// database (`ScanLock`); a scan killed mid-way is marked failed by the next one.
public struct ScanPipeline: Sendable {
    /// Repositories read and parsed per batch: bounds memory on large organizations.
    static let batchSize = 256

    public let database: AuditDatabase
    /// Called with a message when the scan must wait for another one to finish.
    public var onWait: @Sendable (String) -> Void

    public init(database: AuditDatabase, onWait: @escaping @Sendable (String) -> Void = { _ in }) {
        self.database = database
        self.onWait = onWait
    }

    public func run(_ request: ScanRequest) throws -> ScanOutcome {
        let lock = try ScanLock.acquire(databasePath: database.path, onWait: onWait)
        defer { lock.release() }
        try database.pool.write { db in try ScanRows.failInterrupted(db) }
        let startedAt = Timestamp.now()
        let scanID = try database.pool.write { db in
            try ScanRecords.start(db, startedAt: startedAt, label: request.label, policyDigest: Self.policyDigest(request))
        }
        do {
            return try execute(request, scanID: scanID, startedAt: startedAt)
        } catch {
            try? database.pool.write { db in
                try ScanRecords.fail(db, scanID: scanID, finishedAt: Timestamp.now(), error: "\(error)")
            }
            if let error = error as? DatabaseError, error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB,
               let damage = try? database.pool.read({ db in DatabaseIntegrity.damaged(db, finding: error.message ?? "\(error)") }) {
                throw damage
            }
            throw error
        }
    }

    /// What the policies are, as evaluation sees them: queries, metadata and effective settings.
    static func policyDigest(_ request: ScanRequest) -> String {
        var digest = StateDigest("policies-v2")
        for policy in request.policies.sorted(by: { $0.id < $1.id }) {
            digest.add(policy.id, policy.query, policy.severity.rawValue, policy.category.rawValue, policy.title,
                       JSONValue.object(request.settings.params(for: policy)).jsonText,
                       request.settings.isEnabled(policy) ? "on" : "off",
                       request.settings.overrides[policy.id]?.severity?.rawValue ?? "", policy.scope.rawValue)
        }
        return digest.hex
    }

    /// The configured waivers, and today's date when one of them can expire.
    private static func addWaivers(_ request: ScanRequest, to digest: inout StateDigest) {
        let waivers = request.settings.waivers
        digest.add("waivers", String(waivers.count))
        for waiver in waivers {
            digest.add(waiver.policy, waiver.repository, waiver.file ?? "", waiver.reason, waiver.expires ?? "")
        }
        digest.add("today", waivers.contains { $0.expires != nil } ? request.today : "")
    }

    /// Everything besides the snapshot that decides a scan's findings.
    static func evaluationKey(_ request: ScanRequest, dataScanID: Int64) -> String {
        var digest = StateDigest("eval-key-v2")
        digest.add(String(dataScanID), policyDigest(request))
        addWaivers(request, to: &digest)
        // A policy stopped by a limit under one setting may complete under another.
        digest.add("limits", String(request.settings.limits.policyTimeout), String(request.settings.limits.policyMaxRows))
        return digest.hex
    }

    /// A stored scan's findings, read while the scan ran.
    private struct EarlierFindings: Sendable {
        var scanID: Int64
        var findings: [Finding]
    }

    /// The findings of stored scan `scanID`: those read early when they are that scan's (an early
    /// read that failed is read again here, where its error is reported).
    private static func findings(of scanID: Int64, earlier: BackgroundTask<EarlierFindings?>?, database: AuditDatabase) throws -> [Finding] {
        if let read = try? earlier?.take(), read.scanID == scanID { return read.findings }
        return try FindingStore.load(scanID: scanID, database: database)
    }

    private func execute(_ request: ScanRequest, scanID: Int64, startedAt: String) throws -> ScanOutcome {
        var clock = PhaseClock()
        let context = ScanContext(reader: database.pool)
        var fileCount = 0
        var parsedCount = 0
        var manifests: [RepositoryManifest] = []
        // The latest complete scan's findings are read on a reader, and used below when that scan
        // is the one whose findings are reported or carried. Not from the start: while files are
        // parsed, the parsing has every core; once they are read, the writer stores the snapshot
        // and runs the stages on one, and the read has the other (a rescan after 1% of the files
        // changed took 0.28 s less at 10,000 repositories).
        var earlier: BackgroundTask<EarlierFindings?>?
        func readEarlierFindings() {
            earlier = BackgroundTask { [database] () throws -> EarlierFindings? in
                try database.pool.read { db in
                    try ScanRecords.latestFindings(db).map { scanID in
                        EarlierFindings(scanID: scanID, findings: try FindingStore.load(scanID: scanID, db: db))
                    }
                }
            }
        }
        // The recorded stamps are read on a reader while the writer reads the stored content: the
        // two are the larger part of an unchanged nightly scan's reading, and independent.
        let settledBefore = request.filesSettledBefore ?? FileStamp.now() - FileStamp.settleNanoseconds
        let recorded = request.rereadFiles ? nil : BackgroundTask { [database] in
            try database.pool.read { db in try FileStampStore.load(db, settledBefore: settledBefore) }
        }
        /// Reads, parses and stores the files, then the snapshot, in one transaction: the scan's
        /// own snapshot, or an earlier scan's when the inputs hash to it.
        func storeSnapshot() throws -> Int64 {
            try database.pool.write { db -> Int64 in
                let documents = try clock.measure("known content") {
                    try WorkflowFactStore.parsedDocuments(db, maxExpandedBytes: request.settings.limits.maxExpandedBytes)
                }
                var known = documents.current
                let stale = documents.stale
                let knownHashes = Set(known.keys)
                let cache = try clock.measure("known content") { try recorded?.take().restricted(to: knownHashes) }
                var stamps: [(origin: DiskOrigin, hash: String)] = []
                // Reading and parsing overlap storing (see PreparedBatchFeed), so in a cold scan the
                // read and parse phases run at the same time as store; each is the time spent in it.
                let twins = RepositoryTwins(request.repositories)
                let feed = PreparedBatchFeed(repositories: twins.kept, batchSize: Self.batchSize, known: knownHashes,
                                             cache: cache, maxExpandedBytes: request.settings.limits.maxExpandedBytes)
                defer { feed.cancel() }
                while let batch = clock.measure("wait", { feed.next() }) {
                    clock.add("read", batch.readSeconds)
                    clock.add("parse", batch.parseSeconds)
                    // A batch that parsed nothing suggests a scan that parses little: its
                    // reading leaves a core to spare, and it may need those findings soon.
                    if earlier == nil, !batch.files.contains(where: { $0.contains { $0.result != nil } }) { readEarlierFindings() }
                    try clock.measure("store") {
                        for (snapshot, files) in zip(batch.snapshots, batch.files) {
                            for file in files {
                                if let hash = file.hash, let bytes = file.bytes, let result = file.result, known[hash] == nil {
                                    let doc = try WorkflowFactStore.storeBlob(db, hash: hash, bytes: bytes)
                                    try WorkflowFactStore.store(db, doc: doc, rows: result, stale: stale[hash] != nil)
                                    known[hash] = doc
                                    parsedCount += 1
                                }
                                if let origin = file.origin, let hash = file.hash { stamps.append((origin, hash)) }
                            }
                            fileCount += files.filter { $0.kind == .workflow }.count
                            manifests.append(RepositoryManifest(
                                fullName: snapshot.fullName, source: snapshot.source, headCommit: snapshot.headCommit,
                                files: files.map { ($0.path, $0.hash, $0.readError, $0.kind) },
                                problems: snapshot.problems + (twins.problems[snapshot.fullName] ?? []) + files.filter(\.overLimit).map { file in
                                    CoverageProblem(path: file.path, message: "not read: \(file.readError ?? "over a limit")")
                                }))
                        }
                    }
                }
                if earlier == nil { readEarlierFindings() }
                try clock.measure("store") { try FileStampStore.record(stamps, db: db) }
                let existing = try clock.measure("state") { () throws -> Int64? in
                    let stateHash = Self.stateHash(manifests, stages: request.stages)
                    try ScanRecords.recordState(db, scanID: scanID, stateHash: stateHash, repositories: manifests.count, files: fileCount)
                    return try ScanRecords.snapshot(db, stateHash: stateHash)
                }
                if let existing { return existing }
                try clock.measure("snapshot") { try SnapshotStore.insert(manifests, documents: known, scanID: scanID, db: db) }
                // Statistics before the stages (a fresh database has none) and after them, for the
                // derived tables the policies read.
                try clock.measure("analyze") { try AuditDatabase.analyze(db) }
                return scanID
            }
        }
        var early: EarlyPolicyEvaluation?
        let dataScanID = try database.withoutAutomaticCheckpoint { () throws -> Int64 in
            let stored = try storeSnapshot()
            guard stored == scanID else { return stored }
            // The snapshot is committed (a failure from here on removes it, as `run` does with every
            // row of a failed scan): what reads only it can be read beside the stages.
            early = clock.measure("early start") { () -> EarlyPolicyEvaluation? in
                let derivingFully = request.stages.contains(where: { $0 is TrustGraphStage })
                    && (try? database.pool.read({ db in try ScanRecords.derivedBefore(db) })) == false
                let early = EarlyPolicyEvaluation.prepare(request, policyDigest: Self.policyDigest(request), database: database, scanID: scanID)
                // Readers opened before the snapshot's ANALYZE would plan with no statistics. Only
                // a scan that reads beside its stages drops them now: one that evaluates after
                // them closes its readers then, and reopening one meanwhile cost a rescan's
                // comparison a new connection.
                if derivingFully || early != nil { database.dropStaleReaders() }
                let prefetch = DerivationPrefetch(scanID: scanID, database: database)
                context.derivationPrefetch = prefetch
                if derivingFully {
                    prefetch.startWorkflows(of: nil)
                    context.whenWriterAlone { queue in prefetch.startCredentialJobs(on: queue) }
                } else if let previous = try? database.pool.read({ db in try ScanRecords.latestDerivation(db) }) {
                    context.readComparison(previous: previous, current: scanID)
                }
                return early
            }
            if let early {
                context.whenWriterAlone { queue in
                    early.begin(on: queue)
                    // A checkpoint stops at the oldest snapshot a reader still reads, so the one
                    // after the stages leaves their pages in the log while the early policies
                    // read; another is queued for when they are done, or writing the findings
                    // would copy those pages first.
                    queue.async { database.checkpointInBackground() }
                }
            }
            do {
                try database.pool.write { db in
                    // While early policies run, their reader and the derivation's working set are
                    // held at once, so the writer's page cache is smaller meanwhile.
                    try AuditDatabase.withWriterCache(early == nil ? AuditDatabase.writerCacheKiB : AuditDatabase.sharedWriterCacheKiB, db) {
                        // Stages read the documented views too, on the writer's connection, inside the transaction.
                        try AuditDatabase.showing(db, snapshot: scanID) {
                            for stage in request.stages {
                                try clock.measure(stage.name) { try stage.run(db, scanID: scanID, context: context) }
                            }
                        }
                        try clock.measure("analyze") { try AuditDatabase.analyze(db) }
                    }
                }
            } catch {
                // Not left reading rows that are about to be removed, nor lean in the pool.
                context.finishReads()
                if let early {
                    _ = early.results()
                    database.dropStaleReaders()
                }
                throw error
            }
            return scanID
        }
        // A new snapshot was written: its writer's cache and the parse and derivation heaps are
        // not what evaluation reads, and its pages are checkpointed while the policies run.
        if dataScanID == scanID {
            clock.measure("release memory") { database.releaseMemoryBesideReads() }
            database.checkpointInBackground()
        }
        let evaluationKey = Self.evaluationKey(request, dataScanID: dataScanID)
        var findings: [Finding]
        var policyErrors: [PolicyRunError]
        let (reused, evaluationBase) = try clock.measure("state") {
            try database.pool.read { db in
                (try ScanRecords.findings(db, evaluationKey: evaluationKey),
                 try Self.evaluationBase(request, sharedInputs: IncrementalScope.sharedInputs(db, scanID: dataScanID)))
            }
        }
        let findingsScanID: Int64
        var incremental: IncrementalScope?
        if let reused {
            findingsScanID = reused
            (findings, policyErrors) = try clock.measure("evaluate") {
                (try Self.findings(of: reused, earlier: earlier, database: database),
                 try database.pool.read { db in try FindingStore.loadErrors(scanID: reused, db: db) })
            }
        } else {
            findingsScanID = scanID
            var carried: [Finding] = []
            var carriedErrors: [PolicyRunError] = []
            var carriedFrom: Int64?
            var notCarried: [String] = []
            try clock.measure("compare") {
                guard let previous = try database.pool.read({ db in try ScanRecords.evaluation(db, evaluationBase: evaluationBase) })
                else { return }
                let previousData = previous.snapshot
                let previousFindings = previous.findings
                incremental = try database.pool.read { db in
                    try context.incrementalScope(db, previous: previousData, current: dataScanID)
                }
                guard let scope = incremental else { return }
                let scopes = Dictionary(request.policies.map { ($0.id, $0.scope) }) { first, _ in first }
                (carried, carriedErrors) = (try Self.findings(of: previousFindings, earlier: earlier, database: database),
                                            try database.pool.read { db in try FindingStore.loadErrors(scanID: previousFindings, db: db) })
                // Carried findings keep their waivers: configured waivers are part of the evaluation
                // base, and a carried repository's inline suppressions are in its unchanged files.
                carried.removeAll { finding in
                    let evaluatedAgain: Bool
                    switch scopes[finding.policy] {
                    case .repository?: evaluatedAgain = scope.dirty.contains((finding.repository ?? "").lowercased())
                    case .serviceAccount?: evaluatedAgain = false
                    case .global?, nil: evaluatedAgain = true
                    }
                    if evaluatedAgain { notCarried.append(finding.fingerprint) }
                    return evaluatedAgain
                }
                carriedErrors.removeAll { scopes[$0.policy] != .serviceAccount }
                carriedFrom = previousFindings
            }
            var earlyWait: Double?
            var evaluation = clock.measure("evaluate") { () -> (findings: [Finding], errors: [PolicyRunError]) in
                // Early evaluation only starts when no evaluation can be incremental.
                guard let early, incremental == nil else {
                    return PolicyEngine.evaluate(database: database, scanID: dataScanID, policies: request.policies, settings: request.settings,
                                                 incremental: incremental)
                }
                // The other policies start at once, beside the early ones if they are still
                // running (the finished stages left their core idle); early policies that never
                // started, or whose read could not be made, are evaluated after them.
                let late = PolicyEngine.evaluate(database: database, scanID: dataScanID,
                                                 policies: request.policies.filter { !early.policyIDs.contains($0.id) },
                                                 settings: request.settings)
                let start = DispatchTime.now().uptimeNanoseconds
                guard let earlyResults = early.results() else {
                    return PolicyEngine.merged(PolicyEngine.evaluate(database: database, scanID: dataScanID,
                                                                     policies: request.policies.filter { early.policyIDs.contains($0.id) },
                                                                     settings: request.settings), late)
                }
                earlyWait = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                return PolicyEngine.merged(earlyResults, late)
            }
            // Timed only when the policies ran beside the stages.
            if let earlyWait { clock.add("early evaluate", earlyWait) }
            clock.measure("release memory") { database.releaseMemory() }
            policyErrors = (evaluation.errors + carriedErrors).sorted { $0.policy < $1.policy }
            // Taken out of `evaluation`, so that marking and sorting it in place copies nothing.
            var fresh = evaluation.findings
            evaluation.findings = []
            findings = try clock.measure("findings") {
                try Profiling.measure("findings waivers") {
                    let suppressions = try database.read(snapshot: dataScanID) { db in
                        try FindingWaivers.suppressions(db: db, scanID: dataScanID)
                    }
                    FindingWaivers.apply(to: &fresh, suppressions: suppressions, settings: request.settings, today: request.today)
                }
                // Sorted once: carried findings were loaded in report order, so the two lists merge.
                Profiling.measure("findings sort") { Finding.sortInReportOrder(&fresh) }
                try Profiling.measure("findings insert") { try database.pool.write { db in
                    try FindingStore.insert(fresh, errors: policyErrors, scanID: scanID, db: db)
                    if let carriedFrom {
                        try FindingStore.carry(from: carriedFrom, except: notCarried, to: scanID, db: db)
                    }
                } }
                return Finding.merged(fresh, carried)
            }
        }
        let coverage = try clock.measure("coverage") {
            try database.pool.read { db in try ScanInputStore.coverageNotes(scanID: dataScanID, db: db) }
        }
        let finishedAt = Timestamp.now()
        try clock.measure("complete") {
            try database.pool.write { db in
                try ScanRecords.complete(db, scanID: scanID, finishedAt: finishedAt, snapshot: dataScanID, evaluationKey: evaluationKey,
                                         findings: findingsScanID, evaluationBase: evaluationBase)
            }
        }
        if Profiling.enabled {
            for (phase, seconds) in clock.phases { Profiling.report("phase \(phase)", seconds: seconds) }
            if let incremental {
                FileHandle.standardError.write(Data("trustaudit: profile: incremental evaluation: \(incremental.dirty.count) of \(incremental.repositoryCount) repositories re-evaluated, \(incremental.visibleNames.count) visible\n".utf8))
            }
        }
        return ScanOutcome(
            scanID: scanID, startedAt: startedAt, finishedAt: finishedAt, label: request.label,
            findings: findings, policyErrors: policyErrors, coverage: coverage, repositories: manifests.count,
            workflowFiles: fileCount, parsedFiles: parsedCount, reusedSnapshot: dataScanID != scanID,
            reevaluatedRepositories: incremental.map { $0.dirty.count }, timings: clock.phases)
    }

    /// Everything besides the repositories that decides findings (see migration 0011): two scans
    /// with equal bases differ in their findings only where their repositories differ.
    static func evaluationBase(_ request: ScanRequest, sharedInputs: String) -> String {
        var digest = StateDigest("eval-base-v2")
        digest.add(ToolVersion.current, "parser-\(WorkflowParser.version)", policyDigest(request))
        addWaivers(request, to: &digest)
        digest.add(["derivation"] + request.stages.filter { !($0 is InputIngestionStage) }.map(\.signature))
        digest.add("shared", sharedInputs)
        return digest.hex
    }

    /// The hash of everything a snapshot's rows are made from.
    static func stateHash(_ manifests: [RepositoryManifest], stages: [any ScanStage]) -> String {
        var digest = StateDigest("trustaudit-state-v2")
        digest.add("parser", String(WorkflowParser.version))
        for manifest in manifests.sorted(by: { $0.fullName < $1.fullName }) {
            digest.add("repository", manifest.fullName, manifest.source, manifest.headCommit ?? "")
            for file in manifest.files.sorted(by: { $0.path < $1.path }) {
                digest.add("file", file.path, file.hash ?? "", file.readError ?? "", file.kind.rawValue)
            }
            for problem in manifest.problems {
                digest.add("problem", problem.path, problem.message)
            }
        }
        digest.add(["stages"] + stages.map(\.signature))
        return digest.hex
    }

    /// A workflow file ready to store: hashed, and parsed if its content is new.
    struct PreparedFile: Sendable {
        var path: String
        var hash: String?
        var bytes: [UInt8]?
        /// The parsed facts, as rows to store.
        var result: WorkflowFactRows?
        var readError: String?
        var kind: WorkflowFileKind = .workflow
        /// Not parsed because it went over a limit (`readError` says which).
        var overLimit = false
        /// Where a file read from disk lies, for the `FileStampCache`.
        var origin: DiskOrigin?
    }

    /// Hashes every file and parses those not `known`, on large-stack threads (see `LargeStackRunner`).
    static func prepare(_ snapshots: [RepositorySnapshot], known: Set<String>,
                        maxExpandedBytes: Int = ScanLimits.defaultMaxExpandedBytes) -> [[PreparedFile]] {
        LargeStackRunner.map(snapshots, threads: ProcessInfo.processInfo.activeProcessorCount) { snapshot in
            snapshot.files.map { file -> PreparedFile in
                if let hash = file.unchangedHash { return PreparedFile(path: file.path, hash: hash, kind: file.kind) }
                switch file.content {
                case .failure(let failure):
                    return PreparedFile(path: file.path, readError: failure.description, kind: file.kind)
                case .success(let bytes):
                    let hash = SHA256.hex(bytes)
                    if known.contains(hash) { return PreparedFile(path: file.path, hash: hash, kind: file.kind, origin: file.origin) }
                    let parsed = file.kind == .action
                        ? ActionManifestParser.parse(bytes: bytes)
                        : WorkflowParser.parse(bytes: bytes, maxExpandedBytes: maxExpandedBytes)
                    if case .failed(let failure) = parsed, failure.limit != nil {
                        // Over a limit: not stored by content (another limit may read it), and listed
                        // in the scan's coverage like a file that could not be read.
                        return PreparedFile(path: file.path, readError: failure.description, kind: file.kind, overLimit: true)
                    }
                    return PreparedFile(path: file.path, hash: hash, bytes: bytes, result: WorkflowFactRows(parsed), kind: file.kind,
                                        origin: file.origin)
                }
            }
        }
    }
}

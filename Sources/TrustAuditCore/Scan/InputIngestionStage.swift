import Foundation
import GRDB

/// Reads the GitHub settings and Octopus exports given to a scan into its tables.
///
/// A document that cannot be read is recorded in `scan_inputs` with the reason and the scan goes
/// on; problems inside a readable document (a wrong shape, a duplicate id) are recorded in
/// `scan_input_problems` while the rest of the document is still used.
public struct InputIngestionStage: ScanStage {
    public let name = "ingest"
    public let githubSettings: [InputDocument]
    public let octopus: [InputDocument]
    /// The SHA-256 of each document's bytes, in the same order: the signature, the documents'
    /// rows and the comparison with an earlier scan all need them.
    private let githubSettingsHashes: [String]
    private let octopusHashes: [String]

    public init(githubSettings: [InputDocument], octopus: [InputDocument]) {
        self.githubSettings = githubSettings
        self.octopus = octopus
        // In parallel: an organization's settings are a document per repository.
        githubSettingsHashes = ParallelMap.map(githubSettings) { SHA256.hex([UInt8]($0.data)) }
        octopusHashes = octopus.map { SHA256.hex([UInt8]($0.data)) }
    }

    public var signature: String {
        var digest = StateDigest("ingest-v2")
        for (kind, documents, hashes) in [("github", githubSettings, githubSettingsHashes), ("octopus", octopus, octopusHashes)] {
            for (document, hash) in zip(documents, hashes) {
                digest.add(kind, document.name, hash, document.readError ?? "")
            }
        }
        return digest.hex
    }

    /// Bump when what a settings document's or an Octopus export's rows are made from changes
    /// (their decoding or their store), so rows ingested before the change are not copied after it
    /// (see `ingestBase`, which both copies require to be unchanged).
    static let settingsRowsVersion = 1

    public func run(_ db: Database, scanID: Int64) throws {
        var repositories: [RepositorySettingsSource] = []
        var organizations: [String: GitHubOrganizationSettings] = [:]
        let hashes = githubSettingsHashes
        let earlier = try EarlierSettings.find(db, documents: githubSettings, hashes: hashes)
        // Decoding is independent per document (an organization may export one per repository),
        // so it runs in parallel; rows are written in document order. A repository document an
        // earlier scan read byte for byte is decoded only if its rows cannot be copied after all.
        let decoded: [Result<GitHubSettingsExport, any Error>?] = ParallelMap.map(Array(githubSettings.indices)) { index in
            earlier?.reusable[index] == nil ? Self.decode(githubSettings[index]) : nil
        }
        let organizationDocuments = zip(githubSettings.indices, decoded).compactMap { index, result -> (String, String)? in
            guard case .organization? = (try? result?.get())?.document else { return nil }
            return (githubSettings[index].name, hashes[index])
        }
        var base = StateDigest("ingest-base-v1")
        base.add(ToolVersion.current, "settings-rows-\(Self.settingsRowsVersion)")
        for (name, hash) in organizationDocuments.sorted(by: { $0 < $1 }) { base.add(name, hash) }
        let ingestBase = base.hex
        try ScanRecords.recordIngestion(db, scanID: scanID, ingestBase: ingestBase)
        var reusable = earlier?.ingestBase == ingestBase ? earlier?.reusable ?? [:] : [:]
        // Two documents about one repository (or organization) would otherwise be read in turn, the
        // last silently winning; which one is right cannot be known, so neither is used.
        var documentsBySubject: [String: [String]] = [:]
        for (index, document) in githubSettings.enumerated() {
            if let repository = reusable[index] {
                documentsBySubject["repository " + repository.lowercased(), default: []].append(document.name)
            } else if let export = try? decoded[index]?.get() {
                documentsBySubject[Self.subjectKey(export.document), default: []].append(document.name)
            }
        }
        for (index, document) in githubSettings.enumerated() {
            if let repository = reusable[index] {
                if documentsBySubject["repository " + repository.lowercased()]?.count ?? 0 > 1 {
                    reusable[index] = nil
                } else {
                    try ScanInputStore.recordStored(db, scanID: scanID, kind: "github-settings", name: document.name, hash: hashes[index],
                                                    subject: repository)
                    repositories.append(.copied(repository))
                    continue
                }
            }
            do {
                let export = try (decoded[index] ?? Self.decode(document)).get()
                let key = Self.subjectKey(export.document)
                if let names = documentsBySubject[key], names.count > 1 {
                    let others = names.filter { $0 != document.name }
                    try record(db, scanID: scanID, kind: "github-settings", document: document, hash: hashes[index], subject: Self.subject(export.document),
                               error: "\(Self.subject(export.document)) is also described by \(others.joined(separator: ", ")); neither document is used until one is removed")
                    continue
                }
                switch export.document {
                case .repository(let settings):
                    repositories.append(.decoded(settings))
                    try record(db, scanID: scanID, kind: "github-settings", document: document, hash: hashes[index], subject: settings.repository, error: nil)
                case .organization(let settings):
                    organizations[settings.organization.lowercased()] = settings
                    try SettingsStore.insert(organization: settings, scanID: scanID, db: db)
                    try record(db, scanID: scanID, kind: "github-settings", document: document, hash: hashes[index], subject: settings.organization, error: nil)
                }
                try recordProblems(db, scanID: scanID, kind: "github-settings", problems: export.problems)
            } catch {
                try record(db, scanID: scanID, kind: "github-settings", document: document, hash: hashes[index], subject: nil, error: "\(error)")
            }
        }
        let scanned = try SnapshotStore.repositoryIDs(db, scanID: scanID)
        // Copied rows are written first, in a few statements; each repository's rows keep their
        // order, which is all a query can see of it.
        let copied = repositories.compactMap { source -> String? in
            if case .copied(let name) = source { return name }
            return nil
        }
        var copiedDefaults: [String: (defaultBranch: String?, visibility: String?, defaultPermissions: String?)] = [:]
        if let earlier, !copied.isEmpty {
            try SettingsStore.copyRepositories(copied, from: earlier.scanID, to: scanID, db: db)
            copiedDefaults = try SettingsStore.repositoryDefaults(db, scanID: earlier.scanID)
        }
        for source in repositories {
            let organization = organizations[String(source.repository.split(separator: "/").first ?? "").lowercased()]
            let own: (defaultBranch: String?, visibility: String?, defaultPermissions: String?)
            switch source {
            case .decoded(let settings):
                let template = SubjectClaimTemplate.effective(
                    repository: settings.oidcSubjectClaim, organization: organization?.oidcSubjectClaim,
                    ownerId: settings.ownerId, repositoryId: settings.repositoryId)
                try SettingsStore.insert(repository: settings, template: template, scanID: scanID, db: db)
                own = (settings.defaultBranch, settings.visibility, settings.workflowPermissions?.defaultWorkflowPermissions)
            case .copied(let name):
                own = copiedDefaults[name] ?? (nil, nil, nil)
            }
            if let id = scanned[source.repository.lowercased()] {
                try SnapshotStore.applySettings(db, repositoryID: id, defaultBranch: own.defaultBranch, visibility: own.visibility,
                                                defaultPermissions: own.defaultPermissions
                                                    ?? organization?.workflowPermissions?.defaultWorkflowPermissions)
            }
        }
        // Organization defaults reach repositories that had no settings file of their own. Owners
        // are matched as every other name is, lower-cased by Swift: SQLite's lower() and LIKE fold
        // ASCII only, and LIKE reads `_` in an owner's name as any character.
        for (owner, organization) in organizations {
            guard let permissions = organization.workflowPermissions?.defaultWorkflowPermissions else { continue }
            let prefix = Array((owner + "/").utf8)
            let owned = scanned.filter { $0.key.utf8.starts(with: prefix) }.map(\.value).sorted()
            try SnapshotStore.applyOrganizationDefault(db, repositoryIDs: owned, defaultPermissions: permissions)
        }
        var servers = Set<String>()
        let earlierExports = try EarlierOctopusExports.find(db, documents: octopus, hashes: octopusHashes, ingestBase: ingestBase)
        for (index, (document, hash)) in zip(octopus, octopusHashes).enumerated() {
            do {
                if let readError = document.readError { throw DocumentReadError(reason: readError) }
                if let earlierExports, let server = earlierExports.reusable[index], servers.insert(server).inserted {
                    try OctopusStore.copy(server: server, from: earlierExports.scanID, to: scanID, db: db)
                    try ScanInputStore.recordStored(db, scanID: scanID, kind: "octopus", name: document.name, hash: hash, subject: server)
                    continue
                }
                let instance = try OctopusExport.decode(document.data, file: document.name)
                guard servers.insert(instance.server).inserted else {
                    try record(db, scanID: scanID, kind: "octopus", document: document, hash: hash, subject: instance.server,
                               error: "another export for \(instance.server) was already read in this scan; this one was skipped")
                    continue
                }
                try OctopusStore.insert(instance, scanID: scanID, db: db)
                try record(db, scanID: scanID, kind: "octopus", document: document, hash: hash, subject: instance.server, error: nil)
                try recordProblems(db, scanID: scanID, kind: "octopus", problems: instance.problems)
            } catch {
                try record(db, scanID: scanID, kind: "octopus", document: document, hash: hash, subject: nil, error: "\(error)")
            }
        }
    }

    private static func subject(_ document: GitHubSettingsExport.Document) -> String {
        switch document {
        case .repository(let settings): return settings.repository
        case .organization(let settings): return settings.organization
        }
    }

    private static func subjectKey(_ document: GitHubSettingsExport.Document) -> String {
        switch document {
        case .repository(let settings): return "repository " + settings.repository.lowercased()
        case .organization(let settings): return "organization " + settings.organization.lowercased()
        }
    }

    private func record(_ db: Database, scanID: Int64, kind: String, document: InputDocument, hash: String, subject: String?,
                        error: String?) throws {
        try ScanInputStore.record(db, scanID: scanID, kind: kind, name: document.name, data: document.data, hash: hash, subject: subject,
                                  error: error)
    }

    private static func decode(_ document: InputDocument) -> Result<GitHubSettingsExport, any Error> {
        Result {
            if let readError = document.readError { throw DocumentReadError(reason: readError) }
            return try GitHubSettingsExport.decode(document.data, file: document.name)
        }
    }

    private func recordProblems(_ db: Database, scanID: Int64, kind: String, problems: [ExportProblem]) throws {
        for problem in problems {
            try ScanInputStore.recordProblem(db, scanID: scanID, kind: kind, document: problem.file, path: problem.path, message: problem.message)
        }
    }
}

/// Where a repository's settings rows come from: its document, decoded, or an earlier scan that
/// read the same document.
private enum RepositorySettingsSource {
    case decoded(GitHubRepositorySettings)
    case copied(String)

    /// The repository, as its settings document names it.
    var repository: String {
        switch self {
        case .decoded(let settings): settings.repository
        case .copied(let name): name
        }
    }
}

/// An export file that could not be read at all; its text is the coverage row's reason.
struct DocumentReadError: Error, CustomStringConvertible {
    var reason: String

    var description: String { reason }
}

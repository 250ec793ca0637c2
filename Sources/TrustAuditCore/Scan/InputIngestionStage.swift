import Foundation
import GRDB

/// Reads the GitHub settings and Octopus exports given to a scan into its tables.
///
/// A document that cannot be read is recorded in `scan_inputs` with the reason and the scan goes
/// on; problems inside a readable document (a wrong shape, a duplicate id) are recorded in
/// `scan_input_problems` while the rest of the document is still used.
public struct InputIngestionStage: ScanStage {
    public let name = "ingest"
    public var githubSettings: [InputDocument]
    public var octopus: [InputDocument]

    public init(githubSettings: [InputDocument], octopus: [InputDocument]) {
        self.githubSettings = githubSettings
        self.octopus = octopus
    }

    public var signature: String {
        var digest = StateDigest("ingest-v2")
        for (kind, documents) in [("github", githubSettings), ("octopus", octopus)] {
            for document in documents {
                digest.add(kind, document.name, SHA256.hex([UInt8](document.data)), document.readError ?? "")
            }
        }
        return digest.hex
    }

    public func run(_ db: Database, scanID: Int64) throws {
        var repositories: [GitHubRepositorySettings] = []
        var organizations: [String: GitHubOrganizationSettings] = [:]
        // Decoding is independent per document (an organization may export one per repository),
        // so it runs in parallel; rows are written in document order.
        let decoded = ParallelMap.map(githubSettings) { document in
            Result {
                if let readError = document.readError { throw DocumentReadError(reason: readError) }
                return try GitHubSettingsExport.decode(document.data, file: document.name)
            }
        }
        // Two documents about one repository (or organization) would otherwise be read in turn, the
        // last silently winning; which one is right cannot be known, so neither is used.
        var documentsBySubject: [String: [String]] = [:]
        for (document, result) in zip(githubSettings, decoded) {
            guard let export = try? result.get() else { continue }
            documentsBySubject[Self.subjectKey(export.document), default: []].append(document.name)
        }
        for (document, result) in zip(githubSettings, decoded) {
            do {
                let export = try result.get()
                let key = Self.subjectKey(export.document)
                if let names = documentsBySubject[key], names.count > 1 {
                    let others = names.filter { $0 != document.name }
                    try record(db, scanID: scanID, kind: "github-settings", document: document, subject: Self.subject(export.document),
                               error: "\(Self.subject(export.document)) is also described by \(others.joined(separator: ", ")); neither document is used until one is removed")
                    continue
                }
                switch export.document {
                case .repository(let settings):
                    repositories.append(settings)
                    try record(db, scanID: scanID, kind: "github-settings", document: document, subject: settings.repository, error: nil)
                case .organization(let settings):
                    organizations[settings.organization.lowercased()] = settings
                    try SettingsStore.insert(organization: settings, scanID: scanID, db: db)
                    try record(db, scanID: scanID, kind: "github-settings", document: document, subject: settings.organization, error: nil)
                }
                try recordProblems(db, scanID: scanID, kind: "github-settings", problems: export.problems)
            } catch {
                try record(db, scanID: scanID, kind: "github-settings", document: document, subject: nil, error: "\(error)")
            }
        }
        let scanned = try SnapshotStore.repositoryIDs(db, scanID: scanID)
        for settings in repositories {
            let owner = String(settings.repository.split(separator: "/").first ?? "").lowercased()
            let organization = organizations[owner]
            let template = SubjectClaimTemplate.effective(
                repository: settings.oidcSubjectClaim, organization: organization?.oidcSubjectClaim,
                ownerId: settings.ownerId, repositoryId: settings.repositoryId)
            try SettingsStore.insert(repository: settings, template: template, scanID: scanID, db: db)
            let defaultPermissions = settings.workflowPermissions?.defaultWorkflowPermissions
                ?? organization?.workflowPermissions?.defaultWorkflowPermissions
            if let id = scanned[settings.repository.lowercased()] {
                try SnapshotStore.applySettings(db, repositoryID: id, defaultBranch: settings.defaultBranch, visibility: settings.visibility,
                                                defaultPermissions: defaultPermissions)
            }
        }
        // Organization defaults reach repositories that had no settings file of their own.
        for (owner, organization) in organizations {
            guard let permissions = organization.workflowPermissions?.defaultWorkflowPermissions else { continue }
            try SnapshotStore.applyOrganizationDefault(db, scanID: scanID, owner: owner, defaultPermissions: permissions)
        }
        var servers = Set<String>()
        for document in octopus {
            do {
                if let readError = document.readError { throw DocumentReadError(reason: readError) }
                let instance = try OctopusExport.decode(document.data, file: document.name)
                guard servers.insert(instance.server).inserted else {
                    try record(db, scanID: scanID, kind: "octopus", document: document, subject: instance.server,
                               error: "another export for \(instance.server) was already read in this scan; this one was skipped")
                    continue
                }
                try OctopusStore.insert(instance, scanID: scanID, db: db)
                try record(db, scanID: scanID, kind: "octopus", document: document, subject: instance.server, error: nil)
                try recordProblems(db, scanID: scanID, kind: "octopus", problems: instance.problems)
            } catch {
                try record(db, scanID: scanID, kind: "octopus", document: document, subject: nil, error: "\(error)")
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

    private func record(_ db: Database, scanID: Int64, kind: String, document: InputDocument, subject: String?, error: String?) throws {
        try ScanInputStore.record(db, scanID: scanID, kind: kind, name: document.name, data: document.data, subject: subject, error: error)
    }

    private func recordProblems(_ db: Database, scanID: Int64, kind: String, problems: [ExportProblem]) throws {
        for problem in problems {
            try ScanInputStore.recordProblem(db, scanID: scanID, kind: kind, document: problem.file, path: problem.path, message: problem.message)
        }
    }
}

/// An export file that could not be read at all; its text is the coverage row's reason.
struct DocumentReadError: Error, CustomStringConvertible {
    var reason: String

    var description: String { reason }
}

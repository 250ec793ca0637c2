import Foundation

/// Reads an Octopus export file (README, "The trust graph"): the REST bodies of `users`, `oidc_identities`,
/// `api_keys` and `permissions` with Octopus's own PascalCase names, keyed by `Users-N`.
///
/// Only a file that is unreadable, not JSON, or has no `server` fails as a whole; anything else
/// becomes an ``ExportProblem`` and the remaining accounts still load.
public enum OctopusExport {
    /// Reads and decodes the file at `url`; problems name it by `url.path`.
    public static func load(contentsOf url: URL) throws(OctopusExportError) -> OctopusInstance {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try decode(data, file: url.path)
    }

    /// Decodes one export document. `file` is only used in problems and errors.
    public static func decode(_ data: Data, file: String) throws(OctopusExportError) -> OctopusInstance {
        let root: Any
        var decoder = Decoder(reader: JSONTreeReader(file: file))
        do {
            root = try JSONDocument.parse(data, reader: &decoder.reader)
        } catch {
            throw .malformedJSON(file: file, line: error.line, column: error.column, detail: error.detail)
        }
        guard let document = root as? [String: Any] else {
            throw .notAnObject(file: file, found: JSONTreeReader.typeName(root))
        }
        guard let server = document["server"] as? String else {
            throw .invalidServer(file: file, found: document["server"].map(JSONTreeReader.typeName) ?? "nothing")
        }
        decoder.reader.checkKeys(document, known: Keys.document, at: "")
        let accounts = decoder.accounts(document)
        return OctopusInstance(file: file, server: server, serviceAccounts: accounts, problems: decoder.reader.problems)
    }

    /// Keys the decoder reads or knowingly ignores; anything else is reported as unknown.
    /// Ignored ones are fields Octopus returns that say nothing about trust, as its API
    /// describes its resources: every resource carries `Id`, `LastModifiedBy`, `LastModifiedOn`
    /// and `Links`; a team reference of a permission set also says how the account is in the
    /// team (`IsDirectlyAssigned`, `ExternalSecurityGroups`, formerly `ExternalGroupNames`),
    /// which does not change what the team grants.
    enum Keys {
        static let resource: Set = ["Id", "LastModifiedBy", "LastModifiedOn", "Links"]
        static let document: Set = ["server", "users", "oidc_identities", "api_keys", "permissions"]
        static let collection: Set = ["Items", "TotalResults", "ItemsPerPage", "ItemType", "NumberOfPages", "LastPageNumber", "Links"]
        static let user: Set<String> = resource.union([
            "Username", "DisplayName", "IsService", "IsActive", "ServiceAccountType", "EmailAddress",
            "CanPasswordBeEdited", "IsRequestor", "Identities", "ModifiedOn", "ModifiedBy", "SpaceId",
        ])
        static let identities: Set = ["Count", "ExternalId", "ServerUrl", "OidcIdentities", "Links"]
        static let identity: Set<String> = resource.union(["Name", "ServiceAccountId", "Issuer", "Subject", "Audience", "SpaceId"])
        static let apiKey: Set<String> = resource.union(["Purpose", "UserId", "Created", "Expires", "ApiKey"])
        static let permissions: Set<String> = resource.union(["SystemPermissions", "SpacePermissions", "Teams", "IsPermissionsComplete", "IsTeamsComplete"])
        static let team: Set<String> = resource.union(["Name", "SpaceId", "IsDirectlyAssigned", "ExternalSecurityGroups", "ExternalGroupNames"])
    }

    private struct Decoder {
        var reader: JSONTreeReader
        /// Identity ids are global in Octopus, so duplicates are checked across accounts.
        var seenIdentityIds: Set<String> = []

        mutating func accounts(_ document: [String: Any]) -> [OctopusServiceAccount] {
            var order: [String] = []
            var byId: [String: OctopusServiceAccount] = [:]

            if let users = reader.object(document, "users", at: "") {
                reader.checkKeys(users, known: Keys.collection, at: "users")
                let items = reader.array(users, "Items", at: "users", required: true) ?? []
                if let total = reader.int(users, "TotalResults", at: "users"), total > items.count {
                    reader.record("users.TotalResults", .invalidValue(
                        "\(total) users reported but \(items.count) exported; the export is missing pages"))
                }
                for (index, item) in items.enumerated() {
                    let path = JSONTreeReader.path("users.Items", index)
                    guard let user = reader.object(item, at: path) else { continue }
                    reader.checkKeys(user, known: Keys.user, at: path)
                    guard let id = reader.string(user, "Id", at: path, required: true) else { continue }
                    // The list is fetched with isServiceAccount=true; a person who slipped in
                    // cannot hold OIDC identities, so it is left out rather than mislabelled.
                    if reader.bool(user, "IsService", at: path) == false { continue }
                    if byId[id] != nil {
                        reader.record(JSONTreeReader.path(path, "Id"), .duplicateId(id))
                        continue
                    }
                    order.append(id)
                    byId[id] = OctopusServiceAccount(
                        id: id,
                        username: reader.string(user, "Username", at: path, required: true),
                        displayName: reader.string(user, "DisplayName", at: path),
                        isActive: reader.bool(user, "IsActive", at: path),
                        serviceAccountType: reader.string(user, "ServiceAccountType", at: path))
                }
            }

            // Sections keyed by account id: an id missing from `users` still gets an account so
            // its identities are not lost (the users list may be a stale or partial page).
            func account(_ id: String) -> OctopusServiceAccount {
                if let existing = byId[id] { return existing }
                return OctopusServiceAccount(id: id)
            }
            var extra: Set<String> = []
            func store(_ value: OctopusServiceAccount) {
                if byId[value.id] == nil { extra.insert(value.id) }
                byId[value.id] = value
            }

            if let section = reader.object(document, "oidc_identities", at: "") {
                for id in section.keys.sorted() {
                    let path = JSONTreeReader.path("oidc_identities", id)
                    guard let body = reader.object(section[id]!, at: path) else { continue }
                    var value = account(id)
                    decodeIdentities(body, into: &value, at: path)
                    store(value)
                }
            }
            if let section = reader.object(document, "api_keys", at: "") {
                for id in section.keys.sorted() {
                    let path = JSONTreeReader.path("api_keys", id)
                    guard let body = reader.object(section[id]!, at: path) else { continue }
                    var value = account(id)
                    value.apiKeys = apiKeys(body, at: path)
                    store(value)
                }
            }
            if let section = reader.object(document, "permissions", at: "") {
                for id in section.keys.sorted() {
                    let path = JSONTreeReader.path("permissions", id)
                    guard let body = reader.object(section[id]!, at: path) else { continue }
                    var value = account(id)
                    value.permissions = permissions(body, at: path)
                    store(value)
                }
            }
            return (order + extra.sorted()).map { byId[$0]! }
        }

        mutating func decodeIdentities(_ body: [String: Any], into account: inout OctopusServiceAccount, at path: String) {
            reader.checkKeys(body, known: Keys.identities, at: path)
            if let external = reader.string(body, "ExternalId", at: path, required: true) {
                if let uuid = UUID(uuidString: external) {
                    account.externalId = uuid
                } else {
                    reader.record(JSONTreeReader.path(path, "ExternalId"), .invalidValue("\"\(external)\" is not a GUID"))
                }
            }
            guard let items = reader.array(body, "OidcIdentities", at: path, required: true) else { return }
            if let count = reader.int(body, "Count", at: path), count != items.count {
                reader.record(JSONTreeReader.path(path, "Count"), .invalidValue(
                    "Count is \(count) but \(items.count) identities were exported; the export is missing pages"))
            }
            let listPath = JSONTreeReader.path(path, "OidcIdentities")
            for (index, item) in items.enumerated() {
                let itemPath = JSONTreeReader.path(listPath, index)
                guard let object = reader.object(item, at: itemPath) else { continue }
                reader.checkKeys(object, known: Keys.identity, at: itemPath)
                let id = reader.string(object, "Id", at: itemPath, required: true)
                let issuer = reader.string(object, "Issuer", at: itemPath, required: true)
                let subject = reader.string(object, "Subject", at: itemPath, required: true)
                let name = reader.string(object, "Name", at: itemPath)
                let audience = reader.string(object, "Audience", at: itemPath)
                if let owner = reader.string(object, "ServiceAccountId", at: itemPath), owner != account.id {
                    reader.record(JSONTreeReader.path(itemPath, "ServiceAccountId"), .invalidValue(
                        "identity belongs to \(owner) but is listed under \(account.id)"))
                }
                guard let id, let issuer, let subject else { continue }
                guard seenIdentityIds.insert(id).inserted else {
                    reader.record(JSONTreeReader.path(itemPath, "Id"), .duplicateId(id))
                    continue
                }
                // Octopus is .NET: its length limit counts UTF-16 code units.
                let length = subject.utf16.count
                if length > octopusMaximumSubjectLength {
                    // Kept: the identity exists in the export, and hiding it would hide trust.
                    reader.record(JSONTreeReader.path(itemPath, "Subject"), .subjectTooLong(length: length))
                }
                account.identities.append(
                    OctopusOidcIdentity(id: id, name: name, issuer: issuer, subject: subject, audience: audience))
            }
        }

        mutating func apiKeys(_ body: [String: Any], at path: String) -> [OctopusApiKey]? {
            reader.checkKeys(body, known: Keys.collection, at: path)
            guard let items = reader.array(body, "Items", at: path, required: true) else { return nil }
            var keys: [OctopusApiKey] = []
            let listPath = JSONTreeReader.path(path, "Items")
            for (index, item) in items.enumerated() {
                let itemPath = JSONTreeReader.path(listPath, index)
                guard let object = reader.object(item, at: itemPath) else { continue }
                reader.checkKeys(object, known: Keys.apiKey, at: itemPath)
                guard let id = reader.string(object, "Id", at: itemPath, required: true) else { continue }
                keys.append(OctopusApiKey(
                    id: id, purpose: reader.string(object, "Purpose", at: itemPath),
                    created: reader.string(object, "Created", at: itemPath),
                    expires: reader.string(object, "Expires", at: itemPath)))
            }
            return keys
        }

        mutating func permissions(_ body: [String: Any], at path: String) -> OctopusPermissions {
            reader.checkKeys(body, known: Keys.permissions, at: path)
            if reader.bool(body, "IsPermissionsComplete", at: path) == false {
                // Octopus shows only what the collecting key may see of another account's teams.
                reader.record(JSONTreeReader.path(path, "IsPermissionsComplete"), .invalidValue(
                    "Octopus reports this account's permissions as incomplete (IsPermissionsComplete: false): the API key that "
                    + "collected them cannot see all of them, so the account is only partly covered; collect with a key that can view every team"))
            }
            let system = reader.strings(body, "SystemPermissions", at: path) ?? []
            var space: [String: [OctopusPermissionScope]] = [:]
            if let grants = reader.object(body, "SpacePermissions", at: path) {
                let grantsPath = JSONTreeReader.path(path, "SpacePermissions")
                for permission in grants.keys.sorted() {
                    guard let scopes = reader.array(grants, permission, at: grantsPath) else { continue }
                    let scopesPath = JSONTreeReader.path(grantsPath, permission)
                    space[permission] = scopes.enumerated().compactMap { index, element in
                        let scopePath = JSONTreeReader.path(scopesPath, index)
                        guard let scope = reader.object(element, at: scopePath) else { return nil }
                        return permissionScope(scope, at: scopePath)
                    }
                }
            }
            var teams: [OctopusTeamReference] = []
            if let list = reader.array(body, "Teams", at: path) {
                let listPath = JSONTreeReader.path(path, "Teams")
                for (index, element) in list.enumerated() {
                    let teamPath = JSONTreeReader.path(listPath, index)
                    guard let team = reader.object(element, at: teamPath) else { continue }
                    reader.checkKeys(team, known: Keys.team, at: teamPath)
                    guard let id = reader.string(team, "Id", at: teamPath, required: true) else { continue }
                    teams.append(OctopusTeamReference(id: id, name: reader.string(team, "Name", at: teamPath)))
                }
            }
            return OctopusPermissions(systemPermissions: system, spacePermissions: space, teams: teams)
        }

        mutating func permissionScope(_ scope: [String: Any], at path: String) -> OctopusPermissionScope {
            var restrictions: [String: [String]] = [:]
            // Octopus adds restriction kinds over time; every RestrictedTo…Ids list is kept.
            for key in scope.keys.sorted() where key.hasPrefix("RestrictedTo") && key.hasSuffix("Ids") {
                let kind = String(key.dropFirst("RestrictedTo".count).dropLast("Ids".count))
                restrictions[kind] = reader.strings(scope, key, at: path) ?? []
            }
            return OctopusPermissionScope(spaceId: reader.string(scope, "SpaceId", at: path), restrictions: restrictions)
        }
    }
}

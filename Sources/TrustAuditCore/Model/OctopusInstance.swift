import Foundation

/// One Octopus Deploy instance as read from an export file: its service accounts with their
/// OIDC identities and, where exported, API keys and permissions.
public struct OctopusInstance: Sendable, Equatable {
    /// The export file this came from, as given to the decoder.
    public var file: String
    /// The instance's URL (`server`), which identifies it across scans.
    public var server: String
    /// Service accounts, in the order of `users.Items`, followed by accounts that appear only
    /// under `oidc_identities` (sorted by id).
    public var serviceAccounts: [OctopusServiceAccount]
    /// Everything that was skipped or looked wrong while loading.
    public var problems: [OctopusExportProblem]

    public init(file: String, server: String, serviceAccounts: [OctopusServiceAccount], problems: [OctopusExportProblem]) {
        self.file = file
        self.server = server
        self.serviceAccounts = serviceAccounts
        self.problems = problems
    }
}

/// An Octopus service account (`Users-N`).
public struct OctopusServiceAccount: Sendable, Equatable {
    /// `Users-N`: Octopus's own key; not what a workflow names.
    public var id: String
    /// The GUID a workflow puts in `service_account_id` and the default token audience. Nil when
    /// the account has no `oidc_identities` entry or the value is not a GUID.
    public var externalId: UUID?
    /// Nil when the account is known only from `oidc_identities` (not in `users`).
    public var username: String?
    public var displayName: String?
    /// Nil when not exported.
    public var isActive: Bool?
    /// `ServiceAccountType` as exported (e.g. `Standard`).
    public var serviceAccountType: String?
    /// The account's OIDC identities; empty when it has none or they were not exported.
    public var identities: [OctopusOidcIdentity]
    /// Nil when `api_keys` had no entry for the account: not collected, which is not "none".
    public var apiKeys: [OctopusApiKey]?
    /// Nil when `permissions` had no entry for the account.
    public var permissions: OctopusPermissions?

    public init(
        id: String, externalId: UUID? = nil, username: String? = nil, displayName: String? = nil,
        isActive: Bool? = nil, serviceAccountType: String? = nil, identities: [OctopusOidcIdentity] = [],
        apiKeys: [OctopusApiKey]? = nil, permissions: OctopusPermissions? = nil
    ) {
        self.id = id
        self.externalId = externalId
        self.username = username
        self.displayName = displayName
        self.isActive = isActive
        self.serviceAccountType = serviceAccountType
        self.identities = identities
        self.apiKeys = apiKeys
        self.permissions = permissions
    }
}

/// One OIDC identity of a service account: a token from `issuer` whose `sub` matches `subject`
/// (Octopus wildcards) may log in as the account.
public struct OctopusOidcIdentity: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var issuer: String
    public var subject: String
    /// Nil means the account's ExternalId (Octopus's default). An empty string is kept as is:
    /// it is a broken configuration, not the default, and policies need to tell them apart.
    public var audience: String?

    public init(id: String, name: String?, issuer: String, subject: String, audience: String?) {
        self.id = id
        self.name = name
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
    }
}

/// An API key of a service account. Dates are kept as exported (ISO 8601 text) so nothing is
/// lost to a time-zone or format guess.
public struct OctopusApiKey: Sendable, Equatable {
    public var id: String
    public var purpose: String?
    public var created: String?
    /// Nil: never expires.
    public var expires: String?

    public init(id: String, purpose: String?, created: String?, expires: String?) {
        self.id = id
        self.purpose = purpose
        self.created = created
        self.expires = expires
    }
}

/// What a service account may do, from `GET /api/users/{id}/permissions`.
public struct OctopusPermissions: Sendable, Equatable {
    public var systemPermissions: [String]
    /// Permission name (e.g. `DeploymentCreate`) → the scopes it is granted in.
    public var spacePermissions: [String: [OctopusPermissionScope]]
    /// Teams the account belongs to, through which the permissions come.
    public var teams: [OctopusTeamReference]

    public init(systemPermissions: [String], spacePermissions: [String: [OctopusPermissionScope]], teams: [OctopusTeamReference]) {
        self.systemPermissions = systemPermissions
        self.spacePermissions = spacePermissions
        self.teams = teams
    }
}

/// Where one space permission applies. Empty restriction lists mean "unrestricted".
public struct OctopusPermissionScope: Sendable, Equatable {
    public var spaceId: String?
    /// Every `RestrictedTo…Ids` list, keyed by its name without the prefix and suffix
    /// (`Environment`, `Project`, `ProjectGroup`, `Tenant`, …), so new restriction kinds are kept.
    public var restrictions: [String: [String]]

    public init(spaceId: String?, restrictions: [String: [String]]) {
        self.spaceId = spaceId
        self.restrictions = restrictions
    }

    public var restrictedToEnvironmentIds: [String] { restrictions["Environment"] ?? [] }
    public var restrictedToProjectIds: [String] { restrictions["Project"] ?? [] }
}

/// A team a service account is in.
public struct OctopusTeamReference: Sendable, Equatable {
    public var id: String
    public var name: String?

    public init(id: String, name: String?) {
        self.id = id
        self.name = name
    }
}

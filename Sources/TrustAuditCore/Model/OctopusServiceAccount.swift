import Foundation

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

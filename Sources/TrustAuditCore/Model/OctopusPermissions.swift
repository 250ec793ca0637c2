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

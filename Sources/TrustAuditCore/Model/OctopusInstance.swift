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

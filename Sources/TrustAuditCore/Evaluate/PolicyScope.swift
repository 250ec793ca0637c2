/// What a policy's findings depend on, declared with `scope:` in its file. Incremental evaluation
/// relies on it: a rescan re-runs a policy only where its inputs changed and carries the other
/// findings over from the previous scan, so a wrong declaration gives wrong findings (the
/// built-in policies are checked against full evaluation by the tests).
public enum PolicyScope: String, Sendable, CaseIterable {
    /// Every row names a `repository`, and that repository's findings depend only on its own rows
    /// (workflows, settings, trust graph) and on those of repositories connected to it by
    /// reusable-workflow calls, plus the organization-wide settings and the Octopus exports.
    case repository
    /// Findings depend on the Octopus exports alone (service accounts, identities, keys,
    /// permissions), never on a repository's rows.
    case serviceAccount = "service-account"
    /// Anything else, e.g. a question about all repositories together: always re-run in full.
    case global
}

/// Whether a job's `GITHUB_TOKEN` may request an OIDC token (`id-token: write`), as the
/// `job_tokens` view states it for the job read as a workflow of its own.
enum IDTokenAccess: String, Sendable {
    /// `id-token: write`, or `write-all`.
    case write
    /// The job's permissions leave `id-token` out.
    case none
    /// The permissions are an expression, decided at run time.
    case unknown
    /// A reusable workflow's job without a permissions block of its own: it gets the caller's.
    case inherited

    /// The value as stored and shown (`job_tokens.id_token`, `derived_subjects.id_token`); an
    /// unexpected one counts as `unknown`, the cautious reading.
    init(stored: String) {
        self = IDTokenAccess(rawValue: stored) ?? .unknown
    }

    /// A job with this access may mint a token.
    var mayMint: Bool { self == .write || self == .unknown }

    /// What a called job gets when its caller grants `caller` (nil for an entry workflow's job):
    /// the called job's own block can only narrow what the caller grants.
    func effective(caller: IDTokenAccess?) -> IDTokenAccess {
        guard let caller else { return self == .inherited ? .none : self }
        switch self {
        case .none: return .none
        case .inherited: return caller
        case .write: return caller == .write ? .write : caller == .unknown ? .unknown : .none
        case .unknown: return caller == .none ? .none : .unknown
        }
    }
}

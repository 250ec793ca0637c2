/// What a `uses:` value points at, split into its parts.
///
/// `actions/checkout@v4` → owner `actions`, repo `checkout`, ref `v4` (tag);
/// `github/codeql-action/init@<sha>` → path `init`; `./.github/actions/x` → local;
/// `docker://alpine:3.20` → docker.
public struct ActionReference: Sendable, Equatable {
    public var owner: String?
    public var repo: String?
    public var path: String?
    public var ref: String?
    public var kind: RefKind

    public init(owner: String?, repo: String?, path: String?, ref: String?, kind: RefKind) {
        self.owner = owner
        self.repo = repo
        self.path = path
        self.ref = ref
        self.kind = kind
    }
}

/// How firmly a `uses:` reference is pinned.
public enum RefKind: String, Sendable, Equatable {
    /// A full 40-hex commit SHA: immutable.
    case sha
    /// Looks like a version tag (`v4`, `v1.2.3`, `2.0`): movable by whoever can push tags.
    case tag
    /// Anything else after `@` (`main`, `release/x`): moves with every push.
    case branch
    /// `./path` in the same repository: pinned by the workflow's own commit.
    case local
    /// `docker://image[:tag][@digest]`.
    case docker
    /// No `@ref` at all.
    case none
}

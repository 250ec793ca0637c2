/// One thing a scan could not fully read: an unusable settings or Octopus document, or a
/// problem inside one. Reports show these so a clean result is never mistaken for full coverage.
public struct CoverageNote: Sendable, Equatable {
    public var kind: String
    public var document: String
    public var detail: String
    /// True when the whole document was unusable, false for a problem inside a used document.
    public var unreadable: Bool

    public init(kind: String, document: String, detail: String, unreadable: Bool) {
        self.kind = kind
        self.document = document
        self.detail = detail
        self.unreadable = unreadable
    }
}

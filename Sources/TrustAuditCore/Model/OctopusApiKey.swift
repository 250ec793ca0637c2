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

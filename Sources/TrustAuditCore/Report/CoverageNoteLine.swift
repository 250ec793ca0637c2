extension CoverageNote {
    /// A line for a terminal or a log.
    public var line: String {
        "\(kind) \(TextReport.sanitize(document)): \(unreadable ? "not read: " : "")\(TextReport.sanitize(detail))"
    }
}

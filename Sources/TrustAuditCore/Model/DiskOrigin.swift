/// A file read from disk: where, and how it looked when read, so the scan can record it in the
/// `FileStampCache`.
public struct DiskOrigin: Sendable {
    /// The path as opened.
    public var path: [UInt8]
    public var stamp: FileStamp
    public var localActions: [String]
}

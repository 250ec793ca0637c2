/// The SHA-256 of a sequence of records of text fields, written so that two different sequences
/// never feed the hash the same bytes: each record starts with its field count and each field
/// with its length in bytes. Separator characters inside a field (a file name, an error message)
/// therefore cannot make one state read as another.
///
/// For digests that decide whether state is unchanged (a rescan reusing a snapshot, an
/// evaluation reusing findings). A finding's fingerprint is not one of them: its bytes are fixed
/// by every fingerprint already stored.
public struct StateDigest: Sendable, Equatable {
    private var bytes: [UInt8] = []

    public init() {}

    /// Starts with a record naming what is digested and the version of its layout.
    public init(_ tag: String) {
        add(tag)
    }

    /// Appends one record.
    public mutating func add(_ fields: String...) {
        add(fields)
    }

    /// Appends one record.
    public mutating func add(_ fields: [String]) {
        bytes += Array("\(fields.count):".utf8)
        for field in fields {
            let utf8 = Array(field.utf8)
            bytes += Array("\(utf8.count):".utf8)
            bytes += utf8
        }
    }

    /// The lowercase hex SHA-256 of everything appended.
    public var hex: String { SHA256.hex(bytes) }
}

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
        // Byte for byte what "\(count):" and the field's UTF-8 give, without a temporary array
        // per field: an unchanged rescan digests every file of the organization.
        appendCount(fields.count)
        for field in fields {
            var field = field
            field.withUTF8 { utf8 in
                appendCount(utf8.count)
                bytes.append(contentsOf: utf8)
            }
        }
    }

    /// `count` in decimal, then `:` (a number's text is short enough to need no allocation).
    private mutating func appendCount(_ count: Int) {
        bytes += String(count).utf8
        bytes.append(UInt8(ascii: ":"))
    }

    /// The lowercase hex SHA-256 of everything appended.
    public var hex: String { SHA256.hex(bytes) }
}

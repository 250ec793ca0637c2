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

    /// `count` in decimal, then `:`.
    private mutating func appendCount(_ count: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var value = count
        var length = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[buffer.count - 1 - length] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
                length += 1
            } while value > 0
            bytes.append(contentsOf: buffer[(buffer.count - length)...])
        }
        bytes.append(UInt8(ascii: ":"))
    }

    /// The lowercase hex SHA-256 of everything appended.
    public var hex: String { SHA256.hex(bytes) }
}

/// The rows of one table, packed: every value in one array and every text's bytes in one buffer.
///
/// A cold scan builds the rows of each parsed file on the parsing threads and stores them on the
/// writer. As arrays of `DatabaseValue`s, each row and each text of more than 15 bytes was an
/// allocation of its own, and the writer freed them all after storing a batch: 0.83 s of its time
/// at 10,000 repositories, for allocations made on other threads. Packed, a table's rows are
/// two allocations, whatever their number.
struct PackedRows: Sendable {
    /// One value; text is a range of `text`.
    enum Value: Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(start: Int, count: Int)
    }

    /// Values per row.
    let width: Int
    private(set) var values: [Value] = []
    private(set) var text: [UInt8] = []

    init(width: Int) {
        self.width = width
    }

    var rowCount: Int { width == 0 ? 0 : values.count / width }
    var isEmpty: Bool { values.isEmpty }

    // A row is its values appended one after another, `width` of them: a row of another width is
    // a mistake in the caller, and storing it fails with SQLite's parameter count in the message.
    // Values are appended from their own types, never through `DatabaseValue`s or an array per
    // row: building the rows of a cold scan's quarter of a million steps that way cost a third of
    // the time spent turning parse results into rows.

    mutating func appendNull() {
        values.append(.null)
    }

    mutating func append(_ value: String?) {
        guard var value else { return appendNull() }
        value.withUTF8 { appendText($0) }
    }

    mutating func append(_ value: Int?) {
        guard let value else { return appendNull() }
        values.append(.integer(Int64(value)))
    }

    mutating func append(_ value: Double?) {
        guard let value else { return appendNull() }
        values.append(.real(value))
    }

    /// As SQLite stores a boolean: 1 or 0.
    mutating func append(_ value: Bool?) {
        guard let value else { return appendNull() }
        values.append(.integer(value ? 1 : 0))
    }

    /// `value` as JSON text (compact, keys sorted: `JSONValue.jsonText`); NULL for nil.
    mutating func appendJSON(_ value: JSONValue?) {
        guard let value else { return appendNull() }
        let start = text.count
        value.write(into: &text)
        values.append(.text(start: start, count: text.count - start))
    }

    /// `map` as a JSON object of strings (`JSONValue.writeStrings`); NULL when it is empty.
    mutating func appendJSON(_ map: [String: String]) {
        guard !map.isEmpty else { return appendNull() }
        let start = text.count
        JSONValue.writeStrings(map, into: &text)
        values.append(.text(start: start, count: text.count - start))
    }

    /// `list` as a JSON array of strings (`JSONValue.writeStrings`); NULL for nil.
    mutating func appendJSON(_ list: [String]?) {
        guard let list else { return appendNull() }
        let start = text.count
        JSONValue.writeStrings(list, into: &text)
        values.append(.text(start: start, count: text.count - start))
    }

    private mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) {
        let start = text.count
        text.append(contentsOf: bytes)
        values.append(.text(start: start, count: text.count - start))
    }
}

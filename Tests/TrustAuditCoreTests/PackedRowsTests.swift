import GRDB
import Testing
@testable import TrustAuditCore

@Suite("Packed rows (workflow facts bound from one buffer)")
struct PackedRowsTests {
    private func stored(_ rows: PackedRows, leading: Int64 = 7) throws -> [[DatabaseValue]] {
        let queue = try DatabaseQueue()
        return try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (doc INTEGER, a, b, c)")
            try BoundInsert(db, sql: "INSERT INTO t (doc, a, b, c) VALUES (?, ?, ?, ?)").execute(rows, leading: leading.databaseValue)
            return try Row.fetchAll(db, sql: "SELECT doc, a, b, c FROM t ORDER BY rowid").map { row in
                (0..<4).map { row[$0] as DatabaseValue }
            }
        }
    }

    @Test("every kind of value is stored as it was given, in row order; empty text stays text, not NULL")
    func roundTrip() throws {
        var rows = PackedRows(width: 3)
        rows.append("plain")
        rows.append(42)
        rows.appendNull()
        rows.append("")
        rows.append(2.5)
        rows.append("é → 😀, a text longer than fifteen bytes")
        rows.append(String?.none)
        rows.append("${{ secrets.OCTOPUS_API_KEY }}")
        rows.append(true)
        #expect(rows.rowCount == 3)
        let expected: [[DatabaseValue]] = [
            [7.databaseValue, "plain".databaseValue, 42.databaseValue, .null],
            [7.databaseValue, "".databaseValue, 2.5.databaseValue, "é → 😀, a text longer than fifteen bytes".databaseValue],
            [7.databaseValue, .null, "${{ secrets.OCTOPUS_API_KEY }}".databaseValue, 1.databaseValue],
        ]
        let read = try stored(rows)
        #expect(read == expected)
    }

    /// Stored JSON is compared and hashed as text, so it must be byte for byte what
    /// `JSONValue.jsonText` writes for the same value.
    @Test("JSON values are written as JSONValue writes them: keys sorted, escapes the same; empty maps and absent lists are NULL")
    func json() throws {
        let map = ["zeta": "last", "alpha": "a \"quoted\" \\ value\n", "mid": "line\u{2028}separator"]
        let list = ["one", "two \"2\"", ""]
        let matrix = JSONValue.object(["os": .array([.string("ubuntu-latest"), .number(3)]), "fail-fast": .bool(false)])
        var rows = PackedRows(width: 3)
        rows.appendJSON(map)
        rows.appendJSON(list)
        rows.appendJSON(matrix)
        rows.appendJSON([String: String]())
        rows.appendJSON([String]?.none)
        rows.appendJSON(JSONValue?.none)
        let expected: [[DatabaseValue]] = [
            [7.databaseValue, JSONValue.object(map.mapValues(JSONValue.string)).jsonText.databaseValue, JSONValue.array(list.map(JSONValue.string)).jsonText.databaseValue,
             matrix.jsonText.databaseValue],
            [7.databaseValue, .null, .null, .null],
        ]
        let read = try stored(rows)
        #expect(read == expected)
        #expect(JSONValue.object(map.mapValues(JSONValue.string)).jsonText.hasPrefix("{\"alpha\":"))
    }

    @Test("no rows store nothing")
    func empty() throws {
        let read = try stored(PackedRows(width: 3))
        #expect(read.isEmpty)
    }

    @Test("rows of the wrong width are refused with SQLite's parameter count, not stored misaligned")
    func wrongWidth() throws {
        var short = PackedRows(width: 3)
        short.append("a")
        short.append("b")
        #expect(throws: DatabaseError.self) { try stored(short) }
        var narrow = PackedRows(width: 2)
        narrow.append("a")
        narrow.append("b")
        #expect(throws: DatabaseError.self) { try stored(narrow) }
    }
}

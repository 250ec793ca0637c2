import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// Bulk writes bind values straight to SQLite; every kind of value must arrive as it was given.
@Suite("bound inserts")
struct BoundInsertTests {
    @Test("every value kind round-trips: empty text stays text, empty blobs stay blobs, NULL stays NULL")
    func roundTrip() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER, a, b, c, d, e, f)")
            let insert = try BoundInsert(db, sql: "INSERT INTO t (k, a, b, c, d, e, f) VALUES (?, ?, ?, ?, ?, ?, ?)")
            try insert.execute(["".databaseValue, "é → \u{0}x".databaseValue, Data().databaseValue, Data([0, 1, 2]).databaseValue, DatabaseValue.null, 2.5.databaseValue],
                               leading: 7.databaseValue)
            try insert.execute([1.databaseValue, 2.databaseValue, 3.databaseValue, 4.databaseValue, 5.databaseValue, 6.databaseValue],
                               leading: 8.databaseValue)
            let row = try #require(try Row.fetchOne(db, sql: "SELECT k, a, typeof(a) AS ta, hex(b) AS b, c, typeof(c) AS tc, d, e, typeof(e) AS te, f FROM t WHERE k = 7"))
            #expect(row["k"] as Int64? == 7)
            #expect(row["a"] as String? == "")
            #expect(row["ta"] as String? == "text")
            // Text is bound with its length, so a NUL inside it is kept (GRDB reads text up to a NUL).
            let checked1 = row["b"] as String? == Data("é → \u{0}x".utf8).map { String(format: "%02X", $0) }.joined()
            #expect(checked1)
            #expect(row["tc"] as String? == "blob")
            #expect(row["d"] as Data? == Data([0, 1, 2]))
            #expect(row["te"] as String? == "null")
            #expect(row["f"] as Double? == 2.5)
            #expect(try Int.fetchOne(db, sql: "SELECT sum(a + b + c + d + e + f) FROM t WHERE k = 8") == 21)
        }
    }

    @Test("a wrong number of values and a constraint failure are errors, and the statement stays usable")
    func errors() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            let insert = try BoundInsert(db, sql: "INSERT INTO t (k, v) VALUES (?, ?)")
            #expect(throws: DatabaseError.self) { try insert.execute([1.databaseValue]) }
            try insert.execute([1.databaseValue, "one".databaseValue])
            #expect(throws: DatabaseError.self) { try insert.execute([1.databaseValue, "again".databaseValue]) }
            #expect(throws: DatabaseError.self) { try insert.execute([2.databaseValue, DatabaseValue.null]) }
            try insert.execute([2.databaseValue, "two".databaseValue])
            #expect(try String.fetchAll(db, sql: "SELECT v FROM t ORDER BY k") == ["one", "two"])
        }
    }
}

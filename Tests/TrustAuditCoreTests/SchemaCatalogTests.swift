import Foundation
import Testing
@testable import TrustAuditCore

@Suite("Schema catalog (the shell's .tables and completion)")
struct SchemaCatalogTests {
    @Test("views come before tables, each by name, without SQLite's or GRDB's own; .tables shows the same rows")
    func tablesAndViews() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let entries = try database.pool.read { db in try SchemaCatalog.tablesAndViews(db) }
            let tables = entries.filter { $0.type == "table" }.map(\.name)
            let views = entries.filter { $0.type == "view" }.map(\.name)
            #expect(entries.map(\.type) == Array(repeating: "view", count: views.count) + Array(repeating: "table", count: tables.count))
            #expect(tables == tables.sorted() && views == views.sorted())
            #expect(tables.contains("scans") && views.contains("trust_graph"))
            let checked1 = !entries.contains { $0.name.hasPrefix("sqlite_") || $0.name == "grdb_migrations" }
            #expect(checked1)

            let session = try ShellSession(database: database, writable: false)
            _ = session.handle(".mode csv")
            let lines = session.handle(".tables").split(whereSeparator: \.isNewline).map(String.init)
            let checked2 = lines == ["type,name"] + entries.map { "\($0.type),\($0.name)" }
            #expect(checked2)
        }
    }

    @Test("completion offers table, view and column names and keywords by prefix, ignoring case")
    func completions() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            let session = try ShellSession(database: database, writable: false)
            #expect(session.completions(for: "trust_g").contains("trust_graph"))
            #expect(session.completions(for: "REACHABLE_B").contains("reachable_by"))
            #expect(session.completions(for: "sel").contains("SELECT"))
            #expect(session.completions(for: ".sch") == [".schema"])
        }
    }
}

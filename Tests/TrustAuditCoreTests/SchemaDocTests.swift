import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// `docs/schema.md` documents every view a policy or a user may query. This fails when it drifts
/// from `Migrations/*.sql`: a view or column not documented under the view's heading, a heading
/// for a view that does not exist, or an example query that no longer compiles.
@Suite("docs/schema.md matches the migrations")
struct SchemaDocTests {
    /// Every view of a fresh database and its columns, in order.
    static func views() throws -> [(name: String, columns: [String])] {
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            return try database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").map { view in
                    let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(view.quotedDatabaseIdentifier))").map { $0["name"] as String }
                    return (view, columns)
                }
            }
        }
    }

    static func document() throws -> String {
        try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("docs/schema.md"), encoding: .utf8)
    }

    /// The text under each `### \`name\`` heading (up to the next heading of any level), by name.
    /// Headings with parentheses (`current_scan()`, `param('name')`) are functions, not views.
    static func viewSections(of text: String) -> [String: String] {
        var sections: [String: String] = [:]
        var current: String?
        var inCode = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            if !inCode, line.hasPrefix("#") {
                current = nil
                if line.hasPrefix("### "),
                   let match = line.firstMatch(of: /^###\s+`([A-Za-z_][A-Za-z0-9_]*)`\s*$/) {
                    current = String(match.1)
                    sections[current!] = sections[current!] ?? ""
                }
                continue
            }
            if let current { sections[current]! += line + "\n" }
        }
        return sections
    }

    @Test("the migrations define the views policies rely on")
    func coreViewsExist() throws {
        let names = Set(try Self.views().map(\.name))
        for view in ["repositories", "workflows", "triggers", "jobs", "declared_permissions", "effective_permissions",
                     "job_tokens", "oidc_jobs", "steps"] {
            #expect(names.contains(view), "view \(view) is missing")
        }
    }

    @Test("every view and every column is documented under the view's heading")
    func everyViewDocumented() throws {
        let sections = Self.viewSections(of: try Self.document())
        for view in try Self.views() {
            guard let section = sections[view.name] else {
                Issue.record("docs/schema.md has no `### \\`\(view.name)\\`` section")
                continue
            }
            #expect(!view.columns.isEmpty)
            for column in view.columns {
                #expect(section.contains("`\(column)`"), "docs/schema.md: column `\(column)` of view `\(view.name)` is not documented")
            }
            #expect(section.contains("```sql"), "docs/schema.md: view `\(view.name)` has no example query")
        }
    }

    @Test("the doc names no view or column that does not exist")
    func noStaleViews() throws {
        let views = Dictionary(uniqueKeysWithValues: try Self.views().map { ($0.name, Set($0.columns)) })
        let sections = Self.viewSections(of: try Self.document())
        for (name, section) in sections {
            guard let columns = views[name] else {
                Issue.record("docs/schema.md documents view `\(name)`, which the migrations do not define")
                continue
            }
            // Columns are documented as the first cell of a table row: | `column` | meaning |
            for line in section.split(separator: "\n") {
                if let match = line.firstMatch(of: /^\|\s*`([A-Za-z_][A-Za-z0-9_]*)`\s*\|/) {
                    #expect(columns.contains(String(match.1)), "docs/schema.md: `\(name)` has no column `\(match.1)`")
                }
            }
        }
    }

    @Test("every example query in the doc compiles against the current schema")
    func examplesCompile() throws {
        let text = try Self.document()
        var queries: [String] = []
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```sql") { current = ""; continue }
            if line.hasPrefix("```"), let query = current { queries.append(query); current = nil; continue }
            if current != nil { current! += line + "\n" }
        }
        #expect(queries.count >= 20)
        try TestSupport.withTemporaryDirectory { directory in
            let database = try TestSupport.openDatabase(in: directory)
            for query in queries {
                #expect(throws: Never.self, "example does not compile:\n\(query)") {
                    try database.pool.read { db in
                        db.add(function: DatabaseFunction("param", argumentCount: 1, pure: true) { _ in "[]" })
                        _ = try PolicyEngine.checkedStatement(query, db: db)
                    }
                }
            }
        }
    }
}

import Foundation
import GRDB
import Testing
@testable import TrustAuditCore

/// A scan's findings load the same whether read on one connection or in parts on several.
@Suite("Loading a scan's findings")
struct FindingLoadTests {
    @Test("own and carried rows read in parts, in parallel, give the findings one read gives, in report order")
    func partsAgreeWithOneRead() throws {
        try TestSupport.withTemporaryDirectory { root in
            var fixture = try HistoryFixture(root: root)
            try fixture.writeStandardOrg()
            for index in 1...4 { try fixture.write(writeAllWorkflow, "lib\(index)", "ci.yml") }
            _ = try fixture.scan()
            try fixture.write(cleanWorkflow + "# fixed\n", "web", "ci.yml")
            try fixture.write(writeAllWorkflow, "web", "extra.yml")
            let second = try fixture.scan()
            let database = fixture.database
            let key = { (finding: Finding) in "\(finding.fingerprint) \(finding.policy) \(finding.evidenceJSON) \(finding.waived)" }
            let own = try #require(try database.count("SELECT COUNT(*) FROM findings WHERE scan_id = ?", [second.scanID]))
            let carried = try #require(try database.count("SELECT COUNT(*) FROM carried_findings WHERE scan_id = ?", [second.scanID]))
            #expect(own > 0 && carried > 1)
            let single = try database.pool.read { db in try FindingStore.load(scanID: second.scanID, db: db) }
            #expect(single.map(key) == second.findings.map(key))
            #expect(try FindingStore.load(scanID: second.scanID, database: database).map(key) == single.map(key))
            for count in [1, 2, 3, 50] {
                let parts = try database.pool.read { db in try FindingStore.parts(scanID: second.scanID, db: db, count: count) }
                let rows = try database.pool.read { db in try parts.flatMap { try $0.load(db) } }
                #expect(rows.count == own + carried, "\(count) parts: \(parts)")
                #expect(Set(rows.map(key)) == Set(single.map(key)))
                let checked1 = parts.filter { !$0.carried }.count <= count && parts.filter(\.carried).count <= count
                #expect(checked1)
            }
        }
    }
}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GRDB
import Testing
@testable import TrustAuditCore

/// `trustaudit report`: a small organization (settings and Octopus exports included) scanned
/// twice with a change in between, rendered in every format, with hostile names in a job key and
/// an Octopus identity that must come out escaped everywhere.
@Suite("Audit reports")
struct AuditReportTests {
    // MARK: HTML

    @Test("HTML has every section, the SVG trend, drift, remediation, GitHub links and nothing external")
    func htmlStructure() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            let html = AuditHTMLReport.render(data)
            for id in ["summary", "summary-table", "trend", "drift", "by-repository", "by-policy", "trust", "waivers", "coverage", "filter"] {
                #expect(html.contains("id=\"\(id)\""), "missing #\(id)")
            }
            #expect(html.contains("<svg class=\"chart\""))
            #expect(html.components(separatedBy: "<polyline").count - 1 == Severity.allCases.count, "one line per severity over two scans")
            #expect(html.contains("#1</text>") && html.contains("#2</text>"), "both scans on the x axis")
            #expect(html.contains("Since scan 1"))
            #expect(html.contains("Resolved (") && html.contains("Introduced ("))
            #expect(html.contains("<details"))
            // Remediation text from the policy metadata, and a link to the file and line on GitHub.
            let remediation = try #require(data.policies["permissions-write-all"]?.remediation)
            #expect(html.contains(AuditHTMLReport.escape(remediation)))
            #expect(html.contains("href=\"https://github.com/acme/web/blob/HEAD/.github/workflows/release.yml#L"), "a resolved finding in drift")
            #expect(html.contains("href=\"https://github.com/acme/evil/blob/HEAD/.github/workflows/late.yml#L"))
            // Trust graph per service account, waivers with reason and expiry, coverage.
            #expect(html.contains("gh-api"))
            #expect(html.contains("legacy, SEC-1") && html.contains("2030-06-30"))
            #expect(html.contains("GitHub settings: 1 document"))
            #expect(html.contains("https://acme.octopus.app"))
            // Self-contained: no external resource of any kind, one fixed inline script allowed by hash.
            for pattern in ["src=\"http", "href=\"//", "@import", "url(", "<link", "<iframe", "<img"] {
                #expect(!html.contains(pattern), "external resource: \(pattern)")
            }
            #expect(html.components(separatedBy: "<script").count - 1 == 1)
            #expect(html.contains("script-src 'sha256-"))
            #expect(html.contains("default-src 'none'"))
        }
    }

    @Test("the HTML filter box is hidden without JavaScript, and sections stay readable")
    func htmlWithoutScript() throws {
        try AuditReportFixture.with { fixture in
            let html = AuditHTMLReport.render(try fixture.load())
            #expect(html.contains("<div id=\"filter-bar\" class=\"filter\" hidden>"))
            #expect(html.contains("data-search=\""))
            #expect(html.contains("<details class=\"group\" open>"), "a small report starts expanded")
        }
    }

    @Test("a report of 1,200 findings collapses its groups and stays one file")
    func htmlLarge() throws {
        try AuditReportFixture.with { fixture in
            var data = try fixture.load()
            let required1 = data.findings.first { $0.file != nil }
            let template = try #require(required1)
            data.findings = (0..<1_200).map { index in
                var finding = template
                finding.fingerprint = "fp\(index)"
                finding.repository = "acme/svc\(index % 40)"
                finding.line = index
                return finding
            }
            let html = AuditHTMLReport.render(data)
            func section(_ id: String) throws -> Substring {
                let start = try #require(html.range(of: "<section id=\"\(id)\">"))
                let end = try #require(html.range(of: "</section>", range: start.upperBound..<html.endIndex))
                return html[start.lowerBound..<end.upperBound]
            }
            for id in ["by-repository", "by-policy"] {
                let part = try section(id)
                #expect(!part.contains("<details class=\"group\" open>"), "\(id) starts collapsed")
                #expect(part.components(separatedBy: "<tr class=\"finding").count - 1 == 1_200, "\(id) lists every finding")
            }
            #expect(try section("by-repository").components(separatedBy: "<details class=\"group\"").count - 1 == 40)
            #expect(html.utf8.count / 1_200 < 2_500, "\(html.utf8.count) bytes")
        }
    }

    // MARK: Markdown

    @Test("Markdown has the summary, drift, findings, policies, trust, waivers and coverage tables")
    func markdownStructure() throws {
        try AuditReportFixture.with { fixture in
            let markdown = AuditMarkdownReport.render(try fixture.load())
            for heading in ["# trustaudit report: scan 2", "## Summary", "## Trend", "## Drift since scan 1", "## Findings by repository",
                            "## Policies and remediation", "## Trust graph", "## Waivers", "## Coverage"] {
                #expect(markdown.contains(heading + "\n"), "missing \(heading)")
            }
            #expect(markdown.contains("| severity | policy | location | job | message | status |"))
            #expect(markdown.contains("(https://github.com/acme/web/blob/HEAD/.github/workflows/"))
            #expect(!markdown.contains("truncated"))
            for line in markdown.split(separator: "\n") where line.hasPrefix("|") {
                #expect(line.hasSuffix("|"), "a table row runs over lines: \(line)")
            }
        }
    }

    @Test("Markdown over --max-length is cut with a note, keeps coverage, and stays under the limit")
    func markdownTruncation() throws {
        try AuditReportFixture.with { fixture in
            var data = try fixture.load()
            let required2 = data.findings.first { $0.file != nil }
            let template = try #require(required2)
            data.findings += (0..<800).map { index in
                var finding = template
                finding.fingerprint = "bulk\(index)"
                finding.repository = "acme/bulk\(index % 25)"
                finding.line = index + 1
                return finding
            }
            let markdown = AuditMarkdownReport.render(data, maxLength: 12_000)
            #expect(markdown.count <= 12_000)
            #expect(markdown.contains("**This report was truncated** to stay under 12000 characters"))
            #expect(markdown.contains("findings"))
            #expect(markdown.contains("## Coverage"), "the coverage section survives truncation")
            #expect(markdown.contains("## Policies and remediation"))
            let full = AuditMarkdownReport.render(data, maxLength: 10_000_000)
            #expect(!full.contains("truncated"))
            #expect(full.count > 60_000)
            #expect(AuditMarkdownReport.render(data).count <= AuditMarkdownReport.defaultMaxLength)
        }
    }

    // MARK: CSV and JUnit

    @Test("CSV is RFC 4180 with CRLF and parses back to the same rows")
    func csvRoundTrip() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            let csv = AuditCSVReport.render(data)
            #expect(csv.hasSuffix("\r\n"))
            let parsed = try CSVReader.parse(csv)
            #expect(parsed.first == AuditCSVReport.columns)
            let expected = AuditCSVReport.rows(data).map { row in row.map { cell -> String in
                guard let cell else { return "" }
                if let first = cell.first, "=+-@\t\r".contains(first) { return "'" + cell }
                return cell
            } }
            #expect(Array(parsed.dropFirst()) == expected)
            #expect(parsed.count == data.findings.count + 1)
            let checked3 = parsed.dropFirst().allSatisfy { $0.count == AuditCSVReport.columns.count }
            #expect(checked3)
        }
    }

    @Test("CSV cells that a spreadsheet would run as a formula are defused")
    func csvFormula() throws {
        try AuditReportFixture.with { fixture in
            var data = try fixture.load()
            data.findings[0].message = "=HYPERLINK(\"http://evil\",\"x\")"
            data.findings[0].job = "@SUM(1)"
            let rows = try CSVReader.parse(AuditCSVReport.render(data))
            #expect(rows[1][10] == "'=HYPERLINK(\"http://evil\",\"x\")")
            #expect(rows[1][8] == "'@SUM(1)")
        }
    }

    @Test("JUnit is well-formed XML with one test case per policy and repository and one failure per failing case")
    func junitStructure() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            let xml = AuditJUnitReport.render(data)
            let open = data.findings.filter { !$0.waived }
            let repositories = Set(data.findings.map { $0.repository ?? AuditJUnitReport.organizationSuite }).union(data.repositories.map(\.name))
            #if canImport(FoundationXML) || os(macOS)
            let document = try XMLDocument(data: Data(xml.utf8))
            let root = try #require(document.rootElement())
            #expect(root.name == "testsuites")
            let suites = root.elements(forName: "testsuite")
            let checked4 = Set(suites.compactMap { $0.attribute(forName: "name")?.stringValue }) == repositories
            #expect(checked4)
            let cases = suites.flatMap { $0.elements(forName: "testcase") }
            let failures = cases.flatMap { $0.elements(forName: "failure") }
            let failingCases = Set(open.map { "\($0.repository ?? AuditJUnitReport.organizationSuite) \($0.policy)" })
            #expect(failures.count == failingCases.count, "one <failure> per failing case, listing its findings")
            let checked5 = cases.allSatisfy { $0.elements(forName: "failure").count <= 1 }
            #expect(checked5)
            for finding in open {
                let checked6 = failures.contains { ($0.stringValue ?? "").contains(finding.fingerprint) }
                #expect(checked6, "\(finding.fingerprint)")
            }
            let failedCases = cases.filter { !$0.elements(forName: "failure").isEmpty }.count
            #expect(failedCases == failures.count)
            #expect(root.attribute(forName: "tests")?.stringValue == String(cases.count))
            #expect(root.attribute(forName: "failures")?.stringValue == String(failedCases))
            for suite in suites {
                #expect(suite.attribute(forName: "tests")?.stringValue == String(suite.elements(forName: "testcase").count))
            }
            // Every (repository, policy) pair with a finding is one test case.
            let pairs = Set(data.findings.map { "\($0.repository ?? AuditJUnitReport.organizationSuite) \($0.policy)" })
            let casePairs = Set(cases.map { "\($0.attribute(forName: "classname")?.stringValue ?? "") \($0.attribute(forName: "name")?.stringValue ?? "")" })
            #expect(pairs.isSubset(of: casePairs))
            // The hostile job name survives exactly, newline included.
            let messages = failures.compactMap { $0.attribute(forName: "message")?.stringValue }
            let checked7 = messages.contains { $0.contains(AuditReportFixture.hostileJob) }
            #expect(checked7)
            #else
            #expect(xml.hasPrefix("<?xml"))
            #expect(xml.components(separatedBy: "<failure ").count - 1 == open.count)
            #endif
        }
    }

    // MARK: Escaping in every format

    @Test("hostile names (script tags, quotes, newlines, Markdown and CSV control characters) come out escaped in every format")
    func escaping() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            let hostile = data.findings.filter { $0.message.contains("<script>") }
            #expect(hostile.count >= 2, "the fixture must put the hostile job and identity names in findings: \(data.findings.map(\.message))")
            let checked8 = data.findings.contains { $0.job == AuditReportFixture.hostileJob }
            #expect(checked8)
            let checked9 = data.trustGraph.accounts.flatMap(\.identities).contains { $0.name == AuditReportFixture.hostileIdentity }
            #expect(checked9)

            let html = AuditHTMLReport.render(data)
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("'\"q\""))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(html.contains("&#39;&quot;q&quot;"))
            #expect(html.components(separatedBy: "<script").count - 1 == 1)

            let markdown = AuditMarkdownReport.render(data)
            #expect(!markdown.contains("<script>"))
            #expect(markdown.contains("\\<script\\>alert(1)\\</script\\>"))
            for line in markdown.split(separator: "\n") where line.hasPrefix("|") {
                #expect(line.hasSuffix("|"))
            }

            let sarif = try JSONSerialization.jsonObject(with: Data(AuditSARIFReport.render(data).utf8)) as? [String: Any]
            let run = try #require((sarif?["runs"] as? [[String: Any]])?.first)
            let texts = ((run["results"] as? [[String: Any]]) ?? []).compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
            let checked10 = texts.contains { $0.contains(AuditReportFixture.hostileJob) }
            #expect(checked10, "JSON keeps the text exact")

            let csv = try CSVReader.parse(AuditCSVReport.render(data))
            let checked11 = csv.contains { $0[8] == AuditReportFixture.hostileJob }
            #expect(checked11)

            let junit = AuditJUnitReport.render(data)
            #expect(!junit.contains("<script>"))
            #expect(junit.contains("&lt;script&gt;"))
        }
    }

    // MARK: SARIF

    @Test("SARIF rules carry policy metadata, severity mapping and tags; results carry fingerprints, locations and suppressions")
    func sarifContent() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            let run = try AuditReportFixture.sarifRun(AuditSARIFReport.render(data, repository: "acme/web"))
            let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
            #expect(driver["name"] as? String == "trustaudit")
            #expect(driver["version"] as? String == ToolVersion.current)
            #expect(driver["informationUri"] as? String != nil)
            let rules = try #require(driver["rules"] as? [[String: Any]])
            let required12 = rules.first { $0["id"] as? String == "permissions-write-all" }
            let writeAll = try #require(required12)
            let policy = try #require(data.policies["permissions-write-all"])
            #expect((writeAll["shortDescription"] as? [String: Any])?["text"] as? String == policy.title)
            #expect((writeAll["fullDescription"] as? [String: Any])?["text"] as? String == policy.description)
            #expect(((writeAll["help"] as? [String: Any])?["text"] as? String)?.hasPrefix(policy.remediation) == true)
            #expect((writeAll["help"] as? [String: Any])?["markdown"] as? String != nil)
            let properties = try #require(writeAll["properties"] as? [String: Any])
            #expect(properties["security-severity"] as? String == AuditSARIFReport.securitySeverity(policy.severity))
            #expect((properties["tags"] as? [String])?.contains(policy.category.rawValue) == true)
            #expect((writeAll["defaultConfiguration"] as? [String: Any])?["level"] as? String == AuditSARIFReport.level(policy.severity))
            #expect(AuditSARIFReport.securitySeverity(.critical) == "9.5" && AuditSARIFReport.securitySeverity(.info) == "0.0")
            #expect(AuditSARIFReport.level(.high) == "error" && AuditSARIFReport.level(.medium) == "warning" && AuditSARIFReport.level(.low) == "note")

            let results = try #require(run["results"] as? [[String: Any]])
            let webFindings = data.findings.filter { $0.repository == "acme/web" && $0.file != nil }
            #expect(results.count == webFindings.count)
            for result in results {
                let print = (result["partialFingerprints"] as? [String: Any])?["trustaudit/v1"] as? String
                let required13 = webFindings.first { $0.fingerprint == print }
                let finding = try #require(required13)
                #expect(result["ruleId"] as? String == finding.policy)
                #expect(result["level"] as? String == AuditSARIFReport.level(finding.severity))
                let location = try #require(((result["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
                #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == finding.file)
                #expect((location["region"] as? [String: Any])?["startLine"] as? Int == finding.line)
                let suppressions = result["suppressions"] as? [[String: Any]]
                #expect((suppressions != nil) == finding.waived)
            }
            let kinds = results.compactMap { ($0["suppressions"] as? [[String: Any]])?.first?["kind"] as? String }
            #expect(Set(kinds) == ["external", "inSource"], "a config waiver and an inline suppression in acme/web")
        }
    }

    @Test("SARIF --repo keeps one repository; findings without a file become run notifications")
    func sarifRepositoryFilter() throws {
        try AuditReportFixture.with { fixture in
            let data = try fixture.load()
            let web = try AuditReportFixture.sarifRun(AuditSARIFReport.render(data, repository: "ACME/web"))
            let results = try #require(web["results"] as? [[String: Any]])
            let checked14 = results.count == data.findings.filter { $0.repository == "acme/web" && $0.file != nil }.count
            #expect(checked14)
            #expect(!results.isEmpty)
            let checked15 = results.allSatisfy { ($0["properties"] as? [String: Any])?["repository"] as? String == "acme/web" }
            #expect(checked15)
            #expect(((web["versionControlProvenance"] as? [[String: Any]])?.first?["repositoryUri"] as? String) == "https://github.com/ACME/web")

            // acme/api's finding about an Octopus identity whose subject names it has no file; its
            // workflow findings (a checkout that keeps its token) are results.
            let api = try AuditReportFixture.sarifRun(AuditSARIFReport.render(data, repository: "acme/api"))
            let checked16 = (api["results"] as? [[String: Any]])?.count == data.findings.filter { $0.repository == "acme/api" && $0.file != nil }.count
            #expect(checked16)
            let fileless = data.findings.filter { $0.repository == "acme/api" && $0.file == nil }
            #expect(!fileless.isEmpty, "the fixture's identity finding names acme/api but has no file")
            let notifications = ((api["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"] as? [[String: Any]]) ?? []
            #expect(notifications.count == fileless.count)
            #expect((api["properties"] as? [String: Any])?["findingsWithoutFile"] as? Int == fileless.count)

            // The report data can also be limited to one repository for every format.
            let only = try fixture.load(repository: "acme/web")
            let checked17 = !only.findings.isEmpty && only.findings.allSatisfy { $0.repository == "acme/web" }
            #expect(checked17)
            #expect(only.repositories.map(\.name) == ["acme/web"])
        }
    }

    @Test("SARIF --split-dir writes one file per repository through the CLI", .enabled(if: CLI.executable != nil, "the trustaudit executable was not built"))
    func sarifSplit() throws {
        try AuditReportFixture.with { fixture in
            let split = fixture.root.appendingPathComponent("sarif")
            let result = try CLI.run(["report", "--format", "sarif", "--db", fixture.database.path, "--split-dir", split.path], in: fixture.root)
            #expect(result.status == 0, "\(result.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: split.path).sorted()
            #expect(names == ["acme__api.sarif", "acme__evil.sarif", "acme__web.sarif"])
            let data = try fixture.load()
            for name in names {
                let repository = name.replacingOccurrences(of: "__", with: "/").replacingOccurrences(of: ".sarif", with: "")
                let run = try AuditReportFixture.sarifRun(String(decoding: try Data(contentsOf: split.appendingPathComponent(name)), as: UTF8.self))
                let results = (run["results"] as? [[String: Any]]) ?? []
                let checked18 = results.count == data.findings.filter { $0.repository == repository && $0.file != nil }.count
                #expect(checked18, "\(name)")
            }
            let bad = try CLI.run(["report", "--format", "html", "--db", fixture.database.path, "--split-dir", split.path], in: fixture.root)
            #expect(bad.status == 2)
            let unknown = try CLI.run(["report", "--format", "sarif", "--db", fixture.database.path, "--repo", "acme/nope"], in: fixture.root)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("acme/nope"))
        }
    }

    // MARK: CLI

    @Test("the CLI writes every format, and exits 2 on a database without a complete scan", .enabled(if: CLI.executable != nil, "the trustaudit executable was not built"))
    func cli() throws {
        try AuditReportFixture.with { fixture in
            for format in ["html", "markdown", "sarif", "json", "csv", "junit"] {
                let out = fixture.root.appendingPathComponent("report.\(format)")
                let result = try CLI.run(["report", "--format", format, "--db", fixture.database.path, "--output", out.path, "--scan", "2"], in: fixture.root)
                #expect(result.status == 0, "\(format): \(result.stderr)")
                #expect(((try? Data(contentsOf: out))?.count ?? 0) > 200, "\(format)")
            }
            let json = try CLI.run(["report", "--format", "json", "--db", fixture.database.path], in: fixture.root)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(Set(document.keys) == ["coverage", "tool", "scan", "summary", "findings"])

            let markdown = try CLI.run(["report", "--format", "markdown", "--db", fixture.database.path, "--max-length", "2500"], in: fixture.root)
            #expect(markdown.status == 0)
            #expect(markdown.stdout.count <= 2500)
            #expect(markdown.stdout.contains("truncated"))

            let emptyPath = fixture.root.appendingPathComponent("empty.db").path
            _ = try AuditDatabase.open(path: emptyPath)
            let empty = try CLI.run(["report", "--format", "html", "--db", emptyPath], in: fixture.root)
            #expect(empty.status == 2)
            #expect(empty.stderr.contains("no complete scan"))
            #expect(empty.stdout.isEmpty)
            let missing = try CLI.run(["report", "--format", "html", "--db", fixture.root.appendingPathComponent("none.db").path], in: fixture.root)
            #expect(missing.status == 2)
            #expect(!FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("none.db").path))
            let noScan = try CLI.run(["report", "--format", "csv", "--db", fixture.database.path, "--scan", "99"], in: fixture.root)
            #expect(noScan.status == 2)
        }
    }

    @Test("AuditReportData on an empty database throws the no-complete-scan error")
    func emptyDatabase() throws {
        try TestSupport.withTemporaryDirectory { root in
            let database = try TestSupport.openDatabase(in: root)
            #expect(throws: ScanCatalog.LookupError.noCompleteScan) {
                _ = try AuditReportData.load(database: database, scanID: nil, policies: [])
            }
        }
    }
}

/// Two scans of `acme/api` (an OIDC deploy gated by Production), `acme/web` (write-all, waived
/// in config, plus an inline suppression) and `acme/evil` (a job key and an Octopus identity
/// name full of markup), with GitHub settings and an Octopus export. Between the scans a
/// workflow of web is fixed and one of evil is added, so drift has both directions.
struct AuditReportFixture {
    static let hostileJob = "x<script>alert(1)</script>'\"q\"\nnext|*_[a](b)"
    static let hostileIdentity = "id <script>alert(1)</script> 'single' \"double\"\nline two"

    var history: HistoryFixture
    var root: URL { history.root }
    var database: AuditDatabase { history.database }

    static func with(_ body: (AuditReportFixture) throws -> Void) throws {
        try TestSupport.withTemporaryDirectory { root in
            var history = try HistoryFixture(root: root)
            try history.writeStandardOrg()
            try history.write(writeAllWorkflow + "# second copy\n", "web", "release.yml")
            try history.write("""
                on: push
                # trustaudit: ignore[permissions-write-all] generated by the release bot
                permissions: write-all
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    steps:
                      - run: make

                """, "web", "bot.yml")
            let escapedJob = hostileJob.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            try history.write("""
                on: push
                permissions:
                  contents: read
                jobs:
                  "\(escapedJob)":
                    runs-on: ubuntu-latest
                    permissions:
                      id-token: write
                    steps:
                      - uses: OctopusDeploy/login@\(HistoryFixture.loginSHA)
                        with:
                          server: \(HistoryFixture.server)
                          service_account_id: \(HistoryFixture.externalID)

                """, "evil", "deploy.yml")
            let identityName = String(decoding: try JSONSerialization.data(withJSONObject: [hostileIdentity], options: [.fragmentsAllowed]), as: UTF8.self)
                .dropFirst().dropLast()
            history.octopus["acme.json"] = HistoryFixture.octopus(extraSubjects: ["repo:acme/api*"])
                .replacingOccurrences(of: "\"Name\": \"identity 1\"", with: "\"Name\": \(identityName)")
            let waiver = Waiver(policy: "permissions-write-all", repository: "acme/web", file: ".github/workflows/ci.yml",
                                reason: "legacy, SEC-1", expires: "2030-06-30")
            try history.scan(settings: PolicySettings(waivers: [waiver]), today: "2030-01-01", label: "first")
            try history.write(cleanWorkflow + "# fixed\n", "web", "release.yml")
            try history.write(HistoryFixture.deployWorkflow(checkoutRef: "v4"), "evil", "late.yml")
            try history.scan(settings: PolicySettings(waivers: [waiver]), today: "2030-01-02", label: "second")
            try body(AuditReportFixture(history: history))
        }
    }

    func load(scan: Int64? = nil, repository: String? = nil) throws -> AuditReportData {
        try AuditReportData.load(database: database, scanID: scan, policies: TestSupport.builtInPolicies(), repository: repository)
    }

    static func sarifRun(_ text: String) throws -> [String: Any] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "2.1.0")
        let runs = try #require(document["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        return runs[0]
    }
}

/// A strict RFC 4180 reader (CRLF records, quoted fields with doubled quotes), for round trips.
enum CSVReader {
    struct Malformed: Error { var offset: Int }

    static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var scalars = Array(text.unicodeScalars)[...]
        var offset = 0
        func next() -> Unicode.Scalar? {
            guard let scalar = scalars.popFirst() else { return nil }
            offset += 1
            return scalar
        }
        while let scalar = next() {
            switch scalar {
            case "\"" where field.isEmpty:
                while true {
                    guard let inner = next() else { throw Malformed(offset: offset) }
                    if inner == "\"" {
                        if scalars.first == "\"" { _ = next(); field.unicodeScalars.append("\"") } else { break }
                    } else {
                        field.unicodeScalars.append(inner)
                    }
                }
                guard let after = scalars.first, after == "," || after == "\r" else { throw Malformed(offset: offset) }
            case ",":
                record.append(field)
                field = ""
            case "\r":
                guard next() == "\n" else { throw Malformed(offset: offset) }
                record.append(field)
                records.append(record)
                record = []
                field = ""
            case "\n", "\"":
                throw Malformed(offset: offset)
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        guard record.isEmpty && field.isEmpty else { throw Malformed(offset: offset) }
        return records
    }
}

import Foundation
@testable import TrustAuditCore

/// GitHub- and Octopus-shaped APIs serving the demo organization (`Examples/acme`): its
/// workflows through git trees and base64 blobs, its settings exports split back into the REST
/// endpoints they came from, and its Octopus export as paged users, identities, keys and
/// permissions. Faults are switched on per test.
final class FakeAPIs: @unchecked Sendable {
    static let token = "ghp_TESTTOKEN0123456789abcdefSECRET"
    static let apiKey = "API-OCTOPUSKEY0123456789SECRET"

    struct Faults {
        /// `GET /repos/acme/api/environments` answers 502 this many times first.
        var environments502 = 0
        /// `GET /repos/acme/web/actions/oidc/customization/sub` answers 403 + Retry-After: 1 this many times first.
        var secondaryRateLimit = 0
        /// The blob of acme/web's deploy.yml answers after this many seconds.
        var slowBlobDelay: TimeInterval = 0
        var malformedDocsEnvironments = false
        var infraPermissionsForbidden = false
        var ghostOrganization = false
        var octopusPermissions500 = false
        /// acme/web's deploy.yml is served with other bytes than its SHA names.
        var tamperedBlob = false
        /// acme/api's workflows tree lists an entry named `../escape.yml`.
        var unsafeTreeName = false
        /// acme/api's root tree is `truncated` and lacks `.github` (a huge repository).
        var truncatedRootTree = false
        /// With `truncatedRootTree`: the folder listing has GitHub's 1,000 entries.
        var fullFolderListing = false
        /// The second page of the organization's repositories links to itself as `next`.
        var selfLinkingPage = false
        /// acme/docs' environments answer with a body of this many bytes (0: the real one).
        var hugeEnvironmentsBytes = 0
        /// Octopus answers Users-109's permissions with `IsPermissionsComplete: false`.
        var incompletePermissions = false
        /// GraphQL answers 404, as a server without the GraphQL API does.
        var noGraphQL = false
        /// GraphQL content queries of more than one repository answer 502 (a query too heavy).
        var graphQLBatches502 = false
        /// GraphQL serves acme/web's deploy.yml with text that does not hash to its oid.
        var graphQLWrongText = false
        /// The server has no rulesets (`rules/branches` answers 404, as older GitHub Enterprise
        /// Server does); `branches/{branch}` says `protected` for branches with rules in the export.
        var noRulesets = false
    }

    let lock = NSLock()
    var faults = Faults()
    private var faultCounts: [String: Int] = [:]
    private(set) var notModifiedAnswers = 0
    let github: LoopbackHTTPServer
    let octopus: LoopbackHTTPServer

    let demo = TestSupport.packageRoot.appendingPathComponent("Examples/acme")
    let repositories: [String]
    let settings: [String: [String: Any]]
    let organization: [String: Any]
    let octopusExport: [String: Any]

    init() throws {
        github = try LoopbackHTTPServer { _ in .init(status: 500) }
        octopus = try LoopbackHTTPServer { _ in .init(status: 500) }
        var settings: [String: [String: Any]] = [:]
        var organization: [String: Any] = [:]
        let folder = demo.appendingPathComponent("exports/github-settings")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".json") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) as! [String: Any]
            if let repository = object["repository"] as? String {
                settings[String(repository.split(separator: "/")[1])] = object
            } else {
                organization = object
            }
        }
        self.settings = settings
        self.organization = organization
        repositories = settings.keys.sorted()
        let octopusFile = try FileManager.default.contentsOfDirectory(atPath: demo.appendingPathComponent("exports/octopus").path).first!
        octopusExport = try JSONSerialization.jsonObject(
            with: Data(contentsOf: demo.appendingPathComponent("exports/octopus").appendingPathComponent(octopusFile))) as! [String: Any]
        github.setHandler { [unowned self] in self.githubAnswer($0) }
        octopus.setHandler { [unowned self] in self.octopusAnswer($0) }
    }

    func stop() {
        github.stop()
        octopus.stop()
    }

    func setFaults(_ change: (inout Faults) -> Void) {
        lock.withLock { change(&faults) }
    }

    /// True the first `limit` times `name` is asked (a fault that then clears).
    private func fault(_ name: String, limit: Int) -> Bool {
        lock.withLock {
            let count = faultCounts[name, default: 0]
            faultCounts[name] = count + 1
            return count < limit
        }
    }

    private var currentFaults: Faults { lock.withLock { faults } }

    /// A JSON answer with an ETag; 304 when the request's If-None-Match has it.
    private func json(_ object: Any, _ request: LoopbackHTTPServer.Request, headers: [String: String] = [:]) -> LoopbackHTTPServer.Response {
        let body = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let etag = "\"\(SHA256.hex([UInt8](body)).prefix(16))\""
        var all = headers
        all["ETag"] = etag
        all["X-RateLimit-Limit"] = "5000"
        all["X-RateLimit-Remaining"] = "4990"
        all["X-RateLimit-Reset"] = String(Int(Date().timeIntervalSince1970) + 3600)
        if request.headers["if-none-match"] == etag {
            lock.withLock { notModifiedAnswers += 1 }
            // As GitHub does: a 304 repeats the ETag and rate headers, not the Link.
            all["Link"] = nil
            return .init(status: 304, headers: all)
        }
        return .json(String(decoding: body, as: UTF8.self), headers: all)
    }

    private func workflowFiles(_ repository: String) -> [String] {
        let folder = demo.appendingPathComponent(repository).appendingPathComponent(".github/workflows")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    func workflowBytes(_ repository: String, _ file: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: demo.appendingPathComponent(repository).appendingPathComponent(".github/workflows").appendingPathComponent(file)))) ?? []
    }

    /// A well-formed git object name standing for a tree (the fake does not build real trees).
    static func treeSHA(_ label: String) -> String {
        GitObjectID.blob(Array("tree \(label)".utf8))
    }

    /// The tokens the GitHub side accepts (a GitHub App test adds installation tokens).
    private var acceptedTokens: Set<String> = [FakeAPIs.token]
    func accept(token: String) { lock.withLock { _ = acceptedTokens.insert(token) } }
    /// Answers `/app/…` and `/orgs/…/installation` (GitHub App authentication) when set.
    var appHandler: ((LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response?)? {
        get { lock.withLock { appRoutes } }
        set { lock.withLock { appRoutes = newValue } }
    }
    private var appRoutes: ((LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response?)?

    // MARK: GitHub

    func githubAnswer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        if let routes = appHandler, let answer = routes(request) { return answer }
        let token = request.headers["authorization"].map { String($0.dropFirst("Bearer ".count)) } ?? ""
        guard lock.withLock({ acceptedTokens.contains(token) }) else {
            return .json(#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#, status: 401)
        }
        let faults = currentFaults
        if request.path == "/graphql" {
            return graphQLAnswer(request, faults: faults)
        }
        let parts = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch parts.first {
        case "rate_limit":
            return json(["resources": ["core": ["limit": 5000, "remaining": 4990]]], request)
        case "orgs" where parts.count >= 3:
            let org = parts[1]
            if org != "acme" { return .json(#"{"message":"Not Found"}"#, status: 404) }
            if parts[2] == "repos" {
                var all: [[String: Any]] = repositories.map { name in
                    let object = settings[name]!
                    return ["full_name": "acme/\(name)", "name": name, "default_branch": object["default_branch"] ?? "main",
                            "visibility": object["visibility"] ?? "private", "id": object["repository_id"] ?? 1,
                            "owner": ["login": "acme", "id": object["owner_id"] ?? 1, "type": "Organization"],
                            "archived": false, "fork": false, "pushed_at": "2026-11-01T00:00:00Z"]
                }
                all.append(["full_name": "acme/old", "default_branch": "main", "archived": true, "fork": false, "owner": ["id": 1, "type": "Organization"]])
                all.append(["full_name": "acme/forked", "default_branch": "main", "archived": false, "fork": true, "owner": ["id": 1, "type": "Organization"]])
                let page = Int(request.query["page"] ?? "1") ?? 1
                let size = 4
                let slice = Array(all.dropFirst((page - 1) * size).prefix(size))
                var headers: [String: String] = [:]
                if page * size < all.count {
                    let next = faults.selfLinkingPage && page == 2 ? page : page + 1
                    headers["Link"] = "<\(github.baseURL.absoluteString)/orgs/acme/repos?type=all&per_page=100&page=\(next)>; rel=\"next\", <\(github.baseURL.absoluteString)/orgs/acme/repos?page=3>; rel=\"last\""
                }
                return json(slice, request, headers: headers)
            }
            if parts.suffix(3) == ["oidc", "customization", "sub"] { return json(organization["oidc_subject_claim"]!, request) }
            if parts.suffix(2) == ["permissions", "workflow"] { return json(organization["workflow_permissions"]!, request) }
        case "repos" where parts.count >= 4 && parts[1] == "acme":
            let name = parts[2]
            guard let object = settings[name] else { return .json(#"{"message":"Not Found"}"#, status: 404) }
            let rest = Array(parts.dropFirst(3))
            switch rest.first {
            case "git" where rest.count == 3 && rest[1] == "trees":
                let sha = rest[2]
                if sha == (object["default_branch"] as? String ?? "main") {
                    if name == "api", faults.truncatedRootTree {
                        let many = (0..<50).map { ["path": "file\($0).txt", "type": "blob", "mode": "100644", "sha": GitObjectID.blob(Array("\($0)".utf8))] }
                        return json(["sha": Self.treeSHA("root-\(name)"), "truncated": true, "tree": many], request)
                    }
                    return json(["sha": Self.treeSHA("root-\(name)"), "truncated": false, "tree": [
                        ["path": "README.md", "type": "blob", "mode": "100644", "sha": GitObjectID.blob(Array("readme".utf8))],
                        ["path": ".github", "type": "tree", "mode": "040000", "sha": Self.treeSHA("gh-\(name)")],
                    ]], request)
                }
                if sha == Self.treeSHA("gh-\(name)") {
                    return json(["sha": sha, "tree": [["path": "workflows", "type": "tree", "mode": "040000", "sha": Self.treeSHA("wf-\(name)")]]], request)
                }
                if sha == Self.treeSHA("wf-\(name)") {
                    var entries = workflowFiles(name).map { file -> [String: Any] in
                        ["path": file, "type": "blob", "mode": "100644", "sha": GitObjectID.blob(workflowBytes(name, file))]
                    } + [["path": "scripts", "type": "tree", "mode": "040000", "sha": Self.treeSHA("nested-\(name)")]]
                    if name == "api", faults.unsafeTreeName {
                        entries.append(["path": "../escape.yml", "type": "blob", "mode": "100644", "sha": GitObjectID.blob(Array("x".utf8))])
                    }
                    return json(["sha": sha, "tree": entries], request)
                }
            case "git" where rest.count == 3 && rest[1] == "blobs":
                guard let file = workflowFiles(name).first(where: { GitObjectID.blob(workflowBytes(name, $0)) == rest[2] }) else { break }
                var bytes = Data(workflowBytes(name, file))
                if name == "web", file == "deploy.yml", faults.tamperedBlob {
                    bytes = Data("on: push\njobs: {}\n# not what the SHA names\n".utf8)
                }
                var answer = json(["sha": rest[2], "encoding": "base64", "size": bytes.count,
                                   "content": bytes.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])], request)
                if name == "web", file == "deploy.yml", faults.slowBlobDelay > 0 { answer.delay = faults.slowBlobDelay }
                return answer
            case "contents" where rest.count == 3 && rest[1] == ".github" && rest[2] == "workflows":
                var entries = workflowFiles(name).map { file -> [String: Any] in
                    ["name": file, "path": ".github/workflows/\(file)", "type": "file", "sha": GitObjectID.blob(workflowBytes(name, file)),
                     "size": workflowBytes(name, file).count]
                }
                if faults.fullFolderListing {
                    entries += (entries.count..<1000).map { ["name": "notes\($0).md", "path": ".github/workflows/notes\($0).md", "type": "file",
                                                              "sha": GitObjectID.blob(Array("\($0)".utf8)), "size": 1] }
                }
                return json(entries, request)
            case "environments" where rest.count == 1:
                if name == "docs", faults.hugeEnvironmentsBytes > 0 {
                    let total = faults.hugeEnvironmentsBytes
                    var answer = LoopbackHTTPServer.Response(status: 200)
                    answer.raw = { send in
                        guard send(Data("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"environments\": [\"".utf8)) else { return }
                        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 16)
                        var sent = 0
                        while sent < total, send(chunk) { sent += chunk.count }
                    }
                    return answer
                }
                if name == "api", fault("environments502", limit: faults.environments502) {
                    return .init(status: 502, body: Data("<html>Bad Gateway</html>".utf8))
                }
                if name == "docs", faults.malformedDocsEnvironments {
                    return .json(#"{"total_count": 1, "environments": [{"name": "github-pages""#)
                }
                return json(object["environments"] ?? ["total_count": 0, "environments": []], request)
            case "environments" where rest.count == 3 && rest[2] == "deployment-branch-policies":
                let policies = (object["deployment_branch_policies"] as? [String: Any])?[rest[1]] ?? ["total_count": 0, "branch_policies": []]
                return json(policies, request)
            case "rules" where rest.count >= 3 && rest[1] == "branches":
                if faults.noRulesets { return .json(#"{"message":"Not Found"}"#, status: 404) }
                let branch = rest.dropFirst(2).joined(separator: "/")
                return json((object["branch_rules"] as? [String: Any])?[branch] ?? [Any](), request)
            case "branches" where rest.count >= 2:
                let branch = rest.dropFirst().joined(separator: "/")
                let rules = (object["branch_rules"] as? [String: Any])?[branch] as? [Any] ?? []
                return json(["name": branch, "protected": !rules.isEmpty, "protection": ["enabled": !rules.isEmpty]], request)
            case "actions" where rest.suffix(3) == ["oidc", "customization", "sub"]:
                if name == "web", fault("secondary", limit: faults.secondaryRateLimit) {
                    return .json(#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#,
                                 status: 403, headers: ["Retry-After": "1"])
                }
                return json(object["oidc_subject_claim"]!, request)
            case "actions" where rest.suffix(2) == ["permissions", "workflow"]:
                if name == "infra", faults.infraPermissionsForbidden {
                    return .json(#"{"message":"Resource not accessible by personal access token"}"#, status: 403,
                                 headers: ["X-Accepted-GitHub-Permissions": "administration=read"])
                }
                return json(object["workflow_permissions"]!, request)
            default:
                break
            }
        default:
            break
        }
        return .json(#"{"message":"Not Found"}"#, status: 404)
    }

    // MARK: GitHub GraphQL

    /// The repositories as GitHub's listing gives them, the archived and forked ones included.
    private var listing: [(name: String, archived: Bool, fork: Bool)] {
        repositories.map { ($0, false, false) } + [("old", true, false), ("forked", false, true)]
    }

    private func graphQLNode(_ name: String, archived: Bool, fork: Bool, content: Bool, faults: Faults) -> [String: Any] {
        let object = settings[name] ?? [:]
        var node: [String: Any] = [
            "nameWithOwner": "acme/\(name)", "databaseId": object["repository_id"] ?? 1, "isArchived": archived, "isFork": fork,
            "visibility": (object["visibility"] as? String ?? "private").uppercased(),
            "owner": ["__typename": "Organization", "login": "acme", "databaseId": object["owner_id"] ?? 1],
            "defaultBranchRef": ["name": object["default_branch"] ?? "main"],
        ]
        guard content else { return node }
        let files = workflowFiles(name)
        node["workflows"] = files.isEmpty ? NSNull() : ["entries": files.map { file -> [String: Any] in
            var text = String(decoding: workflowBytes(name, file), as: UTF8.self)
            if faults.graphQLWrongText, name == "web", file == "deploy.yml" { text += "\n# changed in transit\n" }
            return ["name": file, "type": "blob", "mode": 33188, "oid": GitObjectID.blob(workflowBytes(name, file)),
                    "object": ["isBinary": false, "isTruncated": false, "text": text]]
        } + [["name": "scripts", "type": "tree", "mode": 16384, "oid": Self.treeSHA("nested-\(name)"), "object": [:] as [String: Any]]]]
        let environments = ((object["environments"] as? [String: Any])?["environments"] as? [[String: Any]]) ?? []
        node["environments"] = ["totalCount": environments.count, "nodes": environments.prefix(10).map { environment -> [String: Any] in
            ["name": environment["name"] ?? "", "databaseId": environment["id"] ?? NSNull(),
             "protectionRules": ["totalCount": (environment["protection_rules"] as? [Any])?.count ?? 0]]
        }]
        let rulesets = (object["rulesets"] as? [[String: Any]] ?? []).filter { $0["target"] as? String == "tag" }
        node["tagRulesets"] = ["totalCount": rulesets.count, "nodes": rulesets.map { ruleset -> [String: Any] in
            let refName = (ruleset["conditions"] as? [String: Any])?["ref_name"] as? [String: Any] ?? [:]
            let rules = ruleset["rules"] as? [[String: Any]] ?? []
            return ["databaseId": ruleset["id"] ?? NSNull(), "name": ruleset["name"] ?? NSNull(), "target": "TAG",
                    "enforcement": (ruleset["enforcement"] as? String ?? "active").uppercased(),
                    "conditions": ["refName": ["include": refName["include"] ?? [Any](), "exclude": refName["exclude"] ?? [Any]()]],
                    "rules": ["totalCount": rules.count, "nodes": rules.map { ["type": ($0["type"] as? String ?? "").uppercased()] }]]
        }]
        let defaultRules = ((object["branch_rules"] as? [String: Any])?[object["default_branch"] as? String ?? "main"] as? [[String: Any]]) ?? []
        node["branchRules"] = ["rules": ["totalCount": defaultRules.count, "nodes": defaultRules.map { rule -> [String: Any] in
            var parameters: [String: Any] = [:]
            if let count = (rule["parameters"] as? [String: Any])?["required_approving_review_count"] { parameters["requiredApprovingReviewCount"] = count }
            return ["type": (rule["type"] as? String ?? "").uppercased(), "parameters": parameters.isEmpty ? NSNull() : parameters,
                    "repositoryRuleset": ["databaseId": rule["ruleset_id"] ?? NSNull(),
                                          "source": ["__typename": rule["ruleset_source_type"] ?? "Repository"]]]
        }]]
        return node
    }

    private func graphQLAnswer(_ request: LoopbackHTTPServer.Request, faults: Faults) -> LoopbackHTTPServer.Response {
        if faults.noGraphQL { return .json(#"{"message":"Not Found"}"#, status: 404) }
        guard request.method == "POST", let body = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
              let query = body["query"] as? String else {
            return .json(#"{"message":"Problems parsing JSON"}"#, status: 400)
        }
        let variables = body["variables"] as? [String: Any] ?? [:]
        let rateLimit: [String: Any] = ["cost": 1, "remaining": 4990, "resetAt": "2026-11-30T01:00:00Z"]
        if query.contains("query TrustauditRepositoryList") {
            guard variables["login"] as? String == "acme" else {
                return .json(object: ["data": ["rateLimit": rateLimit, "organization": NSNull()],
                                      "errors": [["type": "NOT_FOUND", "path": ["organization"], "message": "Could not resolve to an Organization with the login of '\(variables["login"] ?? "")'."]]])
            }
            let shown = listing.filter { (!$0.archived || !query.contains("isArchived: false")) && (!$0.fork || !query.contains("isFork: false")) }
            let start = Int((variables["after"] as? String ?? "cursor-0").dropFirst("cursor-".count)) ?? 0
            let page = Array(shown.dropFirst(start).prefix(3))
            let end = start + page.count
            return .json(object: ["data": ["rateLimit": rateLimit, "organization": ["repositories": [
                "totalCount": shown.count, "pageInfo": ["hasNextPage": end < shown.count, "endCursor": "cursor-\(end)"],
                "nodes": page.map { graphQLNode($0.name, archived: $0.archived, fork: $0.fork, content: false, faults: faults) },
            ]]]])
        }
        if query.contains("query TrustauditRepositoryContent") {
            let count = variables.keys.filter { $0.hasPrefix("o") }.count
            if faults.graphQLBatches502, count > 1 { return .init(status: 502, body: Data("<html>502</html>".utf8)) }
            var data: [String: Any] = ["rateLimit": rateLimit]
            var errors: [[String: Any]] = []
            for index in 0..<count {
                let owner = variables["o\(index)"] as? String ?? ""
                let name = variables["n\(index)"] as? String ?? ""
                if let entry = listing.first(where: { $0.name == name }), owner == "acme" {
                    data["r\(index)"] = graphQLNode(entry.name, archived: entry.archived, fork: entry.fork, content: true, faults: faults)
                } else {
                    data["r\(index)"] = NSNull()
                    errors.append(["type": "NOT_FOUND", "path": ["r\(index)"], "message": "Could not resolve to a Repository with the name '\(owner)/\(name)'."])
                }
            }
            var answer: [String: Any] = ["data": data]
            if !errors.isEmpty { answer["errors"] = errors }
            return .json(object: answer)
        }
        return .json(#"{"errors":[{"message":"unknown operation"}]}"#)
    }

    // MARK: Octopus

    func octopusAnswer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        let parts = request.path.split(separator: "/").map(String.init)
        if parts == ["api"] {
            return .json(object: ["Application": "Octopus Deploy", "Version": "2025.1.1", "ApiVersion": "3.0.0",
                                  "InstallationId": "79af4d4a-dc7f-479c-b0c5-8bf30cb0a827", "Links": ["Self": "/api"]])
        }
        guard request.headers["x-octopus-apikey"] == Self.apiKey else {
            return .json(#"{"ErrorMessage":"You must be logged in to perform this action."}"#, status: 401)
        }
        let skip = Int(request.query["skip"] ?? "0") ?? 0
        let take = Int(request.query["take"] ?? "30") ?? 30
        func page(_ items: [Any], extra: [String: Any] = [:]) -> LoopbackHTTPServer.Response {
            var body = extra
            body["Items"] = Array(items.dropFirst(skip).prefix(take))
            body["TotalResults"] = items.count
            body["ItemsPerPage"] = take
            return json(body, request)
        }
        switch Array(parts.dropFirst()) {
        case ["users", "me"]:
            return json(["Id": "Users-1", "Username": "auditor", "IsService": true], request)
        case ["users"]:
            guard request.query["isServiceAccount"] == "true" else { return .init(status: 400) }
            return page((octopusExport["users"] as! [String: Any])["Items"] as! [Any], extra: ["ItemType": "User"])
        case let path where path.count == 4 && path[0] == "serviceaccounts" && path[2] == "oidcidentities":
            var body = (octopusExport["oidc_identities"] as! [String: Any])[path[1]] as? [String: Any] ?? ["Count": 0, "OidcIdentities": []]
            let all = body["OidcIdentities"] as? [Any] ?? []
            body["OidcIdentities"] = Array(all.dropFirst(skip).prefix(take))
            body["Count"] = all.count
            return json(body, request)
        case let path where path.count == 3 && path[0] == "users" && path[2] == "apikeys":
            let body = (octopusExport["api_keys"] as! [String: Any])[path[1]] as? [String: Any] ?? ["Items": []]
            // A real server never returns a key's secret; this one echoes the caller's key, to
            // prove it is redacted before anything is stored.
            let items = (body["Items"] as? [Any] ?? []).map { item -> Any in
                var object = item as! [String: Any]
                object["ApiKey"] = Self.apiKey
                return object
            }
            return page(items)
        case let path where path.count == 3 && path[0] == "users" && path[2] == "permissions":
            if currentFaults.octopusPermissions500, path[1] == "Users-109" { return .init(status: 500) }
            var body = (octopusExport["permissions"] as! [String: Any])[path[1]] as? [String: Any] ?? [:]
            body["Links"] = ["Self": "/api/users/\(path[1])/permissions?apikey=\(Self.apiKey)"]
            // What Octopus really sends besides the permissions (UserPermissionSetResource).
            body["Id"] = "\(path[1])-permissions"
            body["IsPermissionsComplete"] = !(currentFaults.incompletePermissions && path[1] == "Users-109")
            body["IsTeamsComplete"] = true
            body["LastModifiedBy"] = NSNull()
            body["LastModifiedOn"] = NSNull()
            body["Teams"] = (body["Teams"] as? [Any] ?? []).map { team -> Any in
                guard var object = team as? [String: Any] else { return team }
                object["IsDirectlyAssigned"] = true
                object["ExternalSecurityGroups"] = [] as [Any]
                return object
            }
            return json(body, request)
        default:
            break
        }
        return .json(#"{"ErrorMessage":"Not found"}"#, status: 404)
    }
}

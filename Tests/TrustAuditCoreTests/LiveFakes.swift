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
            return .init(status: 304, headers: all)
        }
        return .json(String(decoding: body, as: UTF8.self), headers: all)
    }

    private func workflowFiles(_ repository: String) -> [String] {
        let folder = demo.appendingPathComponent(repository).appendingPathComponent(".github/workflows")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    // MARK: GitHub

    func githubAnswer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        guard request.headers["authorization"] == "Bearer \(Self.token)" else {
            return .json(#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#, status: 401)
        }
        let faults = currentFaults
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
                    headers["Link"] = "<\(github.baseURL.absoluteString)/orgs/acme/repos?type=all&per_page=100&page=\(page + 1)>; rel=\"next\", <\(github.baseURL.absoluteString)/orgs/acme/repos?page=3>; rel=\"last\""
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
                    return json(["sha": "root-\(name)", "truncated": false, "tree": [
                        ["path": "README.md", "type": "blob", "mode": "100644", "sha": "readme-\(name)"],
                        ["path": ".github", "type": "tree", "mode": "040000", "sha": "gh-\(name)"],
                    ]], request)
                }
                if sha == "gh-\(name)" {
                    return json(["sha": sha, "tree": [["path": "workflows", "type": "tree", "mode": "040000", "sha": "wf-\(name)"]]], request)
                }
                if sha == "wf-\(name)" {
                    let entries = workflowFiles(name).enumerated().map { index, file -> [String: Any] in
                        ["path": file, "type": "blob", "mode": "100644", "sha": "blob-\(name)-\(index)"]
                    } + [["path": "scripts", "type": "tree", "mode": "040000", "sha": "nested-\(name)"]]
                    return json(["sha": sha, "tree": entries], request)
                }
            case "git" where rest.count == 3 && rest[1] == "blobs":
                let files = workflowFiles(name)
                guard let index = Int(rest[2].split(separator: "-").last ?? ""), files.indices.contains(index) else { break }
                let bytes = try! Data(contentsOf: demo.appendingPathComponent(name).appendingPathComponent(".github/workflows").appendingPathComponent(files[index]))
                var answer = json(["sha": rest[2], "encoding": "base64", "size": bytes.count,
                                   "content": bytes.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])], request)
                if name == "web", files[index] == "deploy.yml", faults.slowBlobDelay > 0 { answer.delay = faults.slowBlobDelay }
                return answer
            case "environments" where rest.count == 1:
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
            return json(body, request)
        default:
            break
        }
        return .json(#"{"ErrorMessage":"Not found"}"#, status: 404)
    }
}

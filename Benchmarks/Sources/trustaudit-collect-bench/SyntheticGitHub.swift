import Foundation
import TrustAuditCore

/// A GitHub organization of N generated repositories behind GitHub-shaped REST and GraphQL
/// endpoints, with ETags and 304s as GitHub sends them. Per repository: one to three workflows;
/// three in ten have environments, two in ten a protected `production` (reviewers), and one in
/// ten custom branch policies on it. The same seed gives the same organization.
final class SyntheticGitHub: @unchecked Sendable {
    struct Environment {
        var name: String
        var id: Int
        var protected: Bool
        var customBranches: [String]
    }

    struct Repository {
        var name: String
        var id: Int
        var workflows: [(name: String, bytes: [UInt8], sha: String)]
        var environments: [Environment]
    }

    /// What the server answered, by kind.
    struct Counts {
        var rest = 0
        var notModified = 0
        var graphQL = 0
    }

    let organization = "acme"
    let repositories: [Repository]
    private let index: [String: Int]
    private let lock = NSLock()
    private var counts = Counts()

    init(count: Int) {
        var list: [Repository] = []
        for number in 0..<count {
            let name = String(format: "service-%05d", number)
            var workflows: [(String, [UInt8], String)] = []
            let ci = "name: CI\non: [push, pull_request]\npermissions: { contents: read }\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test # \(name)\n"
            workflows.append(("ci.yml", Array(ci.utf8), GitObjectID.blob(Array(ci.utf8))))
            if number % 3 != 0 {
                let deploy = """
                    name: Deploy
                    on: { push: { branches: [main] } }
                    permissions: { id-token: write, contents: read }
                    jobs:
                      deploy:
                        runs-on: ubuntu-latest
                        environment: \(number % 10 < 3 ? "production" : "none")
                        steps:
                          - uses: OctopusDeploy/login@v1
                            with: { server: "https://acme.octopus.app", service_account_id: "6e2b1c7a-0000-4000-8000-\(String(format: "%012d", number))" }

                    """
                workflows.append(("deploy.yml", Array(deploy.utf8), GitObjectID.blob(Array(deploy.utf8))))
            }
            if number % 5 == 1 {
                let lint = "on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps: [{ run: echo lint }]\n"
                workflows.append(("lint.yaml", Array(lint.utf8), GitObjectID.blob(Array(lint.utf8))))
            }
            var environments: [Environment] = []
            if number % 10 < 3 {
                environments.append(Environment(name: "production", id: 900_000 + number, protected: number % 10 < 2,
                                                customBranches: number % 10 == 0 ? ["main", "release/*"] : []))
                environments.append(Environment(name: "staging", id: 800_000 + number, protected: false, customBranches: []))
            }
            list.append(Repository(name: name, id: 700_000 + number, workflows: workflows.map { ($0.0, $0.1, $0.2) }, environments: environments))
        }
        repositories = list
        index = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.name, $0) })
    }

    var answered: Counts { lock.withLock { counts } }

    private static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// A REST answer with an ETag and rate headers; 304 when the client already has it.
    private func rest(_ object: Any, _ request: LatencyHTTPServer.Request) -> LatencyHTTPServer.Response {
        let body = Self.json(object)
        let etag = "\"\(SHA256.hex([UInt8](body)).prefix(20))\""
        let notModified = request.headers["if-none-match"] == etag
        let spent = lock.withLock { () -> Int in
            counts.rest += 1
            if notModified { counts.notModified += 1 }
            return counts.rest - counts.notModified
        }
        let headers = ["ETag": etag, "Content-Type": "application/json", "X-RateLimit-Limit": "5000",
                       "X-RateLimit-Remaining": String(max(0, 5000 - spent % 5000)),
                       "X-RateLimit-Reset": String(Int(Date().timeIntervalSince1970) + 3600)]
        return notModified ? .init(status: 304, headers: headers) : .init(status: 200, headers: headers, body: body)
    }

    private func environmentBody(_ environment: Environment) -> [String: Any] {
        var rules: [[String: Any]] = []
        if environment.protected {
            rules.append(["id": environment.id * 10, "node_id": "R_\(environment.id)", "type": "required_reviewers", "prevent_self_review": true,
                          "reviewers": [["type": "Team", "reviewer": ["id": 42, "slug": "release-managers", "name": "Release managers"]]]])
        }
        var policy: Any = NSNull()
        if !environment.customBranches.isEmpty {
            rules.append(["id": environment.id * 10 + 1, "node_id": "B_\(environment.id)", "type": "branch_policy"])
            policy = ["protected_branches": false, "custom_branch_policies": true]
        }
        return ["id": environment.id, "node_id": "E_\(environment.id)", "name": environment.name, "can_admins_bypass": false,
                "protection_rules": rules, "deployment_branch_policy": policy]
    }

    func answer(_ request: LatencyHTTPServer.Request) -> LatencyHTTPServer.Response {
        if request.path == "/graphql" { return graphQL(request) }
        let parts = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch parts.first {
        case "rate_limit":
            return rest(["resources": ["core": ["limit": 5000]]], request)
        case "orgs" where parts.count >= 3 && parts[1] == organization:
            if parts.suffix(3) == ["oidc", "customization", "sub"] { return rest(["include_claim_keys": ["repo", "context"]], request) }
            if parts.suffix(2) == ["permissions", "workflow"] {
                return rest(["default_workflow_permissions": "read", "can_approve_pull_request_reviews": false], request)
            }
        case "repos" where parts.count >= 4 && parts[1] == organization:
            guard let position = index[parts[2]] else { break }
            let repository = repositories[position]
            let rest = Array(parts.dropFirst(3))
            if rest.suffix(3) == ["oidc", "customization", "sub"] { return self.rest(["use_default": true], request) }
            if rest.suffix(2) == ["permissions", "workflow"] {
                return self.rest(["default_workflow_permissions": "read", "can_approve_pull_request_reviews": false], request)
            }
            if rest == ["environments"] {
                return self.rest(["total_count": repository.environments.count, "environments": repository.environments.map(environmentBody)], request)
            }
            if rest.count == 3, rest[0] == "environments", rest[2] == "deployment-branch-policies",
               let environment = repository.environments.first(where: { $0.name == rest[1] }) {
                return self.rest(["total_count": environment.customBranches.count,
                                  "branch_policies": environment.customBranches.enumerated().map { ["id": $0.offset + 1, "name": $0.element, "type": "branch"] }], request)
            }
            if rest.count == 3, rest[0] == "git", rest[1] == "blobs", let file = repository.workflows.first(where: { $0.sha == rest[2] }) {
                return self.rest(["sha": file.sha, "encoding": "base64", "size": file.bytes.count, "content": Data(file.bytes).base64EncodedString()], request)
            }
        default:
            break
        }
        lock.withLock { counts.rest += 1 }
        return .init(status: 404, headers: ["Content-Type": "application/json"], body: Data(#"{"message":"Not Found"}"#.utf8))
    }

    private func listing(_ repository: Repository) -> [String: Any] {
        ["nameWithOwner": "\(organization)/\(repository.name)", "databaseId": repository.id, "isArchived": false, "isFork": false,
         "visibility": "PRIVATE", "owner": ["__typename": "Organization", "login": organization, "databaseId": 4_510_001],
         "defaultBranchRef": ["name": "main"]]
    }

    private func graphQL(_ request: LatencyHTTPServer.Request) -> LatencyHTTPServer.Response {
        lock.withLock { counts.graphQL += 1 }
        guard let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any], let query = body["query"] as? String else {
            return .init(status: 400, body: Data(#"{"message":"Problems parsing JSON"}"#.utf8))
        }
        let variables = body["variables"] as? [String: Any] ?? [:]
        var data: [String: Any] = [:]
        if query.contains("TrustauditRepositoryList") {
            let start = Int((variables["after"] as? String ?? "cursor-0").dropFirst("cursor-".count)) ?? 0
            let page = repositories.dropFirst(start).prefix(100)
            let end = start + page.count
            data["organization"] = ["repositories": ["totalCount": repositories.count,
                                                     "pageInfo": ["hasNextPage": end < repositories.count, "endCursor": "cursor-\(end)"],
                                                     "nodes": page.map(listing)]]
            data["rateLimit"] = ["cost": 1, "remaining": 4999, "resetAt": "2026-11-30T02:00:00Z"]
        } else {
            let count = variables.keys.filter { $0.hasPrefix("n") }.count
            for alias in 0..<count {
                guard let name = variables["n\(alias)"] as? String, let position = index[name] else {
                    data["r\(alias)"] = NSNull()
                    continue
                }
                let repository = repositories[position]
                var node = listing(repository)
                node["workflows"] = ["entries": repository.workflows.map { file -> [String: Any] in
                    ["name": file.name, "type": "blob", "mode": 33188, "oid": file.sha,
                     "object": ["isBinary": false, "isTruncated": false, "text": String(decoding: file.bytes, as: UTF8.self)]]
                }]
                node["environments"] = ["totalCount": repository.environments.count, "nodes": repository.environments.map { environment -> [String: Any] in
                    ["name": environment.name, "databaseId": environment.id,
                     "protectionRules": ["totalCount": (environment.protected ? 1 : 0) + (environment.customBranches.isEmpty ? 0 : 1)]]
                }]
                node["branchRules"] = ["rules": ["totalCount": 0, "nodes": [Any]()]]
                node["tagRulesets"] = ["totalCount": 0, "nodes": [Any]()]
                data["r\(alias)"] = node
            }
            // GitHub's cost: the connection requests the query may need (per repository its
            // environments, and per environment its rules), divided by 100 and rounded, at least 1.
            data["rateLimit"] = ["cost": max(1, Int((Double(count * (1 + 10)) / 100).rounded())), "remaining": 4999, "resetAt": "2026-11-30T02:00:00Z"]
        }
        return .init(status: 200, headers: ["Content-Type": "application/json"], body: Self.json(["data": data]))
    }
}

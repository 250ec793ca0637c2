import Foundation

/// What the GraphQL API told about one repository, in one query with many others: the facts of
/// its listing entry, its default branch's `.github/workflows` entries with their blob text, and
/// its environments with how many protection rules each has.
struct GraphQLRepository: Sendable {
    struct Entry: Sendable {
        var name: String
        /// `blob`, `tree`, `commit`.
        var type: String
        /// Git's file mode as a number (0o120000 is a symlink).
        var mode: Int
        var oid: String
        /// Nil for a binary or truncated blob, or when not asked.
        var text: String?
    }

    struct Environment: Sendable {
        var name: String
        var databaseId: Int?
        var protectionRules: Int
    }

    /// One rule of an active ruleset applying to the default branch (`Ref.rules`), in the shape
    /// `GET /repos/{o}/{r}/rules/branches/{branch}` returns it, so exports read both the same way.
    struct BranchRule: Sendable {
        /// REST spelling: GraphQL's `PULL_REQUEST` is `pull_request`.
        var type: String
        var requiredApprovingReviewCount: Int?
        var rulesetID: Int?
        /// `Repository` or `Organization`.
        var sourceType: String?

        var restBody: [String: Any] {
            var body: [String: Any] = ["type": type]
            if let requiredApprovingReviewCount { body["parameters"] = ["required_approving_review_count": requiredApprovingReviewCount] }
            if let rulesetID { body["ruleset_id"] = rulesetID }
            if let sourceType { body["ruleset_source_type"] = sourceType }
            return body
        }
    }

    var fullName: String
    /// Nil: the repository has no `.github/workflows` folder on its default branch (or no branch).
    var workflows: [Entry]?
    /// Every rule applying to the default branch; nil when GraphQL did not give all of them (more
    /// than one page, or a server without `Ref.rules`), so REST asks instead.
    var defaultBranchRules: [BranchRule]?
    /// One tag ruleset (the repository's own or its organization's).
    struct TagRuleset: Sendable {
        var id: Int?
        var name: String?
        var target: String
        var enforcement: String
        var include: [String]
        var exclude: [String]
        var ruleTypes: [String]

        /// The shape `GET /repos/{o}/{r}/rulesets/{id}` returns, which settings exports hold.
        var restBody: [String: Any] {
            var body: [String: Any] = ["target": target, "enforcement": enforcement,
                                       "conditions": ["ref_name": ["include": include, "exclude": exclude]],
                                       "rules": ruleTypes.map { ["type": $0] }]
            if let id { body["id"] = id }
            if let name { body["name"] = name }
            return body
        }
    }

    /// The repository's tag rulesets; nil when not all of them came back.
    var tagRulesets: [TagRuleset]?
    var environmentsTotal: Int
    var environments: [Environment]
}

/// The GraphQL side of the GitHub collector: one light query pages through an organization's
/// repositories (100 per page), then repositories are fetched in batches by alias, each batch one
/// query, with what GraphQL can give in bulk (see ``GraphQLRepository``). Every answer's
/// `rateLimit { cost remaining resetAt }` is read and totalled.
///
/// Batches are sized by GraphQL's limits: a query may touch at most 500,000 nodes, and costs one
/// point per hundred connection requests it may need. A batch that fails as a whole (a timeout,
/// a 502) is split in two and retried, down to single repositories, so one huge repository
/// cannot keep its neighbours from being collected.
struct GitHubGraphQL: Sendable {
    /// Environments fetched per repository; a repository with more is collected by REST.
    static let environmentsPerRepository = 10
    /// GitHub's ceiling on the nodes one query may touch.
    static let nodeLimit = 500_000

    let client: HTTPClient
    let endpoint: URL
    let batchSize: Int
    let usage: GraphQLUsage
    let onEvent: @Sendable (LiveEvent) -> Void

    /// `https://api.github.com/graphql`, or `https://HOST/api/graphql` for `https://HOST/api/v3`.
    static func endpoint(forAPI api: String) -> URL? {
        if api.hasSuffix("/api/v3") { return URL(string: String(api.dropLast(2)) + "graphql") }
        return URL(string: api + "/graphql")
    }

    /// Nodes one batch may touch: each repository, its environments and their rule connections.
    static func nodes(batch: Int) -> Int {
        batch * (1 + environmentsPerRepository * 2)
    }

    /// The largest batch within the node limit, and never more than asked.
    static func batchSize(requested: Int) -> Int {
        max(1, min(requested, nodeLimit / nodes(batch: 1)))
    }

    enum Failure: Error {
        /// The endpoint is not a GraphQL API this collector can use (old Enterprise Server, a
        /// proxy that only passes REST): the caller falls back to REST.
        case unavailable(String)
        /// The query failed: the caller reports what it was for.
        case failed(HTTPFailure)
    }

    // MARK: Listing

    /// Listing entries of the organization's repositories, archived and forks filtered out by
    /// GitHub unless included. Nil: the organization does not exist or is not visible.
    func organizationRepositories(_ organization: String, includeArchived: Bool, includeForks: Bool) async throws
        -> (repositories: [GitHubCollector.RepositoryInfo], stopped: HTTPFailure?)? {
        var filters = ""
        if !includeArchived { filters += ", isArchived: false" }
        if !includeForks { filters += ", isFork: false" }
        let query = """
            query TrustauditRepositoryList($login: String!, $after: String) {
              rateLimit { cost remaining resetAt }
              organization(login: $login) {
                repositories(first: 100, after: $after\(filters), orderBy: {field: NAME, direction: ASC}) {
                  totalCount
                  pageInfo { hasNextPage endCursor }
                  nodes { \(Self.listingFields) }
                }
              }
            }
            """
        var result: [GitHubCollector.RepositoryInfo] = []
        var cursors: Set<String> = []
        var after: String?
        for _ in 0..<10_000 {
            var variables: [String: Any] = ["login": organization]
            if let after { variables["after"] = after }
            let data: [String: Any]
            do {
                data = try await run(query, variables: variables).data
            } catch Failure.failed(let failure) where !result.isEmpty {
                return (result, failure)
            }
            guard let org = data["organization"] as? [String: Any] else { return nil }
            let connection = org["repositories"] as? [String: Any]
            for case let node as [String: Any] in connection?["nodes"] as? [Any] ?? [] {
                if let info = GitHubCollector.RepositoryInfo(graphQL: node) { result.append(info) }
            }
            let page = connection?["pageInfo"] as? [String: Any]
            guard page?["hasNextPage"] as? Bool == true, let cursor = page?["endCursor"] as? String else { return (result, nil) }
            guard cursors.insert(cursor).inserted else {
                return (result, HTTPFailure(url: endpoint.absoluteString, status: nil,
                                            reason: "pagination loops: the cursor after \(result.count) repositories was already used"))
            }
            after = cursor
        }
        return (result, HTTPFailure(url: endpoint.absoluteString, status: nil, reason: "more than 10,000 pages; stopped"))
    }

    static let listingFields = """
        nameWithOwner databaseId isArchived isFork visibility \
        owner { __typename login ... on Organization { databaseId } ... on User { databaseId } } \
        defaultBranchRef { name }
        """

    // MARK: Content

    static let contentFields = """
        \(listingFields) \
        workflows: object(expression: "HEAD:.github/workflows") { \
        ... on Tree { entries { name type mode oid object { ... on Blob { isBinary isTruncated text } } } } } \
        environments(first: \(environmentsPerRepository)) { totalCount nodes { name databaseId protectionRules(first: 1) { totalCount } } } \
        branchRules: defaultBranchRef { rules(first: \(rulesPerBranch)) { totalCount nodes { type \
        parameters { ... on PullRequestParameters { requiredApprovingReviewCount } } \
        repositoryRuleset { databaseId source { __typename } } } } } \
        tagRulesets: rulesets(first: \(tagRulesetsPerRepository), includeParents: true, targets: [TAG]) { totalCount nodes { \
        databaseId name target enforcement conditions { refName { include exclude } } \
        rules(first: \(rulesPerBranch)) { totalCount nodes { type } } } }
        """

    /// Tag rulesets asked per repository; a repository with more has them "not collected".
    static let tagRulesetsPerRepository = 20

    /// Rules of the default branch asked per repository; more are read through REST.
    static let rulesPerBranch = 50

    /// The content of `names` (`owner/name`), in batches. Per name: the repository and its
    /// listing entry, nil when GitHub does not know it (or the token cannot see it), or the
    /// failure that kept it from being fetched.
    func repositories(_ names: [String]) async throws -> [String: Result<(GitHubCollector.RepositoryInfo, GraphQLRepository)?, HTTPFailure>] {
        var results: [String: Result<(GitHubCollector.RepositoryInfo, GraphQLRepository)?, HTTPFailure>] = [:]
        var pending: [[String]] = stride(from: 0, to: names.count, by: batchSize).map { Array(names[$0..<min($0 + batchSize, names.count)]) }
        var done = 0
        while let batch = pending.first {
            pending.removeFirst()
            do {
                let answers = try await fetch(batch)
                for (name, answer) in zip(batch, answers) { results[name] = answer }
                done += batch.count
                onEvent(.verbose("github: GraphQL: \(done)/\(names.count) repositories fetched, \(usage.snapshot.description)"))
            } catch Failure.failed(let failure) {
                if batch.count > 1 {
                    let half = batch.count / 2
                    onEvent(.verbose("github: GraphQL batch of \(batch.count) failed (\(failure.reason)); retrying as two of \(half) and \(batch.count - half)"))
                    pending.insert(contentsOf: [Array(batch[..<half]), Array(batch[half...])], at: 0)
                } else {
                    results[batch[0]] = .failure(failure)
                }
            }
        }
        return results
    }

    private func fetch(_ batch: [String]) async throws -> [Result<(GitHubCollector.RepositoryInfo, GraphQLRepository)?, HTTPFailure>] {
        var declarations: [String] = []
        var selections: [String] = []
        var variables: [String: Any] = [:]
        for (index, name) in batch.enumerated() {
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            declarations.append("$o\(index): String!, $n\(index): String!")
            selections.append("r\(index): repository(owner: $o\(index), name: $n\(index)) { ...Content }")
            variables["o\(index)"] = parts.first ?? ""
            variables["n\(index)"] = parts.count > 1 ? parts[1] : ""
        }
        let query = """
            query TrustauditRepositoryContent(\(declarations.joined(separator: ", "))) {
              rateLimit { cost remaining resetAt }
              \(selections.joined(separator: "\n  "))
            }
            fragment Content on Repository { \(Self.contentFields) }
            """
        let (data, errors) = try await run(query, variables: variables, partial: true)
        return batch.indices.map { index in
            if let error = errors.first(where: { ($0["path"] as? [Any])?.first as? String == "r\(index)" }),
               !(error["type"] as? String == "NOT_FOUND" && data["r\(index)"].map(JSONTreeReader.isNull) == true) {
                let message = error["message"] as? String ?? "GraphQL error"
                return .failure(HTTPFailure(url: endpoint.absoluteString, status: nil, reason: client.redaction.redact(message)))
            }
            guard let node = data["r\(index)"] as? [String: Any], let info = GitHubCollector.RepositoryInfo(graphQL: node) else { return .success(nil) }
            return .success((info, Self.repository(node, fullName: info.fullName)))
        }
    }

    static func repository(_ node: [String: Any], fullName: String) -> GraphQLRepository {
        var workflows: [GraphQLRepository.Entry]?
        if let tree = node["workflows"] as? [String: Any], let entries = tree["entries"] as? [Any] {
            workflows = entries.compactMap { value in
                guard let entry = value as? [String: Any], let name = entry["name"] as? String, let type = entry["type"] as? String,
                      let oid = entry["oid"] as? String else { return nil }
                let blob = entry["object"] as? [String: Any]
                let usable = blob?["isBinary"] as? Bool != true && blob?["isTruncated"] as? Bool != true
                return GraphQLRepository.Entry(name: name, type: type, mode: LiveJSON.int(entry["mode"]) ?? 0, oid: oid.lowercased(),
                                               text: usable ? blob?["text"] as? String : nil)
            }
        }
        let environments = node["environments"] as? [String: Any]
        let list: [GraphQLRepository.Environment] = (environments?["nodes"] as? [Any] ?? []).compactMap { value in
            guard let environment = value as? [String: Any], let name = environment["name"] as? String else { return nil }
            let rules = (environment["protectionRules"] as? [String: Any]).flatMap { LiveJSON.int($0["totalCount"]) }
            // Unknown counts as protected: the REST listing then says exactly.
            return GraphQLRepository.Environment(name: name, databaseId: LiveJSON.int(environment["databaseId"]), protectionRules: rules ?? 1)
        }
        return GraphQLRepository(fullName: fullName, workflows: workflows, defaultBranchRules: branchRules(node["branchRules"]),
                                 tagRulesets: tagRulesets(node["tagRulesets"]),
                                 environmentsTotal: LiveJSON.int(environments?["totalCount"]) ?? Int.max, environments: list)
    }

    /// Tag rulesets in REST's spelling (`target`, `enforcement` and rule types lower-cased), when
    /// the answer holds every ruleset and every rule of each.
    static func tagRulesets(_ value: Any?) -> [GraphQLRepository.TagRuleset]? {
        guard let connection = value as? [String: Any], let nodes = connection["nodes"] as? [Any],
              LiveJSON.int(connection["totalCount"]) == nodes.count else { return nil }
        var result: [GraphQLRepository.TagRuleset] = []
        for case let node as [String: Any] in nodes {
            guard let target = node["target"] as? String, let enforcement = node["enforcement"] as? String,
                  let rules = node["rules"] as? [String: Any], let ruleNodes = rules["nodes"] as? [Any],
                  LiveJSON.int(rules["totalCount"]) == ruleNodes.count else { return nil }
            let types = ruleNodes.compactMap { ($0 as? [String: Any])?["type"] as? String }
            guard types.count == ruleNodes.count else { return nil }
            let refName = (node["conditions"] as? [String: Any])?["refName"] as? [String: Any]
            result.append(GraphQLRepository.TagRuleset(
                id: LiveJSON.int(node["databaseId"]), name: node["name"] as? String, target: target.lowercased(),
                enforcement: enforcement.lowercased(), include: refName?["include"] as? [String] ?? [],
                exclude: refName?["exclude"] as? [String] ?? [], ruleTypes: types.map { $0.lowercased() }))
        }
        return result.count == nodes.count ? result : nil
    }

    /// The default branch's rules when the answer holds all of them; a rule whose type is missing
    /// makes the list unusable rather than silently shorter.
    static func branchRules(_ value: Any?) -> [GraphQLRepository.BranchRule]? {
        guard let ref = value as? [String: Any], let connection = ref["rules"] as? [String: Any],
              let nodes = connection["nodes"] as? [Any], let total = LiveJSON.int(connection["totalCount"]), total == nodes.count else { return nil }
        var rules: [GraphQLRepository.BranchRule] = []
        for case let node as [String: Any] in nodes {
            guard let type = node["type"] as? String else { return nil }
            let parameters = node["parameters"] as? [String: Any]
            let ruleset = node["repositoryRuleset"] as? [String: Any]
            rules.append(GraphQLRepository.BranchRule(
                type: type.lowercased(), requiredApprovingReviewCount: parameters.flatMap { LiveJSON.int($0["requiredApprovingReviewCount"]) },
                rulesetID: ruleset.flatMap { LiveJSON.int($0["databaseId"]) },
                sourceType: (ruleset?["source"] as? [String: Any])?["__typename"] as? String))
        }
        return rules.count == nodes.count ? rules : nil
    }

    // MARK: Transport

    /// POSTs one query. Throws ``Failure/unavailable(_:)`` when the endpoint is not a usable
    /// GraphQL API, ``Failure/failed(_:)`` when this query failed; with `partial`, an answer with
    /// both `data` and `errors` is returned for the caller to judge per alias.
    private func run(_ query: String, variables: [String: Any], partial: Bool = false) async throws -> (data: [String: Any], errors: [[String: Any]]) {
        let body = JSONDocument.write(["query": query, "variables": variables])
        let response: HTTPResponse
        do {
            response = try await client.post(endpoint, json: body)
        } catch let failure as HTTPFailure {
            throw Failure.failed(failure)
        }
        let location = client.redaction.redact(endpoint.absoluteString)
        if response.status == 404 || response.status == 410 {
            throw Failure.unavailable("HTTP \(response.status) from \(location)")
        }
        guard response.isSuccess else {
            throw Failure.failed(HTTPFailure(url: location, status: response.status, reason: HTTPClient.explain(response, redaction: client.redaction)))
        }
        guard let object = (try? JSONDocument.parse(response.body)) as? [String: Any] else {
            throw Failure.unavailable("\(location) did not answer with JSON")
        }
        let errors = (object["errors"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
        let data = object["data"] as? [String: Any]
        if let rate = data?["rateLimit"] as? [String: Any] {
            usage.record(cost: LiveJSON.int(rate["cost"]) ?? 0, remaining: LiveJSON.int(rate["remaining"]), resetAt: rate["resetAt"] as? String)
        } else {
            usage.record(cost: 0, remaining: nil, resetAt: nil)
        }
        guard let data, partial || errors.isEmpty || errors.allSatisfy({ $0["type"] as? String == "NOT_FOUND" }) else {
            let message = errors.compactMap { $0["message"] as? String }.joined(separator: "; ")
            throw Failure.failed(HTTPFailure(url: location, status: response.status,
                                             reason: client.redaction.redact(message.isEmpty ? "the answer has no data" : message)))
        }
        return (data, errors)
    }
}

/// GraphQL requests and rate-limit points of one collection, for `--verbose` and `scans`.
final class GraphQLUsage: @unchecked Sendable {
    struct Snapshot: Sendable, Equatable, CustomStringConvertible {
        var requests = 0
        var cost = 0
        var remaining: Int?
        var resetAt: String?

        var description: String {
            "\(requests) GraphQL quer\(requests == 1 ? "y" : "ies") costing \(cost) point\(cost == 1 ? "" : "s")"
                + (remaining.map { ", \($0) left until \(resetAt ?? "?")" } ?? "")
        }
    }

    private let lock = NSLock()
    private var value = Snapshot()

    func record(cost: Int, remaining: Int?, resetAt: String?) {
        lock.withLock {
            value.requests += 1
            value.cost += cost
            if let remaining { value.remaining = remaining }
            if let resetAt { value.resetAt = resetAt }
        }
    }

    var snapshot: Snapshot { lock.withLock { value } }
}

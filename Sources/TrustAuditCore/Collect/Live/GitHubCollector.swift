import Foundation

/// What to collect from GitHub.
public struct GitHubCollectorOptions: Sendable {
    public var organizations: [String] = []
    /// `owner/name`.
    public var repositories: [String] = []
    /// `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server.
    public var apiURL = URL(string: "https://api.github.com")!
    public var includeArchived = false
    public var includeForks = false
    /// Collect what GraphQL batches (listings, workflows with their blob text, environments)
    /// through it, many repositories per query; REST for the rest.
    public var useGraphQL = false
    /// Repositories per GraphQL query (bounded by GraphQL's node limit).
    public var graphQLBatchSize = 25
    /// Collect only this shard's part of the repositories.
    public var shard: GitHubShard?

    public init() {}
}

/// One collected repository: its default branch's workflows and its settings export document.
public struct GitHubCollectedRepository: Sendable {
    public var fullName: String
    public var snapshot: RepositorySnapshot
    /// The repository settings document (README, "The trust graph").
    public var settings: InputDocument
}

/// Everything a GitHub collection produced.
public struct GitHubCollection: Sendable {
    /// Organization settings documents (README, "The trust graph").
    public var organizations: [InputDocument]
    public var repositories: [GitHubCollectedRepository]
    public var coverage: CollectionCoverage
    /// What the collection cost in requests and rate-limit points.
    public var usage = CollectionUsage()

    /// The scan's inputs: the same values an offline scan reads from disk.
    public var repositorySources: [RepositorySource] { repositories.map { .memory($0.snapshot) } }
    public var settingsDocuments: [InputDocument] { organizations + repositories.map(\.settings) }
}

/// Collects workflows and settings of organizations and repositories (the export shapes of README, "The trust graph"),
/// so a live scan feeds the one ingestion path offline exports use.
///
/// Per repository: the default branch's `.github/workflows` files, environments with the custom
/// deployment branch policies of those that have them, the OIDC subject claim customization and
/// the default workflow permissions. Per organization: its repository list, subject template and
/// default permissions. With `useGraphQL`, listings, workflow files and unprotected environments
/// come from GraphQL batches (``GitHubGraphQL``); otherwise, and for whatever GraphQL cannot
/// give, REST: the listing by Link-header pages, the root tree by branch, then the `.github` and
/// `workflows` subtrees and blobs by SHA, which are immutable and cached.
public struct GitHubCollector: Sendable {
    public let client: HTTPClient
    public let options: GitHubCollectorOptions
    let api: String
    let graphQL: GitHubGraphQL?
    let graphQLUsage = GraphQLUsage()
    let onEvent: @Sendable (LiveEvent) -> Void

    public init(client: HTTPClient, options: GitHubCollectorOptions, onEvent: @escaping @Sendable (LiveEvent) -> Void = { _ in }) {
        self.client = client
        self.options = options
        var api = options.apiURL.absoluteString
        while api.hasSuffix("/") { api.removeLast() }
        self.api = api
        self.onEvent = onEvent
        if options.useGraphQL, let endpoint = GitHubGraphQL.endpoint(forAPI: api), let sibling = try? client.sibling(baseURL: endpoint) {
            graphQL = GitHubGraphQL(client: sibling, endpoint: endpoint, batchSize: GitHubGraphQL.batchSize(requested: options.graphQLBatchSize),
                                    usage: graphQLUsage, onEvent: onEvent)
        } else {
            graphQL = nil
        }
    }

    /// Requests and rate-limit points spent so far.
    func usage(repositories: Int) -> CollectionUsage {
        let rest = client.statistics
        let graph = graphQLUsage.snapshot
        return CollectionUsage(repositories: repositories, restRequests: rest.requests, notModified: rest.notModified, cacheHits: rest.cacheHits,
                               graphQLRequests: graph.requests, graphQLCost: graph.cost)
    }

    /// The GitHub token from the environment: `GITHUB_TOKEN`, else `GH_TOKEN`.
    public static func token(from environment: [String: String]) -> String? {
        for name in ["GITHUB_TOKEN", "GH_TOKEN"] {
            if let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty { return value }
        }
        return nil
    }

    /// A repository listing entry: what the collection needs of `GET /orgs/{org}/repos` items.
    struct RepositoryInfo: Sendable {
        var fullName: String
        var defaultBranch: String?
        var visibility: String?
        var id: Int?
        var ownerId: Int?
        var ownerIsOrganization: Bool
        var archived: Bool
        var fork: Bool
        /// What a GraphQL batch already fetched of the repository.
        var prefetched: GraphQLRepository?

        init?(_ value: Any) {
            guard let object = value as? [String: Any], let name = object["full_name"] as? String else { return nil }
            fullName = name
            defaultBranch = object["default_branch"] as? String
            visibility = object["visibility"] as? String ?? ((object["private"] as? Bool).map { $0 ? "private" : "public" })
            id = LiveJSON.int(object["id"])
            let owner = object["owner"] as? [String: Any]
            ownerId = LiveJSON.int(owner?["id"])
            ownerIsOrganization = (owner?["type"] as? String) == "Organization"
            archived = object["archived"] as? Bool ?? false
            fork = object["fork"] as? Bool ?? false
        }

        /// From a GraphQL `Repository` node with ``GitHubGraphQL/listingFields``.
        init?(graphQL node: [String: Any]) {
            guard let name = node["nameWithOwner"] as? String else { return nil }
            fullName = name
            defaultBranch = (node["defaultBranchRef"] as? [String: Any])?["name"] as? String
            visibility = (node["visibility"] as? String)?.lowercased()
            id = LiveJSON.int(node["databaseId"])
            let owner = node["owner"] as? [String: Any]
            ownerId = LiveJSON.int(owner?["databaseId"])
            ownerIsOrganization = owner?["__typename"] as? String == "Organization"
            archived = node["isArchived"] as? Bool ?? false
            fork = node["isFork"] as? Bool ?? false
        }
    }

    func organizationDocumentName(_ organization: String) -> String { "\(api)/orgs/\(organization)" }
    func repositoryDocumentName(_ fullName: String) -> String { "\(api)/repos/\(fullName)" }

    /// Checks the token first (a 401 stops everything before anything is collected), then
    /// collects. Throws only ``LiveCollectionError``; everything else becomes coverage.
    public func collect() async throws -> GitHubCollection {
        try await preflight()
        var coverage = CollectionCoverage()
        var organizations: [InputDocument] = []
        var infos: [RepositoryInfo] = []
        var seen = Set<String>()
        var skipped = (archived: 0, forks: 0)
        var graphQL = self.graphQL
        // Organization-wide settings are collected once, by the first shard.
        let collectsOrganizationSettings = (options.shard?.index ?? 1) == 1

        for organization in options.organizations {
            let document = organizationDocumentName(organization)
            func missing(_ reason: String) {
                coverage.failures.append(CollectionFailure(service: "github", subject: organization, part: nil, document: document, reason: reason))
                onEvent(.warning("github \(organization): \(reason)"))
            }
            func incomplete(_ count: Int, _ stopped: HTTPFailure) {
                // The repositories listed so far are still collected; the rest are reported missing.
                coverage.failures.append(CollectionFailure(service: "github", subject: organization, part: "repositories", document: document,
                                                           reason: "repository list incomplete after \(count) repositories: \(stopped.description)"))
                onEvent(.warning("github \(organization): repository list incomplete: \(stopped.description)"))
            }
            var listed: [RepositoryInfo]?
            if let client = graphQL {
                do {
                    guard let found = try await client.organizationRepositories(
                        organization, includeArchived: options.includeArchived, includeForks: options.includeForks) else {
                        missing("organization \(organization) not found, or not visible to this token (GraphQL NOT_FOUND)")
                        continue
                    }
                    listed = found.repositories
                    if let stopped = found.stopped { incomplete(found.repositories.count, stopped) }
                } catch GitHubGraphQL.Failure.unavailable(let why) {
                    onEvent(.warning("github: the GraphQL API cannot be used (\(why)); collecting through REST only"))
                    graphQL = nil
                } catch GitHubGraphQL.Failure.failed(let failure) {
                    missing(failure.description)
                    continue
                }
            }
            if listed == nil {
                do {
                    let paged = try await pages(LiveJSON.url(base: api, path: ["orgs", LiveJSON.segment(organization), "repos"],
                                                             query: "type=all&per_page=100"), itemsKey: nil)
                    listed = paged.items.compactMap(RepositoryInfo.init)
                    if let stopped = paged.stopped { incomplete(paged.items.count, stopped) }
                } catch let failure as HTTPFailure {
                    missing(failure.status == 404 ? "organization \(organization) not found, or not visible to this token (HTTP 404)" : failure.description)
                    continue
                }
            }
            for info in listed ?? [] {
                if info.archived && !options.includeArchived { skipped.archived += 1; continue }
                if info.fork && !options.includeForks { skipped.forks += 1; continue }
                if seen.insert(info.fullName.lowercased()).inserted { infos.append(info) }
            }
            if collectsOrganizationSettings {
                let (settings, failures) = try await organizationSettings(organization)
                organizations.append(settings)
                coverage.failures += failures
            }
        }
        if skipped.archived + skipped.forks > 0 {
            onEvent(.verbose("github: skipped \(skipped.archived) archived and \(skipped.forks) forked repositories (--include-archived, --include-forks)"))
        }

        // Named repositories are collected even when archived or forks: they were asked for.
        var named: [String] = []
        for name in options.repositories {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                coverage.failures.append(CollectionFailure(service: "github", subject: name, part: nil, document: repositoryDocumentName(name),
                                                           reason: "not an OWNER/NAME repository name"))
                continue
            }
            if seen.insert(name.lowercased()).inserted { named.append(name) }
        }
        if let shard = options.shard {
            let before = infos.count + named.count
            infos = infos.filter { shard.contains($0.fullName) }
            named = named.filter { shard.contains($0) }
            onEvent(.verbose("github: shard \(shard.index)/\(shard.count): \(infos.count + named.count) of \(before) repositories"))
        }
        func notFound(_ name: String, _ reason: String) {
            coverage.failures.append(CollectionFailure(service: "github", subject: name, part: nil, document: repositoryDocumentName(name), reason: reason))
            onEvent(.warning("github \(name): \(reason)"))
        }

        var namedInfos: [RepositoryInfo] = []
        if let client = graphQL {
            // Listed and named repositories alike, many per query.
            let fetched: [String: Result<(RepositoryInfo, GraphQLRepository)?, HTTPFailure>]
            do {
                fetched = try await client.repositories(infos.map(\.fullName) + named)
            } catch GitHubGraphQL.Failure.unavailable(let why) {
                onEvent(.warning("github: the GraphQL API cannot be used (\(why)); collecting through REST only"))
                fetched = [:]
                graphQL = nil
            }
            if graphQL != nil {
                for index in infos.indices {
                    switch fetched[infos[index].fullName] {
                    case .success(let answer?)?: infos[index].prefetched = answer.1
                    case .failure(let failure)?:
                        onEvent(.verbose("github \(infos[index].fullName): GraphQL failed (\(failure.reason)); collecting through REST"))
                    case .success(nil)?, nil: break
                    }
                }
                for name in named {
                    switch fetched[name] {
                    case .success(let answer?)?:
                        var info = answer.0
                        info.prefetched = answer.1
                        namedInfos.append(info)
                    case .success(nil)?: notFound(name, "repository not found, or not visible to this token (GraphQL NOT_FOUND)")
                    case .failure(let failure)?: notFound(name, failure.description)
                    case nil: break
                    }
                }
                named = []
            }
        }
        for name in named {
            let parts = name.split(separator: "/").map { LiveJSON.segment(String($0)) }
            do {
                let response = try await client.getOK(LiveJSON.url(base: api, path: ["repos"] + parts))
                guard let info = RepositoryInfo(try LiveJSON.object(response, redaction: client.redaction)) else {
                    throw HTTPFailure(url: client.redaction.redact(response.url.absoluteString), status: response.status, reason: "the answer has no full_name")
                }
                namedInfos.append(info)
            } catch let failure as HTTPFailure {
                notFound(name, failure.status == 404 ? "repository not found, or not visible to this token (HTTP 404)" : failure.description)
            }
        }
        var ownersNeedingSettings: [String] = []
        var collected = Set(infos.map { $0.fullName.lowercased() })
        for info in namedInfos {
            // A name can resolve to a repository already listed (a rename, another spelling).
            guard collected.insert(info.fullName.lowercased()).inserted else { continue }
            infos.append(info)
            let owner = String(info.fullName.split(separator: "/")[0])
            if collectsOrganizationSettings, info.ownerIsOrganization, !options.organizations.contains(where: { $0.lowercased() == owner.lowercased() }),
               !ownersNeedingSettings.contains(where: { $0.lowercased() == owner.lowercased() }) {
                ownersNeedingSettings.append(owner)
            }
        }
        for owner in ownersNeedingSettings {
            let (settings, failures) = try await organizationSettings(owner)
            organizations.append(settings)
            coverage.failures += failures
        }

        let total = infos.count
        var done = 0
        var repositories: [GitHubCollectedRepository] = []
        await reportProgress(done: 0, total: total)
        try await withThrowingTaskGroup(of: (GitHubCollectedRepository, [CollectionFailure]).self) { group in
            var pending = infos.makeIterator()
            for _ in 0..<max(1, client.options.concurrency) {
                guard let info = pending.next() else { break }
                group.addTask { try await self.collectRepository(info) }
            }
            while let (repository, failures) = try await group.next() {
                repositories.append(repository)
                coverage.failures += failures
                for failure in failures { onEvent(.warning(failure.line)) }
                done += 1
                await reportProgress(done: done, total: total)
                if let info = pending.next() {
                    group.addTask { try await self.collectRepository(info) }
                }
            }
        }
        repositories.sort { $0.fullName.lowercased() < $1.fullName.lowercased() }
        return GitHubCollection(organizations: organizations, repositories: repositories, coverage: coverage,
                                usage: usage(repositories: repositories.count))
    }

    private func reportProgress(done: Int, total: Int) async {
        let budget = await client.rateBudget()
        onEvent(.progress(CollectionProgress(service: "github", done: done, total: total, rateRemaining: budget.remaining, rateLimit: budget.limit)))
    }

    /// `GET /rate_limit`: costs no rate-limit points, tells a bad token (401) before any work,
    /// and gives the starting budget. GitHub Enterprise Server without rate limits answers 404.
    func preflight() async throws {
        do {
            let response = try await client.get(LiveJSON.url(base: api, path: ["rate_limit"]), conditional: false)
            if !response.isSuccess, response.status != 404 {
                onEvent(.verbose("github: /rate_limit answered HTTP \(response.status)"))
            }
        } catch let failure as HTTPFailure {
            throw LiveCollectionError.unreachable(service: "GitHub", url: api, detail: failure.reason)
        }
    }

    /// The items of every page of a listing, and why it stopped early if it did.
    struct Pages {
        var items: [Any] = []
        /// `total_count` of the last page that had one.
        var total: Int?
        /// Set when a page after the first could not be had: `items` holds the pages before it.
        var stopped: HTTPFailure?
    }

    /// Follows `Link: <…>; rel="next"` to the end (bounded), collecting the items of each page:
    /// the page itself when it is an array, else its `itemsKey` array. `total_count` is kept.
    /// A first page that fails throws; a later one ends the listing with `stopped` set, as does a
    /// `next` link back to a page already fetched (a server bug that would otherwise loop or,
    /// ended silently, pass a partial list for a whole one).
    func pages(_ first: URL, itemsKey: String?) async throws -> Pages {
        var result = Pages()
        var fetched: Set<String> = []
        var next: URL? = first
        while let url = next {
            guard fetched.count < 1000 else {
                result.stopped = HTTPFailure(url: client.redaction.redact(first.absoluteString), status: nil, reason: "more than 1000 pages; stopped")
                return result
            }
            guard fetched.insert(url.absoluteString).inserted else {
                result.stopped = HTTPFailure(url: client.redaction.redact(first.absoluteString), status: nil, reason:
                    "pagination loops: after page \(fetched.count) the `next` link points back at \(client.redaction.redact(url.absoluteString)), already fetched")
                return result
            }
            do {
                let (items, total, link) = try await page(url, itemsKey: itemsKey)
                result.items += items
                result.total = total ?? result.total
                next = link
            } catch let failure as HTTPFailure where fetched.count > 1 {
                result.stopped = failure
                return result
            }
            if let link = next, HTTPClient.origin(of: link) != HTTPClient.origin(of: first) {
                result.stopped = HTTPFailure(url: client.redaction.redact(first.absoluteString), status: nil,
                                             reason: "the next page is on another host (\(link.host ?? "?")); not followed")
                return result
            }
        }
        return result
    }

    /// The default branch's rules as REST gives them, when a GraphQL batch fetched all of them.
    static func prefetchedBranchRules(_ info: RepositoryInfo) -> [String: [Any]] {
        guard let branch = info.defaultBranch, let rules = info.prefetched?.defaultBranchRules else { return [:] }
        return [branch: rules.map(\.restBody)]
    }

    /// The environments body GraphQL alone can give: when it saw every environment and none has
    /// a protection rule, there is no branch policy and nothing to bypass. Otherwise nil, and
    /// REST gives the exact settings (`deployment_branch_policy`, `can_admins_bypass`).
    static func unprotectedEnvironments(_ repository: GraphQLRepository) -> [String: Any]? {
        guard repository.environmentsTotal <= repository.environments.count,
              repository.environments.allSatisfy({ $0.protectionRules == 0 }) else { return nil }
        let environments: [[String: Any]] = repository.environments.map { environment in
            var body: [String: Any] = ["name": environment.name, "protection_rules": [] as [Any], "deployment_branch_policy": NSNull()]
            if let id = environment.databaseId { body["id"] = id }
            return body
        }
        return ["total_count": environments.count, "environments": environments]
    }

    /// Environments through REST and, for those with custom policies, their branch and tag policies.
    func environments(base: [String], into settings: inout [String: Any], failed: (String, HTTPFailure) -> Void) async throws {
        do {
            let (environments, total) = try await completePages(LiveJSON.url(base: api, path: base + ["environments"], query: "per_page=100"),
                                                               itemsKey: "environments")
            settings["environments"] = ["total_count": total ?? environments.count, "environments": environments] as [String: Any]
            var policies: [String: Any] = [:]
            for case let environment as [String: Any] in environments {
                guard let name = environment["name"] as? String,
                      let policy = environment["deployment_branch_policy"] as? [String: Any],
                      policy["custom_branch_policies"] as? Bool == true else { continue }
                do {
                    let (list, total) = try await completePages(
                        LiveJSON.url(base: api, path: base + ["environments", LiveJSON.segment(name), "deployment-branch-policies"], query: "per_page=100"),
                        itemsKey: "branch_policies")
                    policies[name] = ["total_count": total ?? list.count, "branch_policies": list] as [String: Any]
                } catch let failure as HTTPFailure {
                    failed("deployment_branch_policies.\(name)", failure)
                }
            }
            if !policies.isEmpty { settings["deployment_branch_policies"] = policies }
        } catch let failure as HTTPFailure {
            failed("environments", failure)
        }
    }

    /// Every page, or a failure: for parts that are either collected whole or not at all.
    func completePages(_ first: URL, itemsKey: String) async throws -> (items: [Any], total: Int?) {
        let result = try await pages(first, itemsKey: itemsKey)
        if let stopped = result.stopped { throw stopped }
        return (result.items, result.total)
    }

    private func page(_ url: URL, itemsKey: String?) async throws -> (items: [Any], total: Int?, next: URL?) {
        let response = try await client.getOK(url)
        let body = try LiveJSON.parse(response, redaction: client.redaction)
        let location = client.redaction.redact(url.absoluteString)
        if let itemsKey {
            guard let object = body as? [String: Any], let list = object[itemsKey] as? [Any] else {
                throw HTTPFailure(url: location, status: response.status, reason: "expected an object with a `\(itemsKey)` array")
            }
            return (list, LiveJSON.int(object["total_count"]), response.nextLink)
        }
        guard let list = body as? [Any] else {
            throw HTTPFailure(url: location, status: response.status, reason: "expected a JSON array")
        }
        return (list, nil, response.nextLink)
    }

    /// The organization's subject template and default workflow permissions.
    func organizationSettings(_ organization: String) async throws -> (InputDocument, [CollectionFailure]) {
        let document = organizationDocumentName(organization)
        var body: [String: Any] = ["organization": organization]
        var failures: [CollectionFailure] = []
        let base = LiveJSON.segment(organization)
        for (key, path) in [("oidc_subject_claim", ["orgs", base, "actions", "oidc", "customization", "sub"]),
                            ("workflow_permissions", ["orgs", base, "actions", "permissions", "workflow"])] {
            do {
                body[key] = try LiveJSON.object(try await client.getOK(LiveJSON.url(base: api, path: path)), redaction: client.redaction)
            } catch let failure as HTTPFailure {
                failures.append(CollectionFailure(service: "github", subject: organization, part: key, document: document, reason: failure.description))
                onEvent(.warning("github \(organization) \(key): not collected: \(failure.description)"))
            }
        }
        return (InputDocument(name: document, data: JSONDocument.write(body)), failures)
    }

    /// One repository: workflows, environments (+ custom branch policies), subject claim, permissions.
    func collectRepository(_ info: RepositoryInfo) async throws -> (GitHubCollectedRepository, [CollectionFailure]) {
        let document = repositoryDocumentName(info.fullName)
        let parts = info.fullName.split(separator: "/").map { LiveJSON.segment(String($0)) }
        let base = ["repos"] + parts
        var failures: [CollectionFailure] = []
        func failed(_ part: String, _ failure: HTTPFailure, workflows: Bool = false) {
            failures.append(CollectionFailure(service: "github", subject: info.fullName, part: part, document: document,
                                              reason: failure.description, repositoryIncomplete: workflows))
        }

        var settings: [String: Any] = ["repository": info.fullName]
        if let branch = info.defaultBranch { settings["default_branch"] = branch }
        if let visibility = info.visibility { settings["visibility"] = visibility }
        if let id = info.id { settings["repository_id"] = id }
        if let ownerId = info.ownerId { settings["owner_id"] = ownerId }

        // Workflows of the default branch.
        var files: [WorkflowFileInput] = []
        if let branch = info.defaultBranch {
            do {
                if let prefetched = info.prefetched {
                    files = try await workflowFiles(base: base, entries: prefetched.workflows ?? []) { part, failure in
                        failed(part, failure, workflows: true)
                    }
                } else {
                    files = try await workflowFiles(base: base, branch: branch) { part, failure in
                        failed(part, failure, workflows: true)
                    }
                }
            } catch let failure as HTTPFailure {
                failed("workflows", failure, workflows: true)
            }
        }

        if let prefetched = info.prefetched, let environments = Self.unprotectedEnvironments(prefetched) {
            settings["environments"] = environments
        } else {
            try await environments(base: base, into: &settings) { failed($0, $1) }
        }

        let branchRules = await branchRules(base: base, defaultBranch: info.defaultBranch,
                                            deploymentPolicies: settings["deployment_branch_policies"] as? [String: Any] ?? [:],
                                            subject: info.fullName, document: document,
                                            known: Self.prefetchedBranchRules(info))
        if !branchRules.rules.isEmpty { settings["branch_rules"] = branchRules.rules }
        if !branchRules.classic.isEmpty { settings["branches"] = branchRules.classic }
        // Tag rulesets come only with a GraphQL batch (REST would cost two requests more per
        // repository); without them tag subjects say "not collected".
        if let tagRulesets = info.prefetched?.tagRulesets { settings["rulesets"] = tagRulesets.map(\.restBody) }
        failures += branchRules.failures

        for (key, path) in [("oidc_subject_claim", ["actions", "oidc", "customization", "sub"]),
                            ("workflow_permissions", ["actions", "permissions", "workflow"])] {
            do {
                settings[key] = try LiveJSON.object(try await client.getOK(LiveJSON.url(base: api, path: base + path)), redaction: client.redaction)
            } catch let failure as HTTPFailure {
                failed(key, failure)
            }
        }

        let snapshot = RepositorySnapshot(fullName: info.fullName, source: document, files: files.sorted { $0.path < $1.path })
        return (GitHubCollectedRepository(fullName: info.fullName, snapshot: snapshot,
                                          settings: InputDocument(name: document, data: JSONDocument.write(settings))), failures)
    }

    /// One entry of a git tree (or of a folder listing standing in for one).
    struct TreeEntry {
        var name: String
        /// `blob`, `tree`, `commit` (a submodule) or `symlink`.
        var type: String
        var sha: String
    }

    /// A tree's entries, and whether GitHub cut the list short (`truncated: true`).
    struct Tree {
        var entries: [TreeEntry]
        var truncated: Bool

        func sha(of name: String, type: String) -> String? {
            entries.first { $0.name == name && $0.type == type }?.sha
        }
    }

    /// GitHub lists at most this many entries of a folder through the contents API.
    static let contentsListingLimit = 1000

    /// The default branch's `.github/workflows/*.yml|*.yaml`: the root tree by branch name
    /// (a conditional request: free when unchanged), then subtrees and blobs by SHA, which are
    /// immutable and served from the cache once seen. Every blob must hash to its SHA before it
    /// is used or cached, and every entry name must be a plain file name. A tree GitHub marks
    /// `truncated` may lack the entry looked for; then the folder is listed through the
    /// contents API instead (at most 1,000 entries; a full listing is reported as possibly
    /// partial). Symlinks and subfolders are not workflows. An empty repository (409) has none.
    func workflowFiles(base: [String], branch: String, problem: (String, HTTPFailure) -> Void) async throws -> [WorkflowFileInput] {
        let rootURL = LiveJSON.url(base: api, path: base + ["git", "trees", LiveJSON.segment(branch)])
        let root = try await client.get(rootURL)
        if root.status == 409 { return [] }
        guard root.isSuccess else {
            throw HTTPFailure(url: client.redaction.redact(rootURL.absoluteString), status: root.status, reason: HTTPClient.explain(root, redaction: client.redaction))
        }
        var listing: [TreeEntry]
        let rootTree = try tree(root)
        if let github = rootTree.sha(of: ".github", type: "tree") {
            let githubTree = try tree(try await client.getOK(treeURL(base, github), immutable: true))
            if let workflows = githubTree.sha(of: "workflows", type: "tree") {
                let workflowsTree = try tree(try await client.getOK(treeURL(base, workflows), immutable: true))
                listing = workflowsTree.truncated ? try await folderListing(base: base, branch: branch, problem: problem) : workflowsTree.entries
            } else if githubTree.truncated {
                listing = try await folderListing(base: base, branch: branch, problem: problem)
            } else {
                return []
            }
        } else if rootTree.truncated {
            listing = try await folderListing(base: base, branch: branch, problem: problem)
        } else {
            return []
        }

        var files: [WorkflowFileInput] = []
        for entry in listing where entry.type == "blob" && (entry.name.hasSuffix(".yml") || entry.name.hasSuffix(".yaml")) {
            let path = ".github/workflows/\(entry.name)"
            do {
                let sha = entry.sha
                let response = try await client.getOK(LiveJSON.url(base: api, path: base + ["git", "blobs", sha]), immutable: true) { body in
                    Self.blobProblem(body, sha: sha)
                }
                // blobProblem accepted these bytes, so they decode.
                let bytes = Self.blobBytes(response.body) ?? []
                files.append(WorkflowFileInput(path: path, content: .success(bytes)))
            } catch let failure as HTTPFailure {
                problem("workflows/\(path)", failure)
                files.append(WorkflowFileInput(path: path, content: .failure(WorkflowParseFailure("not collected: \(failure.description)"))))
            }
        }
        return files
    }

    /// The workflow files of a GraphQL tree listing: a blob whose text hashes to its SHA is used
    /// as is; any other (binary, truncated, not UTF-8, or simply wrong) is fetched by SHA through
    /// REST and verified there.
    func workflowFiles(base: [String], entries: [GraphQLRepository.Entry], problem: (String, HTTPFailure) -> Void) async throws -> [WorkflowFileInput] {
        let location = URL(string: "\(api)/graphql#\(base.dropFirst().joined(separator: "/"))/.github/workflows") ?? options.apiURL
        var files: [WorkflowFileInput] = []
        for entry in entries {
            try checkEntry(name: entry.name, sha: entry.oid, in: location)
        }
        for entry in entries where entry.type == "blob" && entry.mode != 0o120000 && (entry.name.hasSuffix(".yml") || entry.name.hasSuffix(".yaml")) {
            let path = ".github/workflows/\(entry.name)"
            if let text = entry.text, GitObjectID.isBlob(Array(text.utf8), named: entry.oid) {
                files.append(WorkflowFileInput(path: path, content: .success(Array(text.utf8))))
                continue
            }
            do {
                let sha = entry.oid
                let response = try await client.getOK(LiveJSON.url(base: api, path: base + ["git", "blobs", sha]), immutable: true) { body in
                    Self.blobProblem(body, sha: sha)
                }
                files.append(WorkflowFileInput(path: path, content: .success(Self.blobBytes(response.body) ?? [])))
            } catch let failure as HTTPFailure {
                problem("workflows/\(path)", failure)
                files.append(WorkflowFileInput(path: path, content: .failure(WorkflowParseFailure("not collected: \(failure.description)"))))
            }
        }
        return files
    }

    private func treeURL(_ base: [String], _ sha: String) -> URL {
        LiveJSON.url(base: api, path: base + ["git", "trees", sha])
    }

    /// The decoded bytes of a `GET /repos/{o}/{r}/git/blobs/{sha}` body.
    static func blobBytes(_ body: Data) -> [UInt8]? {
        guard let blob = (try? JSONDocument.parse(body)) as? [String: Any], let content = blob["content"] as? String else { return nil }
        switch blob["encoding"] as? String ?? "base64" {
        case "base64": return Data(base64Encoded: content, options: .ignoreUnknownCharacters).map { [UInt8]($0) }
        case "utf-8": return [UInt8](content.utf8)
        default: return nil
        }
    }

    /// Why a blob body is not the blob `sha` names, or nil when it is.
    static func blobProblem(_ body: Data, sha: String) -> String? {
        guard let bytes = blobBytes(body) else {
            return "the blob's content is missing or not valid base64"
        }
        guard GitObjectID.isBlob(bytes, named: sha) else {
            return "the blob's content does not hash to its SHA \(sha) (\(bytes.count) bytes hash to \(GitObjectID.blob(bytes, like: sha))); rejected"
        }
        return nil
    }

    /// The entries of a `GET …/git/trees/{sha}` body. Entries with a name that is not a plain file
    /// name, or a SHA that is not a git object name, fail the tree: its listing cannot be trusted.
    private func tree(_ response: HTTPResponse) throws -> Tree {
        let object = try LiveJSON.object(response, redaction: client.redaction)
        guard let items = object["tree"] as? [Any] else {
            throw HTTPFailure(url: client.redaction.redact(response.url.absoluteString), status: response.status, reason: "the tree has no `tree` array")
        }
        var entries: [TreeEntry] = []
        for case let item as [String: Any] in items {
            guard let name = item["path"] as? String, let type = item["type"] as? String, let sha = item["sha"] as? String else { continue }
            try checkEntry(name: name, sha: sha, in: response.url)
            // Mode 120000 is a symlink: its blob holds the target path, not a workflow.
            entries.append(TreeEntry(name: name, type: item["mode"] as? String == "120000" ? "symlink" : type, sha: sha.lowercased()))
        }
        return Tree(entries: entries, truncated: object["truncated"] as? Bool ?? false)
    }

    private func checkEntry(name: String, sha: String, in url: URL) throws {
        let plain = !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\")
            && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        guard plain else {
            throw HTTPFailure(url: client.redaction.redact(url.absoluteString), status: nil,
                              reason: "the listing names an entry \(name.debugDescription), which is not a plain file name; rejected")
        }
        guard GitObjectID.isWellFormed(sha.lowercased()) else {
            throw HTTPFailure(url: client.redaction.redact(url.absoluteString), status: nil,
                              reason: "the entry \(name.debugDescription) has \(sha.debugDescription) for a SHA, which is not a git object name; rejected")
        }
    }

    /// `.github/workflows` listed through the contents API, for when a truncated tree may have
    /// left it out. GitHub lists at most 1,000 entries of a folder this way.
    private func folderListing(base: [String], branch: String, problem: (String, HTTPFailure) -> Void) async throws -> [TreeEntry] {
        let url = LiveJSON.url(base: api, path: base + ["contents", ".github", "workflows"], query: "ref=\(LiveJSON.segment(branch))")
        onEvent(.verbose("github \(base.dropFirst().joined(separator: "/")): the git tree is truncated; listing .github/workflows instead"))
        let response = try await client.get(url)
        if response.status == 404 { return [] }
        guard response.isSuccess else {
            throw HTTPFailure(url: client.redaction.redact(url.absoluteString), status: response.status, reason: HTTPClient.explain(response, redaction: client.redaction))
        }
        guard let items = try LiveJSON.parse(response, redaction: client.redaction) as? [Any] else {
            // A file, not a folder: no workflows.
            return []
        }
        var entries: [TreeEntry] = []
        for case let item as [String: Any] in items {
            guard let name = item["name"] as? String, let type = item["type"] as? String, let sha = item["sha"] as? String else { continue }
            try checkEntry(name: name, sha: sha, in: url)
            entries.append(TreeEntry(name: name, type: type == "file" ? "blob" : type, sha: sha.lowercased()))
        }
        if items.count >= Self.contentsListingLimit {
            problem("workflows", HTTPFailure(url: client.redaction.redact(url.absoluteString), status: nil, reason:
                "the git tree is truncated and the folder listing has \(items.count) entries, GitHub's most; workflow files past them may be missing"))
        }
        return entries
    }
}

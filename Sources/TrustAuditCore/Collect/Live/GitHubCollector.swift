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

    public init() {}
}

/// One collected repository: its default branch's workflows and its settings export document.
public struct GitHubCollectedRepository: Sendable {
    public var fullName: String
    public var snapshot: RepositorySnapshot
    /// The DESIGN §2 repository settings document.
    public var settings: InputDocument
}

/// Everything a GitHub collection produced.
public struct GitHubCollection: Sendable {
    /// DESIGN §2 organization documents.
    public var organizations: [InputDocument]
    public var repositories: [GitHubCollectedRepository]
    public var coverage: CollectionCoverage

    /// The scan's inputs: the same values an offline scan reads from disk.
    public var repositorySources: [RepositorySource] { repositories.map { .memory($0.snapshot) } }
    public var settingsDocuments: [InputDocument] { organizations + repositories.map(\.settings) }
}

/// Collects workflows and settings of organizations and repositories through the GitHub REST API
/// (DESIGN §2 export shapes), so a live scan feeds the one ingestion path offline exports use.
///
/// Per repository: the default branch's `.github/workflows` tree (root tree by branch, then the
/// `.github` and `workflows` subtrees and blobs by SHA, which are immutable and cached),
/// environments with the custom deployment branch policies of those that have them, the OIDC
/// subject claim customization and the default workflow permissions. Per organization: its
/// repository list (Link-header pages), subject template and default permissions.
public struct GitHubCollector: Sendable {
    public let client: HTTPClient
    public let options: GitHubCollectorOptions
    let api: String
    let onEvent: @Sendable (LiveEvent) -> Void

    public init(client: HTTPClient, options: GitHubCollectorOptions, onEvent: @escaping @Sendable (LiveEvent) -> Void = { _ in }) {
        self.client = client
        self.options = options
        var api = options.apiURL.absoluteString
        while api.hasSuffix("/") { api.removeLast() }
        self.api = api
        self.onEvent = onEvent
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

        for organization in options.organizations {
            let document = organizationDocumentName(organization)
            let listing: [Any]
            do {
                listing = try await pages(LiveJSON.url(base: api, path: ["orgs", LiveJSON.segment(organization), "repos"],
                                                      query: "type=all&per_page=100"), itemsKey: nil).items
            } catch let failure as HTTPFailure {
                let reason = failure.status == 404
                    ? "organization \(organization) not found, or not visible to this token (HTTP 404)"
                    : failure.description
                coverage.failures.append(CollectionFailure(service: "github", subject: organization, part: nil, document: document, reason: reason))
                onEvent(.warning("github \(organization): \(reason)"))
                continue
            }
            for item in listing {
                guard let info = RepositoryInfo(item) else { continue }
                if info.archived && !options.includeArchived { skipped.archived += 1; continue }
                if info.fork && !options.includeForks { skipped.forks += 1; continue }
                if seen.insert(info.fullName.lowercased()).inserted { infos.append(info) }
            }
            let (settings, failures) = try await organizationSettings(organization)
            organizations.append(settings)
            coverage.failures += failures
        }
        if skipped.archived + skipped.forks > 0 {
            onEvent(.verbose("github: skipped \(skipped.archived) archived and \(skipped.forks) forked repositories (--include-archived, --include-forks)"))
        }
        // Named repositories are collected even when archived or forks: they were asked for.
        var ownersNeedingSettings: [String] = []
        for name in options.repositories {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                coverage.failures.append(CollectionFailure(service: "github", subject: name, part: nil, document: repositoryDocumentName(name),
                                                           reason: "not an OWNER/NAME repository name"))
                continue
            }
            guard !seen.contains(name.lowercased()) else { continue }
            do {
                let response = try await client.getOK(LiveJSON.url(base: api, path: ["repos", LiveJSON.segment(String(parts[0])), LiveJSON.segment(String(parts[1]))]))
                guard let info = RepositoryInfo(try LiveJSON.object(response, redaction: client.redaction)) else {
                    throw HTTPFailure(url: response.url.absoluteString, status: response.status, reason: "the answer has no full_name")
                }
                if seen.insert(info.fullName.lowercased()).inserted { infos.append(info) }
                let owner = String(info.fullName.split(separator: "/")[0])
                if info.ownerIsOrganization, !options.organizations.contains(where: { $0.lowercased() == owner.lowercased() }),
                   !ownersNeedingSettings.contains(where: { $0.lowercased() == owner.lowercased() }) {
                    ownersNeedingSettings.append(owner)
                }
            } catch let failure as HTTPFailure {
                let reason = failure.status == 404 ? "repository not found, or not visible to this token (HTTP 404)" : failure.description
                coverage.failures.append(CollectionFailure(service: "github", subject: name, part: nil, document: repositoryDocumentName(name), reason: reason))
                onEvent(.warning("github \(name): \(reason)"))
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
        return GitHubCollection(organizations: organizations, repositories: repositories, coverage: coverage)
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

    /// Follows `Link: <…>; rel="next"` to the end (bounded), collecting the items of each page:
    /// the page itself when it is an array, else its `itemsKey` array. `total_count` is kept.
    func pages(_ first: URL, itemsKey: String?) async throws -> (items: [Any], total: Int?) {
        var items: [Any] = []
        var total: Int?
        var next: URL? = first
        var count = 0
        while let url = next {
            count += 1
            guard count <= 1000 else {
                throw HTTPFailure(url: first.absoluteString, status: nil, reason: "more than 1000 pages; stopped")
            }
            let response = try await client.getOK(url)
            let body = try LiveJSON.parse(response, redaction: client.redaction)
            if let itemsKey {
                guard let object = body as? [String: Any], let list = object[itemsKey] as? [Any] else {
                    throw HTTPFailure(url: url.absoluteString, status: response.status, reason: "expected an object with a `\(itemsKey)` array")
                }
                items += list
                total = LiveJSON.int(object["total_count"]) ?? total
            } else {
                guard let list = body as? [Any] else {
                    throw HTTPFailure(url: url.absoluteString, status: response.status, reason: "expected a JSON array")
                }
                items += list
            }
            next = response.nextLink
            if let link = next, HTTPClient.origin(of: link) != HTTPClient.origin(of: first) {
                throw HTTPFailure(url: first.absoluteString, status: nil, reason: "the next page is on another host (\(link.host ?? "?")); not followed")
            }
        }
        return (items, total)
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
        return (InputDocument(name: document, data: LiveJSON.encode(body)), failures)
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
                files = try await workflowFiles(base: base, branch: branch) { path, failure in
                    failed("workflows/\(path)", failure, workflows: true)
                }
            } catch let failure as HTTPFailure {
                failed("workflows", failure, workflows: true)
            }
        }

        // Environments and, for those with custom policies, their branch and tag policies.
        do {
            let (environments, total) = try await pages(LiveJSON.url(base: api, path: base + ["environments"], query: "per_page=100"), itemsKey: "environments")
            settings["environments"] = ["total_count": total ?? environments.count, "environments": environments] as [String: Any]
            var policies: [String: Any] = [:]
            for case let environment as [String: Any] in environments {
                guard let name = environment["name"] as? String,
                      let policy = environment["deployment_branch_policy"] as? [String: Any],
                      policy["custom_branch_policies"] as? Bool == true else { continue }
                do {
                    let (list, total) = try await pages(
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
                                          settings: InputDocument(name: document, data: LiveJSON.encode(settings))), failures)
    }

    /// The default branch's `.github/workflows/*.yml|*.yaml`: the root tree by branch name
    /// (a conditional request: free when unchanged), then subtrees and blobs by SHA (immutable,
    /// served from the cache once seen). Symlinks and subfolders are not workflows. An empty
    /// repository (409) has none.
    func workflowFiles(base: [String], branch: String, fileFailed: (String, HTTPFailure) -> Void) async throws -> [WorkflowFileInput] {
        let rootURL = LiveJSON.url(base: api, path: base + ["git", "trees", LiveJSON.segment(branch)])
        let root = try await client.get(rootURL)
        if root.status == 409 { return [] }
        guard root.isSuccess else {
            throw HTTPFailure(url: rootURL.absoluteString, status: root.status, reason: HTTPClient.explain(root, redaction: client.redaction))
        }
        guard let github = try entry(named: ".github", type: "tree", in: root),
              let workflowsTree = try entry(named: "workflows", type: "tree",
                                            in: try await client.getOK(LiveJSON.url(base: api, path: base + ["git", "trees", github]), immutable: true))
        else { return [] }
        let listing = try LiveJSON.object(try await client.getOK(LiveJSON.url(base: api, path: base + ["git", "trees", workflowsTree]), immutable: true),
                                          redaction: client.redaction)
        var files: [WorkflowFileInput] = []
        for case let item as [String: Any] in listing["tree"] as? [Any] ?? [] {
            guard let name = item["path"] as? String, item["type"] as? String == "blob", item["mode"] as? String != "120000",
                  name.hasSuffix(".yml") || name.hasSuffix(".yaml"), let sha = item["sha"] as? String else { continue }
            let path = ".github/workflows/\(name)"
            do {
                let blob = try LiveJSON.object(try await client.getOK(LiveJSON.url(base: api, path: base + ["git", "blobs", sha]), immutable: true),
                                               redaction: client.redaction)
                guard let content = blob["content"] as? String,
                      let bytes = (blob["encoding"] as? String ?? "base64") == "base64"
                        ? Data(base64Encoded: content, options: .ignoreUnknownCharacters)
                        : Data(content.utf8)
                else {
                    throw HTTPFailure(url: path, status: nil, reason: "the blob's content is not valid base64")
                }
                files.append(WorkflowFileInput(path: path, content: .success([UInt8](bytes))))
            } catch let failure as HTTPFailure {
                fileFailed(path, failure)
                files.append(WorkflowFileInput(path: path, content: .failure(WorkflowParseFailure("not collected: \(failure.description)"))))
            }
        }
        return files
    }

    private func entry(named name: String, type: String, in response: HTTPResponse) throws -> String? {
        let object = try LiveJSON.object(response, redaction: client.redaction)
        for case let item as [String: Any] in object["tree"] as? [Any] ?? [] where item["path"] as? String == name && item["type"] as? String == type {
            return item["sha"] as? String
        }
        return nil
    }
}

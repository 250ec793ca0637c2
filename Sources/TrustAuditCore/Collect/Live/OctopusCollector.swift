import Foundation

/// One collected Octopus instance: its export document (README, "The trust graph").
public struct OctopusCollection: Sendable {
    public var server: String
    public var document: InputDocument
    public var coverage: CollectionCoverage
}

/// Collects an Octopus Deploy instance's service accounts with their OIDC identities, API keys
/// and permissions (the export of README, "The trust graph"), through the REST API with `X-Octopus-ApiKey`.
///
/// The URL is checked first: `GET /api` must answer with Octopus's root document
/// (`"Application": "Octopus Deploy"`), and `GET /api/users/me` must accept the key (a 401 stops
/// everything before any work). Lists are paged with `skip`/`take` to the end.
public struct OctopusCollector: Sendable {
    public let client: HTTPClient
    /// The server URL as given, without a trailing slash: the export's `server`.
    public let server: String
    let onEvent: @Sendable (LiveEvent) -> Void
    /// Items per page.
    let take: Int

    public init(client: HTTPClient, server: URL, take: Int = 100, onEvent: @escaping @Sendable (LiveEvent) -> Void = { _ in }) {
        self.client = client
        var text = server.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/api") { text.removeLast(4) }
        self.server = text
        self.take = take
        self.onEvent = onEvent
    }

    public static func apiKey(from environment: [String: String]) -> String? {
        environment["OCTOPUS_API_KEY"].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    var documentName: String { "\(server)/api" }

    func url(_ path: [String], query: String? = nil) -> URL {
        LiveJSON.url(base: server + "/api", path: path, query: query)
    }

    public func collect() async throws -> OctopusCollection {
        try await verifyServer()
        var coverage = CollectionCoverage()
        var export: [String: Any] = ["server": server]

        let users: [Any]
        do {
            users = try await paged(["users"], query: "isServiceAccount=true", itemsKey: "Items", countKey: "TotalResults")
        } catch let failure as HTTPFailure {
            coverage.failures.append(CollectionFailure(service: "octopus", subject: server, part: nil, document: documentName,
                                                       reason: "service accounts not listed: \(failure.description)"))
            onEvent(.warning("octopus \(server): service accounts not listed: \(failure.description)"))
            return OctopusCollection(server: server, document: InputDocument(name: documentName, data: JSONDocument.write(export)), coverage: coverage)
        }
        export["users"] = ["Items": users, "TotalResults": users.count, "ItemsPerPage": users.count] as [String: Any]
        let ids = users.compactMap { ($0 as? [String: Any])?["Id"] as? String }

        var identities: [String: Any] = [:]
        var apiKeys: [String: Any] = [:]
        var permissions: [String: Any] = [:]
        var done = 0
        onEvent(.progress(CollectionProgress(service: "octopus", done: 0, total: ids.count, rateRemaining: nil, rateLimit: nil)))
        try await withThrowingTaskGroup(of: AccountResult.self) { group in
            var pending = ids.makeIterator()
            for _ in 0..<max(1, client.options.concurrency) {
                guard let id = pending.next() else { break }
                group.addTask { try await self.account(id) }
            }
            while let result = try await group.next() {
                // Bodies travel between tasks as bytes (JSON values are not Sendable).
                if let data = result.identities, let value = try? JSONDocument.parse(data) { identities[result.id] = value }
                if let data = result.apiKeys, let value = try? JSONDocument.parse(data) { apiKeys[result.id] = value }
                if let data = result.permissions, let value = try? JSONDocument.parse(data) { permissions[result.id] = value }
                coverage.failures += result.failures
                for failure in result.failures { onEvent(.warning(failure.line)) }
                done += 1
                onEvent(.progress(CollectionProgress(service: "octopus", done: done, total: ids.count, rateRemaining: nil, rateLimit: nil)))
                if let id = pending.next() { group.addTask { try await self.account(id) } }
            }
        }
        export["oidc_identities"] = identities
        export["api_keys"] = apiKeys
        export["permissions"] = permissions
        return OctopusCollection(server: server, document: InputDocument(name: documentName, data: JSONDocument.write(export)), coverage: coverage)
    }

    /// `GET /api` must be Octopus's root document; `GET /api/users/me` must accept the key.
    func verifyServer() async throws {
        let rootURL = url([]).absoluteString.hasSuffix("/") ? URL(string: String(url([]).absoluteString.dropLast()))! : url([])
        let root: HTTPResponse
        do {
            root = try await client.get(rootURL, conditional: false, authenticated: false)
        } catch let failure as HTTPFailure {
            throw LiveCollectionError.unreachable(service: "Octopus Deploy", url: server, detail: failure.reason)
        }
        let object = (try? JSONDocument.parse(root.body)) as? [String: Any]
        guard root.isSuccess, let application = object?["Application"] as? String, application.lowercased().contains("octopus") else {
            let found = !root.isSuccess ? "GET /api answered HTTP \(root.status)"
                : object == nil ? "GET /api did not answer with JSON"
                : "GET /api answered JSON without \"Application\": \"Octopus Deploy\""
            throw LiveCollectionError.notTheExpectedServer(
                service: "an Octopus Deploy server", url: server,
                detail: "\(found); give the server's base URL, e.g. https://acme.octopus.app")
        }
        if let version = object?["Version"] as? String { onEvent(.verbose("octopus: \(server) is Octopus Deploy \(version)")) }
        do {
            let me = try await client.get(url(["users", "me"]), conditional: false)
            if !me.isSuccess {
                onEvent(.verbose("octopus: /api/users/me answered HTTP \(me.status)"))
            }
        } catch let failure as HTTPFailure {
            throw LiveCollectionError.unreachable(service: "Octopus Deploy", url: server, detail: failure.reason)
        }
    }

    struct AccountResult: Sendable {
        var id: String
        var identities: Data?
        var apiKeys: Data?
        var permissions: Data?
        var failures: [CollectionFailure]
    }

    func account(_ id: String) async throws -> AccountResult {
        var result = AccountResult(id: id, failures: [])
        let segment = LiveJSON.segment(id)
        func failed(_ part: String, _ failure: HTTPFailure) {
            result.failures.append(CollectionFailure(service: "octopus", subject: server, part: "\(part).\(id)", document: documentName,
                                                     reason: failure.description))
        }
        do {
            // The first page carries ExternalId and ServerUrl; later pages add identities.
            var first: [String: Any]?
            var items: [Any] = []
            var skip = 0
            for _ in 0..<1000 {
                let page = try LiveJSON.object(try await client.getOK(url(["serviceaccounts", segment, "oidcidentities", "v1"], query: "skip=\(skip)&take=\(take)")),
                                               redaction: client.redaction)
                let list = page["OidcIdentities"] as? [Any] ?? []
                if first == nil { first = page }
                items += list
                skip += list.count
                let count = LiveJSON.int(page["Count"]) ?? items.count
                if list.isEmpty || items.count >= count { break }
            }
            var body = first ?? [:]
            body["OidcIdentities"] = items
            body["Count"] = items.count
            result.identities = JSONDocument.write(body)
        } catch let failure as HTTPFailure {
            failed("oidc_identities", failure)
        }
        do {
            var keys = try await paged(["users", segment, "apikeys"], query: nil, itemsKey: "Items", countKey: "TotalResults")
            // An API key's secret is never needed to judge trust; drop whatever Octopus says of it.
            keys = keys.map { item in
                guard var object = item as? [String: Any] else { return item }
                object["ApiKey"] = nil
                return object
            }
            result.apiKeys = JSONDocument.write(["Items": keys, "TotalResults": keys.count] as [String: Any])
        } catch let failure as HTTPFailure {
            failed("api_keys", failure)
        }
        do {
            let body = try LiveJSON.object(try await client.getOK(url(["users", segment, "permissions"])), redaction: client.redaction)
            result.permissions = JSONDocument.write(body)
        } catch let failure as HTTPFailure {
            failed("permissions", failure)
        }
        return result
    }

    /// All pages of an Octopus collection (`skip`/`take`, until `TotalResults` or an empty page).
    func paged(_ path: [String], query: String?, itemsKey: String, countKey: String) async throws -> [Any] {
        var items: [Any] = []
        var skip = 0
        for _ in 0..<10_000 {
            let pageQuery = [query, "skip=\(skip)&take=\(take)"].compactMap { $0 }.joined(separator: "&")
            let response = try await client.getOK(url(path, query: pageQuery))
            let page = try LiveJSON.object(response, redaction: client.redaction)
            guard let list = page[itemsKey] as? [Any] else {
                throw HTTPFailure(url: response.url.absoluteString, status: response.status, reason: "expected an object with an `\(itemsKey)` array")
            }
            items += list
            skip += list.count
            let total = LiveJSON.int(page[countKey]) ?? items.count
            if list.isEmpty || items.count >= total { break }
        }
        return items
    }
}

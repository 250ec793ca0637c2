import Foundation

/// What a live collection cost: REST requests (and how many a 304 or the cache answered) and
/// GraphQL queries with the rate-limit points they took, for `--verbose` and `scans`.
public struct CollectionUsage: Sendable, Equatable, Codable {
    public var repositories = 0
    /// REST requests sent, retries included.
    public var restRequests = 0
    /// REST answers that were `304 Not Modified` (free on GitHub's primary rate limit).
    public var notModified = 0
    /// Immutable content answered from the cache without a request.
    public var cacheHits = 0
    public var graphQLRequests = 0
    /// GraphQL rate-limit points, as each answer's `rateLimit { cost }` said.
    public var graphQLCost = 0
    /// Wall time of the collection.
    public var seconds: Double?

    public init(repositories: Int = 0, restRequests: Int = 0, notModified: Int = 0, cacheHits: Int = 0, graphQLRequests: Int = 0, graphQLCost: Int = 0) {
        self.repositories = repositories
        self.restRequests = restRequests
        self.notModified = notModified
        self.cacheHits = cacheHits
        self.graphQLRequests = graphQLRequests
        self.graphQLCost = graphQLCost
    }

    public var restPerRepository: Double? {
        repositories > 0 ? Double(restRequests) / Double(repositories) : nil
    }

    /// One line: `123 repositories: 2.31 REST requests each (95% not modified), 12 GraphQL queries costing 14 points`.
    public var line: String {
        var text = "\(repositories) repositor\(repositories == 1 ? "y" : "ies"): \(restRequests) REST requests"
        if let each = restPerRepository { text += String(format: " (%.2f per repository", each) + ")" }
        if restRequests > 0 { text += String(format: ", %.0f%% answered 304", Double(notModified) * 100 / Double(restRequests)) }
        if cacheHits > 0 { text += ", \(cacheHits) from the cache" }
        if graphQLRequests > 0 { text += ", \(graphQLRequests) GraphQL quer\(graphQLRequests == 1 ? "y" : "ies") costing \(graphQLCost) point\(graphQLCost == 1 ? "" : "s")" }
        return text
    }
}

extension CollectionUsage {
    /// Short, for the `scans` table: `2.43 REST/repo, 97% 304, GraphQL 612 pts`.
    var summary: String {
        var parts: [String] = []
        if let each = restPerRepository { parts.append(String(format: "%.2f REST/repo", each)) }
        if restRequests > 0 { parts.append(String(format: "%.0f%% 304", Double(notModified) * 100 / Double(restRequests))) }
        if graphQLRequests > 0 { parts.append("GraphQL \(graphQLCost) pts") }
        return parts.joined(separator: ", ")
    }
}

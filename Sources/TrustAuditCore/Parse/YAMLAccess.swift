/// Bounded, merge-key-aware reading of a composed YAML tree.
///
/// The composer keeps aliases as shared copies of the anchored node, which is cheap until something
/// walks them: `budget` caps the nodes any one file may make us visit, so an alias bomb costs a bounded
/// amount of work and ends as a parse failure instead of a hung scan.
struct YAMLAccess {
    static let maxVisitedNodes = 2_000_000
    static let maxDepth = 256

    private(set) var visited = 0
    /// Text taken out of the tree so far: keys and rendered values. Few nodes can still make a
    /// lot of text (an alias of a long string, repeated), so text is bounded on its own.
    private(set) var expandedBytes = 0
    var maxExpandedBytes = ScanLimits.defaultMaxExpandedBytes

    mutating func spend(_ count: Int = 1, at node: YAMLNode) throws {
        visited += count
        if visited > Self.maxVisitedNodes {
            throw WorkflowParseFailure(
                "YAML aliases expand to more than \(Self.maxVisitedNodes) nodes (an alias bomb?)",
                line: node.line, limit: "nodes")
        }
    }

    mutating func spend(bytes count: Int, at node: YAMLNode) throws {
        expandedBytes += count
        if expandedBytes > maxExpandedBytes {
            throw WorkflowParseFailure(
                "the workflow's text expands to more than \(maxExpandedBytes) bytes through YAML aliases (an alias bomb?); "
                    + "raise the limit with --max-expanded-bytes or `limits.max_expanded_bytes`",
                line: node.line, limit: "max_expanded_bytes")
        }
    }

    /// The key/value pairs of a mapping with `<<` merge keys applied: explicit keys win over
    /// merged ones, earlier merge sources over later ones, as YAML 1.1 specifies.
    mutating func pairs(_ node: YAMLNode, depth: Int = 0) throws -> [(key: String, keyLine: Int, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { return [] }
        if depth > 16 {
            throw WorkflowParseFailure("merge keys (`<<`) nested more than 16 deep", line: node.line)
        }
        try spend(mapping.pairs.count, at: node)
        var explicit: [(key: String, keyLine: Int, value: YAMLNode)] = []
        var merged: [(key: String, keyLine: Int, value: YAMLNode)] = []
        var mergedKeys: Set<String> = []
        for pair in mapping.pairs {
            let key = pair.key, value = pair.value
            guard case .scalar(let scalar) = key else {
                throw WorkflowParseFailure("a mapping key must be a plain value", line: key.line)
            }
            let line = key.line
            try spend(bytes: scalar.string.utf8.count, at: key)
            if scalar.string == "<<" && scalar.style == .plain {
                let sources: [YAMLNode]
                switch value {
                case .mapping: sources = [value]
                case .sequence(let sequence): sources = sequence.items
                default: throw WorkflowParseFailure("`<<` must merge a mapping or a list of mappings", line: line)
                }
                for source in sources {
                    guard case .mapping = source else {
                        throw WorkflowParseFailure("`<<` must merge a mapping or a list of mappings", line: line)
                    }
                    for pair in try pairs(source, depth: depth + 1) where mergedKeys.insert(pair.key).inserted {
                        merged.append(pair)
                    }
                }
            } else {
                explicit.append((scalar.string, line, value))
            }
        }
        if !merged.isEmpty {
            let explicitKeys = Set(explicit.map(\.key))
            for pair in merged where !explicitKeys.contains(pair.key) {
                explicit.append(pair)
            }
        }
        return explicit
    }

    /// The elements of a sequence, or the node itself as a single element when it is a scalar
    /// (GitHub accepts `branches: main` as well as `branches: [main]`). A null value (`needs:`
    /// with nothing after it) is an empty list, not a list holding an empty string.
    mutating func elements(_ node: YAMLNode) throws -> [YAMLNode] {
        if Self.isNull(node) { return [] }
        switch node {
        case .sequence(let sequence):
            try spend(sequence.items.count, at: node)
            return sequence.items
        case .scalar: return [node]
        default: return []
        }
    }

    /// A list of strings from a scalar or a sequence of scalars; nested values are rendered.
    mutating func strings(_ node: YAMLNode) throws -> [String] {
        try elements(node).map { try render($0) }
    }

    /// A mapping of scalar strings, e.g. `with:` or `env:`. Non-scalar values are rendered.
    mutating func stringMap(_ node: YAMLNode) throws -> [String: String] {
        var result: [String: String] = [:]
        for pair in try pairs(node) {
            result[pair.key] = try render(pair.value)
        }
        return result
    }

    /// A scalar's text, or a compact flow rendering of a collection, within the node budget.
    mutating func render(_ node: YAMLNode, depth: Int = 0) throws -> String {
        if depth > Self.maxDepth {
            throw WorkflowParseFailure("nesting deeper than \(Self.maxDepth) levels", line: node.line)
        }
        try spend(at: node)
        switch node {
        case .scalar(let scalar):
            try spend(bytes: scalar.string.utf8.count, at: node)
            return scalar.string
        case .sequence(let sequence):
            var parts: [String] = []
            for element in sequence.items { parts.append(try render(element, depth: depth + 1)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .mapping:
            var parts: [String] = []
            for pair in try pairs(node) {
                parts.append("\(pair.key): \(try render(pair.value, depth: depth + 1))")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }

    /// The node as JSON, within the node budget: scalars stay text (GitHub turns matrix and input
    /// values into strings wherever trustaudit uses them), plain nulls become `null`.
    mutating func json(_ node: YAMLNode, depth: Int = 0) throws -> JSONValue {
        if depth > Self.maxDepth {
            throw WorkflowParseFailure("nesting deeper than \(Self.maxDepth) levels", line: node.line)
        }
        try spend(at: node)
        switch node {
        case .scalar(let scalar):
            return Self.isNull(node) ? .null : .string(scalar.string)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for element in sequence.items { items.append(try json(element, depth: depth + 1)) }
            return .array(items)
        case .mapping:
            var members: [String: JSONValue] = [:]
            for pair in try pairs(node) { members[pair.key] = try json(pair.value, depth: depth + 1) }
            return .object(members)
        }
    }

    /// Plain `null`, `~` or an empty value: GitHub treats `workflow_dispatch:` as "no settings".
    static func isNull(_ node: YAMLNode) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return isNullSpelling(scalar.string)
    }

    static func isNullSpelling(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    static func scalarString(_ node: YAMLNode) -> String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }
}

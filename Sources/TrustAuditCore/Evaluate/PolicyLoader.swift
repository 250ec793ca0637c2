import Foundation
import Yams

/// Reads policy files: the built-in ones embedded at build time, and an organization's own
/// from `--policies DIR`.
public enum PolicyLoader {
    /// Every built-in policy. A broken built-in policy is a bug caught by the tests, so this
    /// returns the ones that load and the errors for the others.
    public static func builtIn() -> (policies: [Policy], errors: [PolicyLoadError]) {
        // Every command that evaluates loads all of them first; they parse independently.
        let files = embeddedPolicies.filter { $0.name.hasSuffix(".yml") || $0.name.hasSuffix(".yaml") }
        let (policies, errors) = separated(ParallelMap.map(files) { file in
            loading("Policies/\(file.name)") { try parse(text: file.text, source: "Policies/\(file.name)") }
        })
        return (policies.sorted { $0.id < $1.id }, errors)
    }

    /// Loads every `*.yml`/`*.yaml` file of a directory, or one file.
    public static func load(path: String) -> (policies: [Policy], errors: [PolicyLoadError]) {
        let files: [String]
        switch InputFiles.list(path, suffixes: [".yml", ".yaml"]) {
        case .success(let found): files = found
        case .failure(.missing): return ([], [PolicyLoadError(file: path, reason: "no such file or directory")])
        case .failure(.unlistable(let why)): return ([], [PolicyLoadError(file: path, reason: "cannot list the folder: \(why)")])
        }
        return separated(files.map { file in
            loading(file) {
                // Only a regular file is opened, and without blocking: a FIFO named `x.yml` must not hang.
                let bytes: [UInt8]
                switch RegularFileReader.read(Array(file.utf8), followingSymlinks: true, limit: nil) {
                case .success(let read)?: bytes = read
                case .failure(let failure)?: throw PolicyLoadError(file: file, reason: failure.reason)
                case nil: throw PolicyLoadError(file: file, reason: "cannot read the file")
                }
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw PolicyLoadError(file: file, reason: "cannot read the file as UTF-8 text")
                }
                return try parse(text: text, source: file)
            }
        })
    }

    /// `body`'s policy, or why `file` gave none.
    private static func loading(_ file: String, _ body: () throws -> Policy) -> Result<Policy, PolicyLoadError> {
        do {
            return .success(try body())
        } catch let error as PolicyLoadError {
            return .failure(error)
        } catch {
            return .failure(PolicyLoadError(file: file, reason: "\(error)"))
        }
    }

    /// The policies that loaded and the errors of the others, each in the order given.
    private static func separated(_ results: [Result<Policy, PolicyLoadError>]) -> (policies: [Policy], errors: [PolicyLoadError]) {
        var policies: [Policy] = []
        var errors: [PolicyLoadError] = []
        for result in results {
            switch result {
            case .success(let policy): policies.append(policy)
            case .failure(let error): errors.append(error)
            }
        }
        return (policies, errors)
    }

    /// Merges the built-in policies with extra ones; an id defined twice is an error.
    public static func combine(_ base: [Policy], _ extra: [Policy]) -> (policies: [Policy], errors: [PolicyLoadError]) {
        var byID: [String: Policy] = [:]
        var errors: [PolicyLoadError] = []
        for policy in base + extra {
            if let existing = byID[policy.id] {
                errors.append(PolicyLoadError(file: policy.source, reason: "policy id `\(policy.id)` is already defined by \(existing.source)"))
            } else {
                byID[policy.id] = policy
            }
        }
        return (byID.values.sorted { $0.id < $1.id }, errors)
    }

    static let requiredKeys = ["id", "title", "severity", "category", "description", "remediation", "query", "examples"]
    static let knownKeys = Set(requiredKeys + ["references", "controls", "params", "scope"])

    /// Parses and validates one policy document.
    public static func parse(text: String, source: String) throws -> Policy {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyLoadError(file: source, reason: "the file is empty")
            }
            root = node
        } catch let error as PolicyLoadError {
            throw error
        } catch let error as YamlError {
            let failure = WorkflowParser.describe(error)
            throw PolicyLoadError(file: source, line: failure.line, reason: failure.reason)
        }
        guard let mapping = root.mapping else {
            throw PolicyLoadError(file: source, line: root.mark?.line, reason: "a policy must be a mapping of keys")
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            guard knownKeys.contains(name) else {
                throw PolicyLoadError(file: source, line: key.mark?.line, reason: "unknown key `\(name)` (known: \(knownKeys.sorted().joined(separator: ", ")))")
            }
            values[name] = value
        }
        for key in requiredKeys where values[key] == nil {
            throw PolicyLoadError(file: source, reason: "missing required key `\(key)`")
        }
        func string(_ key: String) throws -> String {
            guard let node = values[key], let value = node.string, !value.trimmingWhitespace().isEmpty else {
                throw PolicyLoadError(file: source, line: values[key]?.mark?.line, reason: "`\(key)` must be a non-empty string")
            }
            return value.trimmingWhitespace()
        }
        func strings(_ key: String) throws -> [String] {
            guard let node = values[key] else { return [] }
            guard let sequence = node.sequence else {
                throw PolicyLoadError(file: source, line: node.mark?.line, reason: "`\(key)` must be a list of strings")
            }
            return try sequence.map {
                guard let value = $0.string else {
                    throw PolicyLoadError(file: source, line: $0.mark?.line, reason: "`\(key)` must be a list of strings")
                }
                return value
            }
        }

        let id = try string("id")
        guard id.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
            throw PolicyLoadError(file: source, line: values["id"]?.mark?.line, reason: "id `\(id)` must be kebab-case (lowercase letters, digits and single dashes)")
        }
        let baseName = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        guard baseName == id else {
            throw PolicyLoadError(file: source, line: values["id"]?.mark?.line, reason: "id `\(id)` must match the file name (`\(id).yml`)")
        }
        let severityText = try string("severity")
        guard let severity = Severity(rawValue: severityText) else {
            throw PolicyLoadError(file: source, line: values["severity"]?.mark?.line,
                                  reason: "severity `\(severityText)` is not one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let categoryText = try string("category")
        guard let category = PolicyCategory(rawValue: categoryText) else {
            throw PolicyLoadError(file: source, line: values["category"]?.mark?.line,
                                  reason: "category `\(categoryText)` is not one of \(PolicyCategory.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var params: [String: JSONValue] = [:]
        if let node = values["params"], !YAMLAccess.isNull(node) {
            guard case .object(let object) = try json(node, source: source) else {
                throw PolicyLoadError(file: source, line: node.mark?.line, reason: "`params` must be a mapping")
            }
            params = object
        }
        var scope = PolicyScope.global
        if values["scope"] != nil {
            let scopeText = try string("scope")
            guard let declared = PolicyScope(rawValue: scopeText) else {
                throw PolicyLoadError(file: source, line: values["scope"]?.mark?.line,
                                      reason: "scope `\(scopeText)` is not one of \(PolicyScope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scope = declared
        }
        let examples = try parseExamples(values["examples"]!, source: source, policyID: id)
        return Policy(
            id: id, title: try string("title"), severity: severity, category: category,
            description: try string("description"), remediation: try string("remediation"),
            references: try strings("references"), controls: try strings("controls"),
            params: params, query: try string("query"), examples: examples, source: source, scope: scope)
    }

    static func parseExamples(_ node: Node, source: String, policyID: String) throws -> [PolicyExample] {
        guard let sequence = node.sequence else {
            throw PolicyLoadError(file: source, line: node.mark?.line, reason: "`examples` must be a list")
        }
        var examples: [PolicyExample] = []
        for (index, element) in sequence.enumerated() {
            let line = element.mark?.line
            guard case .object(let object) = try json(element, source: source) else {
                throw PolicyLoadError(file: source, line: line, reason: "example \(index + 1) must be a mapping")
            }
            let allowed: Set<String> = ["name", "workflows", "github_settings", "octopus", "params", "expect"]
            if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
                throw PolicyLoadError(file: source, line: line, reason: "example \(index + 1): unknown key `\(unknown)` (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            let name = object["name"]?.stringValue ?? "example \(index + 1)"
            let expect: Int
            var expectedRows: [PolicyExampleRow]?
            switch object["expect"] {
            case .number(let count)? where count >= 0 && count.rounded() == count && count < 1_000_000:
                expect = Int(count)
            case .array(let items)?:
                expectedRows = try items.map { try expectedRow($0, source: source, line: line, example: name) }
                expect = items.count
            default:
                throw PolicyLoadError(file: source, line: line, reason: "example `\(name)`: `expect` must be the number of findings (0 or more) or the list of findings, e.g. `[{job: release}]`")
            }
            var workflows: [String: String] = [:]
            if let value = object["workflows"] {
                guard case .object(let files) = value else {
                    throw PolicyLoadError(file: source, line: line, reason: "example `\(name)`: `workflows` must map `owner/repo/.github/workflows/file.yml` to its text")
                }
                for (path, text) in files {
                    guard let text = text.stringValue, path.split(separator: "/").count >= 3 else {
                        throw PolicyLoadError(file: source, line: line, reason: "example `\(name)`: workflow `\(path)` must be `owner/repo/path` mapped to the file's text")
                    }
                    workflows[path] = text
                }
            }
            func documents(_ key: String) -> [JSONValue] {
                switch object[key] {
                case .array(let items)?: return items
                case .object?: return [object[key]!]
                default: return []
                }
            }
            var params: [String: JSONValue] = [:]
            if case .object(let overrides)? = object["params"] { params = overrides }
            examples.append(PolicyExample(
                name: name, workflows: workflows, githubSettings: documents("github_settings"),
                octopus: documents("octopus"), params: params, expect: expect, expectedRows: expectedRows))
        }
        if !examples.contains(where: { $0.expect > 0 }) || !examples.contains(where: { $0.expect == 0 }) {
            throw PolicyLoadError(file: source, line: node.mark?.line,
                                  reason: "policy `\(policyID)` needs at least one example that triggers it (expect > 0) and one that does not (expect: 0)")
        }
        return examples
    }

    /// One entry of an `expect` list: a mapping of the finding's fields to the values they must have.
    static func expectedRow(_ value: JSONValue, source: String, line: Int?, example: String) throws -> PolicyExampleRow {
        guard case .object(let fields) = value, !fields.isEmpty else {
            throw PolicyLoadError(file: source, line: line, reason: "example `\(example)`: each entry of `expect` must be a mapping such as `{job: release}`")
        }
        if let unknown = fields.keys.sorted().first(where: { !PolicyExampleRow.keys.contains($0) }) {
            throw PolicyLoadError(file: source, line: line, reason: "example `\(example)`: `expect` entry has unknown key `\(unknown)` (known: \(PolicyExampleRow.keys.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String) throws -> String? {
            guard let field = fields[key] else { return nil }
            switch field {
            case .string(let string): return string
            case .number(let number) where number.rounded() == number && abs(number) < 1e15: return String(Int(number))
            default: throw PolicyLoadError(file: source, line: line, reason: "example `\(example)`: `expect` entry's `\(key)` must be text")
            }
        }
        var row = PolicyExampleRow(job: try text("job"), repository: try text("repository"), file: try text("file"),
                                   serviceAccount: try text("service_account"), resource: try text("resource"),
                                   messageContains: try text("message_contains"))
        if let lineText = try text("line") {
            guard let number = Int(lineText), number > 0 else {
                throw PolicyLoadError(file: source, line: line, reason: "example `\(example)`: `expect` entry's `line` must be a line number")
            }
            row.line = number
        }
        if let severityText = try text("severity") {
            guard let severity = Severity(rawValue: severityText) else {
                throw PolicyLoadError(file: source, line: line, reason: "example `\(example)`: `expect` entry's `severity` must be one of info, low, medium, high, critical")
            }
            row.severity = severity
        }
        return row
    }

    /// Converts YAML to JSON-shaped values, resolving scalars the YAML 1.1 way for booleans and
    /// numbers (policy files are written by people, who expect `true` and `3` to mean what they say).
    static func json(_ node: Node, source: String, depth: Int = 0) throws -> JSONValue {
        if depth > 64 {
            throw PolicyLoadError(file: source, line: node.mark?.line, reason: "nesting deeper than 64 levels")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if YAMLAccess.isNull(node) { return .null }
            if let value = node.bool { return .bool(value) }
            if let value = node.int { return .number(Double(value)) }
            if let value = node.float { return .number(value) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.map { try json($0, source: source, depth: depth + 1) })
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw PolicyLoadError(file: source, line: key.mark?.line, reason: "mapping keys must be strings")
                }
                object[name] = try json(value, source: source, depth: depth + 1)
            }
            return .object(object)
        case .alias:
            return .null
        }
    }
}

/// A policy: a read-only SQL query over the documented views, with the metadata a finding
/// carries and the examples that prove it right. Loaded from one YAML file in `Policies/`.
public struct Policy: Sendable, Equatable {
    /// Stable kebab-case id, equal to the file's base name; never reused for another meaning.
    public var id: String
    public var title: String
    public var severity: Severity
    public var category: PolicyCategory
    public var description: String
    public var remediation: String
    public var references: [String]
    /// Optional compliance mapping, e.g. `NIST 800-53 AC-6`.
    public var controls: [String]
    /// Defaults for `param('name')` in the query; the config file may override them.
    public var params: [String: JSONValue]
    public var query: String
    public var examples: [PolicyExample]
    /// Where the policy was loaded from, for error messages (`Policies/x.yml` or a path).
    public var source: String
    /// What its findings depend on (`scope:`, default `global`).
    public var scope: PolicyScope = .global
}

/// One example of a policy: documents to scan and how many findings the policy must report,
/// optionally which ones.
public struct PolicyExample: Sendable, Equatable {
    public var name: String
    /// `owner/repo/.github/workflows/file.yml` → workflow text.
    public var workflows: [String: String]
    /// GitHub settings export documents (the README's export shapes), each one repository or organization.
    public var githubSettings: [JSONValue]
    /// Octopus export documents, each one instance.
    public var octopus: [JSONValue]
    /// Parameter overrides for this example only.
    public var params: [String: JSONValue]
    public var expect: Int
    /// When the example lists its findings (`expect: [{job: release}]`), each must match a
    /// distinct finding; `expect` is then the list's length.
    public var expectedRows: [PolicyExampleRow]?
}

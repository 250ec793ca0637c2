import Foundation
import Yams

/// The configuration file, `trustaudit.yml`: sources, policy settings and waivers, so a
/// scheduled audit is one short command.
///
/// ```yaml
/// paths: [repos/]                 # folders to scan (relative to this file)
/// owner: acme                     # owner for checkouts without an origin remote
/// github_settings: exports/github # file or folder
/// octopus: exports/octopus.json   # file or folder
/// github_orgs: [acme]             # collected live (token from GITHUB_TOKEN or GH_TOKEN)
/// github_repos: [other/tool]      # OWNER/NAME, collected live
/// github_api_url: https://github.example.com/api/v3   # GitHub Enterprise Server
/// octopus_urls: [https://acme.octopus.app]             # collected live (OCTOPUS_API_KEY)
/// github_app_id: 123456           # collect as a GitHub App instead of with a token
/// github_app_key: /etc/trustaudit/app.pem   # its private key (PEM), relative to this file
/// github_app_installation: 7890   # optional; else looked up from the organization
/// policies_dir: our-policies/     # extra policies
/// fail_on: high
/// policies:
///   permissions-undeclared: { severity: low }
///   id-token-unused: { enabled: false }
///   service-account-shared: { params: { max_repositories: 3 } }
/// waivers:
///   - { policy: oidc-action-unpinned, repository: acme/legacy, reason: "vendored action", expires: 2027-03-31 }
/// limits: { policy_timeout: 60, policy_max_rows: 250000, max_expanded_bytes: 16777216 }
/// ```
public struct AuditConfig: Sendable, Equatable {
    public var paths: [String] = []
    public var owner: String?
    public var githubSettings: [String] = []
    public var octopus: [String] = []
    /// Live sources (issue 6): organizations, `owner/name` repositories, the API URL, Octopus servers.
    public var githubOrgs: [String] = []
    public var githubRepos: [String] = []
    public var githubApiURL: String?
    public var octopusURLs: [String] = []
    /// GitHub App authentication: the app id, the private key file, the installation (optional).
    public var githubAppID: String?
    public var githubAppKey: String?
    public var githubAppInstallation: Int?
    public var policiesDir: String?
    public var failOn: Severity?
    public var policySettings = PolicySettings()

    public init() {}

    /// Reads a config file; relative paths in it are resolved against the file's folder.
    public static func load(path: String) throws -> AuditConfig {
        // FileHandle rather than FileManager.contents, which returns nothing for /dev/null and pipes.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data(),
              let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, reason: "cannot read the file")
        }
        return try parse(text: text, file: path)
    }

    public static func parse(text: String, file: String) throws -> AuditConfig {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return AuditConfig() }
            root = node
        } catch let error as YamlError {
            let failure = WorkflowParser.describe(error)
            throw ConfigError(file: file, line: failure.line, reason: failure.reason)
        }
        guard case .object(let object) = try PolicyLoader.json(root, source: file) else {
            throw ConfigError(file: file, line: root.mark?.line, reason: "the configuration must be a mapping")
        }
        func fail(_ reason: String) -> ConfigError { ConfigError(file: file, line: nil, reason: reason) }
        func paths(_ key: String) throws -> [String] {
            switch object[key] {
            case nil, .null?: return []
            case .string(let value)?: return [resolve(value)]
            case .array(let items)?:
                return try items.map {
                    guard let value = $0.stringValue else { throw fail("`\(key)` must be a path or a list of paths") }
                    return resolve(value)
                }
            default: throw fail("`\(key)` must be a path or a list of paths")
            }
        }
        let known: Set<String> = ["paths", "owner", "github_settings", "octopus", "policies_dir", "fail_on", "policies", "waivers",
                                  "github_orgs", "github_repos", "github_api_url", "octopus_urls",
                                  "github_app_id", "github_app_key", "github_app_installation", "limits"]
        func names(_ key: String) throws -> [String] {
            switch object[key] {
            case nil, .null?: return []
            case .string(let value)?: return [value]
            case .array(let items)?:
                return try items.map {
                    guard let value = $0.stringValue else { throw fail("`\(key)` must be a name or a list of names") }
                    return value
                }
            default: throw fail("`\(key)` must be a name or a list of names")
            }
        }
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("unknown key `\(unknown)` (known: \(known.sorted().joined(separator: ", ")))")
        }
        var config = AuditConfig()
        config.paths = try paths("paths")
        config.owner = object["owner"]?.stringValue
        config.githubSettings = try paths("github_settings")
        config.octopus = try paths("octopus")
        config.policiesDir = try paths("policies_dir").first
        config.githubOrgs = try names("github_orgs")
        config.githubRepos = try names("github_repos")
        config.githubApiURL = object["github_api_url"]?.stringValue
        config.octopusURLs = try names("octopus_urls")
        config.policySettings.limits = try ScanLimits.parse(object["limits"], file: file)
        switch object["github_app_id"] {
        case nil, .null?: break
        case .string(let text)?: config.githubAppID = text
        case .number(let number)? where number == number.rounded() && number > 0 && number < 1e15: config.githubAppID = String(Int(number))
        default: throw fail("`github_app_id` must be the app's id")
        }
        config.githubAppKey = try paths("github_app_key").first
        switch object["github_app_installation"] {
        case nil, .null?: break
        case .number(let number)? where number == number.rounded() && number > 0 && number < 1e15: config.githubAppInstallation = Int(number)
        default: throw fail("`github_app_installation` must be an installation id (a number)")
        }
        if let value = object["fail_on"] {
            guard let text = value.stringValue, let severity = Severity(rawValue: text) else {
                throw fail("`fail_on` must be one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.failOn = severity
        }
        if case .object(let policies)? = object["policies"] {
            for (id, value) in policies {
                guard case .object(let fields) = value else { throw fail("`policies.\(id)` must be a mapping") }
                var override = PolicyOverride()
                for (key, field) in fields {
                    switch (key, field) {
                    case ("enabled", .bool(let flag)): override.enabled = flag
                    case ("severity", .string(let text)):
                        guard let severity = Severity(rawValue: text) else { throw fail("`policies.\(id).severity`: unknown severity `\(text)`") }
                        override.severity = severity
                    case ("params", .object(let params)): override.params = params
                    default: throw fail("`policies.\(id).\(key)` is not valid (use enabled: true|false, severity: …, params: {…})")
                    }
                }
                config.policySettings.overrides[id] = override
            }
        } else if object["policies"] != nil, object["policies"] != .null {
            throw fail("`policies` must map policy ids to settings")
        }
        if case .array(let items)? = object["waivers"] {
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item,
                      let policy = fields["policy"]?.stringValue,
                      let repository = fields["repository"]?.stringValue,
                      let reason = fields["reason"]?.stringValue, !reason.isEmpty else {
                    throw fail("waiver \(index + 1) needs `policy`, `repository` and a non-empty `reason`")
                }
                var expires: String?
                switch fields["expires"] {
                case .string(let text)?: expires = text
                case nil, .null?: expires = nil
                default: throw fail("waiver \(index + 1): `expires` must be a date, YYYY-MM-DD")
                }
                if let date = expires, date.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil {
                    throw fail("waiver \(index + 1): `expires` must be a date, YYYY-MM-DD (got `\(date)`)")
                }
                config.policySettings.waivers.append(Waiver(
                    policy: policy, repository: repository, file: fields["file"]?.stringValue, reason: reason, expires: expires))
            }
        } else if object["waivers"] != nil, object["waivers"] != .null {
            throw fail("`waivers` must be a list")
        }
        return config
    }
}

/// A configuration file that cannot be used. Maps to exit code 2.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public var description: String {
        line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)"
    }
}

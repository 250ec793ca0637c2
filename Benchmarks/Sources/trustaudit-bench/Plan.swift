/// The shape of one synthetic organization, decided before anything is written, so workflows,
/// GitHub settings and the Octopus export agree with each other (a login names an account that
/// has identities for that repository's environments, and so on).
struct OrgPlan {
    static let organization = "acme"
    static let octopusServer = "https://acme.octopus.app"
    static let githubIssuer = "https://token.actions.githubusercontent.com"

    var seed: UInt64
    var repos: [RepoPlan]
    var accounts: [AccountPlan]

    init(repoCount: Int, seed: UInt64) {
        self.seed = seed
        let accountCount = max(4, repoCount / 50)
        var accounts: [AccountPlan] = []
        for index in 0..<accountCount {
            var rng = SplitMix64(seed: seed, stream: "account-\(index)")
            let team = Vocabulary.teams[index % Vocabulary.teams.count]
            accounts.append(AccountPlan(
                index: index, id: "Users-\(101 + index)", username: "gh-\(team)-\(index)",
                displayName: "GitHub Actions (\(team) \(index))", externalId: rng.guid(),
                hasApiKey: rng.chance(0.3), oidcIdentities: []))
        }
        var repos: [RepoPlan] = []
        var names = Set<String>()
        for index in 0..<repoCount {
            var plan = RepoPlan.make(index: index, seed: seed, accountCount: accountCount)
            // Names are unique by construction (the index is part of them); guard anyway.
            while !names.insert(plan.name).inserted { plan.name += "-x" }
            repos.append(plan)
        }
        // Identities: one per (repository, environment or ref) an Octopus-deploying repository uses,
        // plus a few broad ones (wildcards) that real instances accumulate.
        var identityNumber = 1
        for repo in repos where repo.octopus != nil {
            guard let octopus = repo.octopus else { continue }
            for subjectTail in octopus.identitySubjects {
                accounts[octopus.account].oidcIdentities.append(IdentityPlan(
                    id: "ServiceAccountOidcIdentitys-\(identityNumber)",
                    name: "\(repo.name) \(subjectTail.name)",
                    subject: "repo:\(Self.organization)/\(repo.name):\(subjectTail.tail)",
                    audience: nil))
                identityNumber += 1
            }
        }
        for index in accounts.indices {
            var rng = SplitMix64(seed: seed, stream: "account-broad-\(index)")
            if rng.chance(0.25) {
                let broad = rng.weighted([
                    ("repo:\(Self.organization)/*:environment:Production", 3),
                    ("repo:\(Self.organization)/*", 1),
                    ("repo:\(Self.organization)/\(Vocabulary.teams[index % Vocabulary.teams.count])-*:ref:refs/heads/*", 2),
                    ("repo:\(Self.organization)/*:pull_request", 1),
                ])
                accounts[index].oidcIdentities.append(IdentityPlan(
                    id: "ServiceAccountOidcIdentitys-\(identityNumber)", name: "broad \(index)", subject: broad,
                    audience: rng.chance(0.5) ? "api://octopus-\(index)" : nil))
                identityNumber += 1
            }
        }
        self.accounts = accounts
        self.repos = repos
    }

    var identityCount: Int { accounts.reduce(0) { $0 + $1.oidcIdentities.count } }
}

struct AccountPlan {
    var index: Int
    var id: String
    var username: String
    var displayName: String
    var externalId: String
    var hasApiKey: Bool
    var oidcIdentities: [IdentityPlan]
}

struct IdentityPlan {
    var id: String
    var name: String
    var subject: String
    var audience: String?
}

enum Language: CaseIterable {
    case node, python, go, dotnet, java
}

enum PinStyle {
    case all, mixed, none
}

/// How a repository deploys with Octopus.
enum OctopusDeployKind {
    /// staging then Production environments, `id-token: write` on the deploy jobs.
    case environmentsJobLevel
    /// Same, but `id-token: write` for the whole workflow.
    case environmentsWorkflowLevel
    /// `workflow_dispatch` with an environment input: `environment: ${{ inputs.environment }}`.
    case environmentInput
    /// Deploys on tags, no environment: the subject is the tag ref.
    case tagNoEnvironment
    /// Through the org's shared reusable workflow, `secrets: inherit`.
    case reusableCaller
    /// Legacy: an API key secret instead of OIDC.
    case apiKey
}

struct OctopusPlan {
    var kind: OctopusDeployKind
    var account: Int
    /// The login names the account by a literal GUID (else a `vars.` expression).
    var literalAccount: Bool
    var space: String
    var project: String
    var identitySubjects: [(name: String, tail: String)]
}

struct RepoPlan {
    var index: Int
    var name: String
    var language: Language
    var pins: PinStyle
    var octopus: OctopusPlan?
    /// Deploys to a cloud (AWS) with OIDC and environments, no Octopus.
    var cloudDeploy: Bool
    var reusablePair: Bool
    var prTarget: Bool
    var nightly: Bool
    var codeql: Bool
    var housekeeping: Bool
    var docs: Bool
    var anchors: Bool
    var ciPermissions: Bool
    var defaultBranch: String

    var environments: [String] {
        var result: [String] = []
        if let octopus, octopus.kind != .tagNoEnvironment { result += ["staging", "Production"] }
        if cloudDeploy && result.isEmpty { result += ["staging", "Production"] }
        if docs { result.append("github-pages") }
        return result
    }

    static func make(index: Int, seed: UInt64, accountCount: Int) -> RepoPlan {
        var rng = SplitMix64(seed: seed, stream: "repo-\(index)")
        let name: String
        if index == 0 {
            name = "shared-workflows"
        } else {
            name = "\(rng.pick(Vocabulary.teams))-\(rng.pick(Vocabulary.components))-\(String(index, radix: 10))"
        }
        let language = rng.pick(Language.allCases)
        let pins = rng.weighted([(PinStyle.all, 35), (.mixed, 40), (.none, 25)])
        var octopus: OctopusPlan?
        if index != 0 && rng.chance(0.17) {
            let kind = rng.weighted([
                (OctopusDeployKind.environmentsJobLevel, 45), (.environmentsWorkflowLevel, 15), (.environmentInput, 10),
                (.tagNoEnvironment, 10), (.reusableCaller, 12), (.apiKey, 8),
            ])
            var subjects: [(String, String)] = []
            switch kind {
            case .environmentsJobLevel, .environmentsWorkflowLevel, .environmentInput, .reusableCaller:
                subjects.append(("production", "environment:Production"))
                if rng.chance(0.45) { subjects.append(("staging", "environment:staging")) }
            case .tagNoEnvironment:
                subjects.append(("release tags", rng.chance(0.6) ? "ref:refs/tags/v*" : "ref:refs/heads/main"))
            case .apiKey:
                break
            }
            let project = rng.pick(Vocabulary.components).capitalized + " " + String(index)
            octopus = OctopusPlan(
                kind: kind, account: rng.int(accountCount), literalAccount: rng.chance(0.8),
                space: rng.pick(["Default", "Platform", "Payments", "Retail"]), project: project,
                identitySubjects: subjects)
        }
        let cloudDeploy = octopus == nil && index != 0 && rng.chance(0.3)
        return RepoPlan(
            index: index, name: name, language: language, pins: pins, octopus: octopus, cloudDeploy: cloudDeploy,
            reusablePair: rng.chance(0.12), prTarget: rng.chance(0.05), nightly: rng.chance(0.45),
            codeql: rng.chance(0.35), housekeeping: rng.chance(0.2), docs: rng.chance(0.08),
            anchors: rng.chance(0.06), ciPermissions: rng.chance(0.7),
            defaultBranch: rng.chance(0.85) ? "main" : "master")
    }
}

enum Vocabulary {
    static let teams = [
        "payments", "billing", "identity", "search", "catalog", "checkout", "platform", "data", "mobile", "web",
        "infra", "risk", "ledger", "growth", "support", "notify", "media", "pricing", "orders", "shipping",
    ]
    static let components = [
        "api", "service", "worker", "frontend", "gateway", "sync", "importer", "exporter", "scheduler", "portal",
        "admin", "cli", "sdk", "lib", "jobs", "stream", "cache", "proxy", "ui", "db-migrations",
    ]
}

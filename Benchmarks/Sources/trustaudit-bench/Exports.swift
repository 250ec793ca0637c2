/// The GitHub settings and Octopus exports, in the exact shapes the README documents (REST bodies under
/// the documented keys), with the ordered JSON writer so output is byte-identical per seed.
enum Exports {
    static func repositorySettings(_ repo: RepoPlan, org: OrgPlan) -> String {
        var rng = SplitMix64(seed: org.seed, stream: "settings-\(repo.index)")
        let fullName = "\(OrgPlan.organization)/\(repo.name)"
        var members: [(String, JSON)] = [
            ("repository", .string(fullName)),
            ("default_branch", .string(repo.defaultBranch)),
            ("visibility", .string(rng.weighted([("private", 70), ("internal", 25), ("public", 5)]))),
            ("owner_id", .int(4_012_345)),
            ("repository_id", .int(700_000_000 + repo.index * 37)),
        ]
        var environments: [JSON] = []
        var branchPolicies: [(String, JSON)] = []
        var environmentNames = repo.environments
        // A few repositories deploy to an environment that was never created in GitHub: it gets
        // created on first use, unprotected.
        if environmentNames.contains("Production") && rng.chance(0.03) {
            environmentNames.removeAll { $0 == "Production" }
        }
        for (index, name) in environmentNames.enumerated() {
            let id = 160_000_000 + repo.index * 10 + index
            var environment: [(String, JSON)] = [
                ("id", .int(id)),
                ("node_id", .string("EN_kwDO\(String(id, radix: 36))")),
                ("name", .string(name)),
                ("url", .string("https://api.github.com/repos/\(fullName)/environments/\(name)")),
                ("html_url", .string("https://github.com/\(fullName)/deployments/activity_log?environments_filter=\(name)")),
                ("created_at", .string("2024-03-1\(index)T09:12:4\(index)Z")),
                ("updated_at", .string("2025-06-0\(index + 1)T17:03:2\(index)Z")),
            ]
            var rules: [JSON] = []
            var policy: JSON = .null
            if name == "Production" {
                environment.append(("can_admins_bypass", .bool(rng.chance(0.6))))
                if rng.chance(0.2) {
                    rules.append(.object([("id", .int(id * 3)), ("node_id", .string("GA_\(id)")), ("type", .string("wait_timer")), ("wait_timer", .int(15))]))
                }
                if rng.chance(0.75) {
                    var reviewers: [JSON] = [.object([
                        ("type", .string("Team")),
                        ("reviewer", .object([("id", .int(9000 + repo.index % 20)), ("name", .string("\(Vocabulary.teams[repo.index % 20]) leads")),
                                              ("slug", .string("\(Vocabulary.teams[repo.index % 20])-leads"))])),
                    ])]
                    if rng.chance(0.4) {
                        reviewers.append(.object([
                            ("type", .string("User")),
                            ("reviewer", .object([("login", .string("dev\(repo.index % 97)")), ("id", .int(100 + repo.index % 97)),
                                                  ("type", .string("User")), ("site_admin", .bool(false))])),
                        ]))
                    }
                    rules.append(.object([
                        ("id", .int(id * 3 + 1)), ("node_id", .string("GA_\(id + 1)")),
                        ("prevent_self_review", .bool(rng.chance(0.5))), ("type", .string("required_reviewers")),
                        ("reviewers", .array(reviewers)),
                    ]))
                }
                let kind = rng.weighted([("custom", 50), ("protected", 20), ("any", 30)])
                switch kind {
                case "custom":
                    rules.append(.object([("id", .int(id * 3 + 2)), ("node_id", .string("GA_\(id + 2)")), ("type", .string("branch_policy"))]))
                    policy = .object([("protected_branches", .bool(false)), ("custom_branch_policies", .bool(true))])
                    var list: [JSON] = [.object([("id", .int(361_000 + repo.index)), ("node_id", .string("DBP_\(repo.index)")),
                                                ("name", .string(repo.defaultBranch)), ("type", .string("branch"))])]
                    if rng.chance(0.3) {
                        list.append(.object([("id", .int(561_000 + repo.index)), ("name", .string("v*")), ("type", .string("tag"))]))
                    }
                    branchPolicies.append((name, .object([("total_count", .int(list.count)), ("branch_policies", .array(list))])))
                case "protected":
                    rules.append(.object([("id", .int(id * 3 + 2)), ("node_id", .string("GA_\(id + 2)")), ("type", .string("branch_policy"))]))
                    policy = .object([("protected_branches", .bool(true)), ("custom_branch_policies", .bool(false))])
                default:
                    break
                }
            } else if name == "github-pages" {
                rules.append(.object([("id", .int(id * 3)), ("node_id", .string("GA_\(id)")), ("type", .string("branch_policy"))]))
                policy = .object([("protected_branches", .bool(false)), ("custom_branch_policies", .bool(true))])
                branchPolicies.append((name, .object([("total_count", .int(1)), ("branch_policies", .array([
                    .object([("id", .int(461_000 + repo.index)), ("name", .string(repo.defaultBranch)), ("type", .string("branch"))]),
                ]))])))
            }
            environment.append(("protection_rules", .array(rules)))
            environment.append(("deployment_branch_policy", policy))
            environments.append(.object(environment))
        }
        members.append(("environments", .object([("total_count", .int(environments.count)), ("environments", .array(environments))])))
        if !branchPolicies.isEmpty { members.append(("deployment_branch_policies", .object(branchPolicies))) }
        if rng.chance(0.06) {
            members.append(("oidc_subject_claim", .object([
                ("use_default", .bool(false)), ("include_claim_keys", .array([.string("repo"), .string("context"), .string("job_workflow_ref")])),
            ])))
        } else {
            members.append(("oidc_subject_claim", .object([("use_default", .bool(true))])))
        }
        let write = rng.chance(0.15)
        members.append(("workflow_permissions", .object([
            ("default_workflow_permissions", .string(write ? "write" : "read")),
            ("can_approve_pull_request_reviews", .bool(write && rng.chance(0.5))),
        ])))
        return JSON.object(members).render() + "\n"
    }

    static func organizationSettings() -> String {
        JSON.object([
            ("organization", .string(OrgPlan.organization)),
            ("organization_id", .int(4_012_345)),
            ("oidc_subject_claim", .object([("include_claim_keys", .array([.string("repo"), .string("context")]))])),
            ("workflow_permissions", .object([
                ("default_workflow_permissions", .string("read")), ("can_approve_pull_request_reviews", .bool(false)),
            ])),
        ]).render() + "\n"
    }

    static func octopus(_ org: OrgPlan) -> String {
        let users: [JSON] = org.accounts.map { account in
            .object([
                ("Id", .string(account.id)), ("Username", .string(account.username)), ("DisplayName", .string(account.displayName)),
                ("IsService", .bool(true)), ("IsActive", .bool(account.index % 23 != 5)), ("ServiceAccountType", .string("Standard")),
                ("EmailAddress", .null), ("CanPasswordBeEdited", .bool(false)), ("IsRequestor", .bool(false)),
                ("Links", .object([("Self", .string("/api/users/\(account.id)"))])),
            ])
        }
        var identities: [(String, JSON)] = []
        var apiKeys: [(String, JSON)] = []
        var permissions: [(String, JSON)] = []
        for account in org.accounts {
            if !account.oidcIdentities.isEmpty {
                identities.append((account.id, .object([
                    ("Count", .int(account.oidcIdentities.count)),
                    ("ExternalId", .string(account.externalId)),
                    ("ServerUrl", .string(OrgPlan.octopusServer)),
                    ("OidcIdentities", .array(account.oidcIdentities.map { identity in
                        .object([
                            ("Id", .string(identity.id)), ("Name", .string(identity.name)), ("ServiceAccountId", .string(account.id)),
                            ("Issuer", .string(OrgPlan.githubIssuer)), ("Subject", .string(identity.subject)),
                            ("Audience", identity.audience.map(JSON.string) ?? .null),
                        ])
                    })),
                ])))
            }
            if account.hasApiKey {
                apiKeys.append((account.id, .object([("Items", .array([.object([
                    ("Id", .string("APIKeys-\(account.index + 1)")), ("Purpose", .string("CI fallback")), ("UserId", .string(account.id)),
                    ("Created", .string("2023-0\(account.index % 9 + 1)-14T10:00:00.000+00:00")),
                    ("Expires", account.index % 3 == 0 ? .null : .string("2027-01-01T00:00:00.000+00:00")),
                ])]))])))
            }
            let team = Vocabulary.teams[account.index % Vocabulary.teams.count]
            let admin = account.index % 17 == 0
            permissions.append((account.id, .object([
                ("SystemPermissions", .array(admin ? [.string("AdministerSystem")] : [])),
                ("SpacePermissions", .object([
                    ("DeploymentCreate", .array([.object([
                        ("SpaceId", .string("Spaces-\(account.index % 4 + 1)")),
                        ("RestrictedToEnvironmentIds", .array(account.index % 5 == 0 ? [.string("Environments-\(account.index)")] : [])),
                        ("RestrictedToProjectIds", .array([])),
                    ])])),
                    ("ReleaseCreate", .array([.object([
                        ("SpaceId", .string("Spaces-\(account.index % 4 + 1)")),
                        ("RestrictedToEnvironmentIds", .array([])), ("RestrictedToProjectIds", .array([])),
                    ])])),
                ])),
                ("Teams", .array([.object([("Id", .string(admin ? "teams-administrators" : "Teams-\(account.index % 20 + 1)")),
                                          ("Name", .string(admin ? "Octopus Administrators" : "\(team) deployers"))])])),
            ])))
        }
        return JSON.object([
            ("server", .string(OrgPlan.octopusServer)),
            ("users", .object([("Items", .array(users)), ("TotalResults", .int(users.count)), ("ItemsPerPage", .int(users.count))])),
            ("oidc_identities", .object(identities)),
            ("api_keys", .object(apiKeys)),
            ("permissions", .object(permissions)),
        ]).render() + "\n"
    }
}

/// Branch rules for the settings export's `branch_rules` key, kept apart from the rest of the
/// repository collection: `GET /repos/{owner}/{repo}/rules/branches/{branch}` for the default
/// branch and every branch an environment's deployment branch policy names literally (a pattern
/// names no single branch). The endpoint needs only read access and answers `[]` for a branch no
/// active ruleset covers, whether or not it exists. Branches whose rules a GraphQL batch already
/// gave in full (`known`) cost no request.
extension GitHubCollector {
    func branchRules(base: [String], defaultBranch: String?, deploymentPolicies: [String: Any], subject: String,
                     document: String, known: [String: [Any]] = [:]) async -> (rules: [String: Any], failures: [CollectionFailure]) {
        var branches: [String] = defaultBranch.map { [$0] } ?? []
        for case let body as [String: Any] in deploymentPolicies.values {
            for case let policy as [String: Any] in body["branch_policies"] as? [Any] ?? [] {
                guard (policy["type"] as? String ?? "branch") == "branch", let name = policy["name"] as? String,
                      !name.contains("*"), !name.contains("?"), !name.contains("["), !branches.contains(name) else { continue }
                branches.append(name)
            }
        }
        var rules: [String: Any] = known
        var failures: [CollectionFailure] = []
        for branch in branches where known[branch] == nil {
            do {
                let fetched = try await pages(
                    LiveJSON.url(base: api, path: base + ["rules", "branches"] + branch.split(separator: "/").map { LiveJSON.segment(String($0)) },
                                 query: "per_page=100"),
                    itemsKey: nil)
                // A partial list would understate the rules; without all of them the branch counts as not collected.
                if let stopped = fetched.stopped { throw stopped }
                rules[branch] = fetched.items
            } catch let failure as HTTPFailure {
                failures.append(CollectionFailure(service: "github", subject: subject, part: "branch_rules.\(branch)", document: document,
                                                  reason: failure.description, repositoryIncomplete: false))
            } catch {
                failures.append(CollectionFailure(service: "github", subject: subject, part: "branch_rules.\(branch)", document: document,
                                                  reason: "\(error)", repositoryIncomplete: false))
            }
        }
        return (rules, failures)
    }
}

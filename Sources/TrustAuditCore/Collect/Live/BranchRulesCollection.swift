/// Branch rules for the settings export's `branch_rules` key, kept apart from the rest of the
/// repository collection: `GET /repos/{owner}/{repo}/rules/branches/{branch}` for the default
/// branch and every branch an environment's deployment branch policy names literally (a pattern
/// names no single branch). The endpoint needs only read access and answers `[]` for a branch no
/// active ruleset covers, whether or not it exists. Branches whose rules a GraphQL batch already
/// gave in full (`known`) cost no request. A server without rulesets (the endpoint answers 404,
/// as older GitHub Enterprise Server does) falls back to classic protection:
/// `GET /repos/{owner}/{repo}/branches/{branch}`, whose `protected` readers may see (how it
/// protects needs admin access, so the review requirement stays not collected).
extension GitHubCollector {
    func branchRules(base: [String], defaultBranch: String?, deploymentPolicies: [String: Any], subject: String,
                     document: String, known: [String: [Any]] = [:])
        async -> (rules: [String: Any], classic: [String: Any], failures: [CollectionFailure]) {
        var branches: [String] = defaultBranch.map { [$0] } ?? []
        for case let body as [String: Any] in deploymentPolicies.values {
            for case let policy as [String: Any] in body["branch_policies"] as? [Any] ?? [] {
                guard (policy["type"] as? String ?? "branch") == "branch", let name = policy["name"] as? String,
                      !name.contains("*"), !name.contains("?"), !name.contains("["), !branches.contains(name) else { continue }
                branches.append(name)
            }
        }
        var rules: [String: Any] = known
        var classic: [String: Any] = [:]
        var failures: [CollectionFailure] = []
        func failed(_ part: String, _ reason: String) {
            failures.append(CollectionFailure(service: "github", subject: subject, part: part, document: document,
                                              reason: reason, repositoryIncomplete: false))
        }
        for branch in branches where known[branch] == nil {
            do {
                let fetched = try await pages(
                    LiveJSON.url(base: api, path: base + ["rules", "branches"] + branch.split(separator: "/").map { LiveJSON.segment(String($0)) },
                                 query: "per_page=100"),
                    itemsKey: nil)
                // A partial list would understate the rules; without all of them the branch counts as not collected.
                if let stopped = fetched.stopped { throw stopped }
                rules[branch] = fetched.items
            } catch let failure as HTTPFailure where failure.status == 404 {
                do {
                    classic[branch] = try await classicProtection(base: base, branch: branch)
                } catch let fallback as HTTPFailure {
                    failed("branches.\(branch)", "no rulesets here (\(failure.description)), and classic protection: \(fallback.description)")
                } catch {
                    failed("branches.\(branch)", "\(error)")
                }
            } catch let failure as HTTPFailure {
                failed("branch_rules.\(branch)", failure.description)
            } catch {
                failed("branch_rules.\(branch)", "\(error)")
            }
        }
        return (rules, classic, failures)
    }

    /// `{"protected": …}` from the branch's classic endpoint; a branch that does not exist is not
    /// protected (whoever creates it decides what runs there).
    private func classicProtection(base: [String], branch: String) async throws -> [String: Any] {
        let url = LiveJSON.url(base: api, path: base + ["branches"] + branch.split(separator: "/").map { LiveJSON.segment(String($0)) })
        let response = try await client.get(url)
        if response.status == 404 { return ["protected": false] }
        guard response.isSuccess else {
            throw HTTPFailure(url: client.redaction.redact(url.absoluteString), status: response.status,
                              reason: HTTPClient.explain(response, redaction: client.redaction))
        }
        let body = try LiveJSON.object(response, redaction: client.redaction)
        guard let isProtected = body["protected"] as? Bool else {
            throw HTTPFailure(url: client.redaction.redact(url.absoluteString), status: response.status, reason: "the answer has no `protected`")
        }
        return ["protected": isProtected]
    }
}

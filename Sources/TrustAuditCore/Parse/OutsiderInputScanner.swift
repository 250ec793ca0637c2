/// Finds where a step runs outsider input (see `OutsiderInputFact`).
///
/// Template injection: an attacker-controlled context (`UntrustedContexts.attackerControlled`)
/// expanded by `${{ }}` into `run:` or into `actions/github-script`'s `script:`, where GitHub
/// pastes its text into the shell or JavaScript source before it runs. Untrusted checkout:
/// `actions/checkout` with a `ref:` (or `repository:`) naming the pull request's code, or a
/// script that fetches or checks it out (`gh pr checkout`, `git fetch … pull/…`, `git checkout`
/// of the head SHA).
enum OutsiderInputScanner {
    /// A scalar value and where its text starts in the file.
    struct Located {
        var text: String
        /// Line of the value's first character of text.
        var firstLine: Int
    }

    /// - parameter action: the step's `uses:`, as parsed already.
    static func scan(action: ActionReference?, run: Located?, script: Located?, with: [String: String], stepLine: Int) -> [OutsiderInputFact] {
        var facts: [OutsiderInputFact] = []
        let actionName = action.flatMap { reference in
            reference.owner.map { "\($0)/\(reference.repo ?? "")".lowercased() }
        }
        if let run {
            facts += injections(in: run, field: "run")
            facts += scriptedCheckouts(in: run)
        }
        if actionName == "actions/github-script", let script {
            facts += injections(in: script, field: "script")
        }
        if actionName == "actions/checkout" {
            for key in ["ref", "repository"] {
                guard let value = with[key] else { continue }
                if let context = pullRequestCode(in: value) {
                    facts.append(OutsiderInputFact(kind: .untrustedCheckout, context: context, field: "ref", line: stepLine,
                                                   expression: bounded(value)))
                    break
                }
            }
        }
        return facts
    }

    static func injections(in value: Located, field: String) -> [OutsiderInputFact] {
        var facts: [OutsiderInputFact] = []
        for expression in ExpressionContexts.expressions(in: value.text) {
            let serialized = expression.text.lowercased().contains("tojson(")
            var seen = Set<String>()
            for path in expression.paths
            where UntrustedContexts.matches(path, UntrustedContexts.attackerControlled, serialized: serialized) && seen.insert(path).inserted {
                facts.append(OutsiderInputFact(
                    kind: .templateInjection, context: path, field: field,
                    line: line(of: expression.offset, in: value), expression: bounded(expression.text)))
            }
        }
        return facts
    }

    /// The pull-request context a checkout's `ref:`/`repository:` names, or `refs/pull/…` written out.
    static func pullRequestCode(in value: String) -> String? {
        for expression in ExpressionContexts.expressions(in: value) {
            if let path = expression.paths.first(where: { UntrustedContexts.matches($0, UntrustedContexts.pullRequestCode, serialized: false) }) {
                return path
            }
        }
        return value.lowercased().contains("refs/pull/") ? "refs/pull/" : nil
    }

    /// Commands in a script that fetch or check out the pull request's code.
    static func scriptedCheckouts(in run: Located) -> [OutsiderInputFact] {
        // Lower-cased once, not line by line: most scripts name neither git nor gh, and lower-casing
        // keeps every line break where it was, so the lines pair up with the script's own.
        let lowered = run.text.lowercased()
        guard lowered.containsBytes("git") || lowered.containsBytes("gh ") else { return [] }
        var facts: [OutsiderInputFact] = []
        var offset = 0
        let loweredLines = lowered.split(separator: "\n", omittingEmptySubsequences: false)
        for (rawLine, text) in zip(run.text.split(separator: "\n", omittingEmptySubsequences: false), loweredLines) {
            defer { offset += rawLine.utf8.count + 1 }
            guard text.containsBytes("git") || text.containsBytes("gh ") else { continue }
            var context: String?
            if text.containsBytes("gh pr checkout") {
                context = "gh pr checkout"
            } else if text.containsBytes("git fetch"), text.containsBytes("pull/") {
                context = "git fetch pull/"
            } else if text.containsBytes("git checkout") || text.containsBytes("git switch") || text.containsBytes("git clone")
                        || text.containsBytes("git reset") || text.containsBytes("git fetch") {
                context = ExpressionContexts.expressions(in: String(rawLine)).lazy
                    .compactMap { $0.paths.first { UntrustedContexts.matches($0, UntrustedContexts.pullRequestCode, serialized: false) } }
                    .first
            }
            guard let context else { continue }
            facts.append(OutsiderInputFact(kind: .untrustedCheckout, context: context, field: "run",
                                           line: line(of: offset, in: run), expression: bounded(rawLine.trimmingWhitespace())))
        }
        return facts
    }

    /// The file line of a byte offset in a value: its first line plus the newlines before it.
    static func line(of offset: Int, in value: Located) -> Int {
        var newlines = 0
        for byte in value.text.utf8.prefix(offset) where byte == UInt8(ascii: "\n") { newlines += 1 }
        return value.firstLine + newlines
    }

    static func bounded(_ text: String) -> String {
        text.count <= ExpressionContexts.maxEvidenceLength ? text : String(text.prefix(ExpressionContexts.maxEvidenceLength)) + "…"
    }
}

/// The context paths whose value someone outside the repository chooses, and those that name
/// the pull request's code.
///
/// The attacker-controlled list follows GitHub Security Lab's "untrusted input" list and the
/// free-text fields zizmor's template-injection audit treats as arbitrary: titles, bodies and
/// comments anyone can write, branch names and labels of a fork, commit messages and author
/// names or e-mails (git accepts anything there), page names of a wiki edit, and the same fields
/// relayed by `workflow_run`. Fields only people with write access set (`inputs.*`, a release's
/// name, `client_payload`) are left out on purpose: they are not outsider input. `*` stands for
/// one path segment (an array index).
enum UntrustedContexts {
    static let attackerControlled: [[String]] = [
        "github.head_ref",
        "github.event.issue.title",
        "github.event.issue.body",
        "github.event.pull_request.title",
        "github.event.pull_request.body",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.head.label",
        "github.event.pull_request.head.repo.default_branch",
        "github.event.pull_request.head.repo.description",
        "github.event.comment.body",
        "github.event.review.body",
        "github.event.discussion.title",
        "github.event.discussion.body",
        "github.event.answer.body",
        "github.event.changes.title.from",
        "github.event.changes.body.from",
        "github.event.pages.*.page_name",
        "github.event.commits.*.message",
        "github.event.commits.*.author.email",
        "github.event.commits.*.author.name",
        "github.event.commits.*.committer.email",
        "github.event.commits.*.committer.name",
        "github.event.head_commit.message",
        "github.event.head_commit.author.email",
        "github.event.head_commit.author.name",
        "github.event.head_commit.committer.email",
        "github.event.head_commit.committer.name",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.display_title",
        "github.event.workflow_run.head_commit.message",
        "github.event.workflow_run.head_commit.author.email",
        "github.event.workflow_run.head_commit.author.name",
        "github.event.workflow_run.head_commit.committer.email",
        "github.event.workflow_run.head_commit.committer.name",
        "github.event.workflow_run.head_repository.description",
        "github.event.workflow_run.pull_requests.*.head.ref",
    ].map(segments)

    /// Contexts naming the pull request's (or the triggering run's) code: checking them out runs
    /// what the pull request's author wrote.
    static let pullRequestCode: [[String]] = [
        "github.head_ref",
        "github.event.pull_request.head.sha",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.head.repo.full_name",
        "github.event.pull_request.head.repo.clone_url",
        "github.event.pull_request.merge_commit_sha",
        "github.event.workflow_run.head_sha",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.head_repository.full_name",
        "github.event.workflow_run.pull_requests.*.head.sha",
        "github.event.workflow_run.pull_requests.*.head.ref",
    ].map(segments)

    private static func segments(_ path: String) -> [String] {
        path.split(separator: ".").map(String.init)
    }

    /// True when `path` reads one of `patterns` (or a field below it), or, inside `toJSON(…)`,
    /// a whole object that holds one.
    static func matches(_ path: String, _ patterns: [[String]], serialized: Bool) -> Bool {
        let parts = path.split(separator: ".").map(String.init)
        for pattern in patterns {
            let common = min(parts.count, pattern.count)
            var same = true
            for index in 0..<common where pattern[index] != "*" && parts[index] != "*" && pattern[index] != parts[index] {
                same = false
                break
            }
            guard same else { continue }
            if parts.count >= pattern.count { return true }
            if serialized && parts.count >= 2 { return true }
        }
        return false
    }
}

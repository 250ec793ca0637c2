import Testing
@testable import TrustAuditCore

@Suite("SubjectDerivation")
struct SubjectDerivationTests {
    static let context = SubjectDerivationContext(
        owner: "acme", name: "api", defaultBranch: "main",
        template: SubjectClaimTemplate(claimKeys: ["repo", "context"], repoForm: .names),
        workflowPath: ".github/workflows/deploy.yml", workflowName: "Deploy")

    static func job(environment: String? = nil, expression: Bool = false, uses: String? = nil) -> JobFact {
        JobFact(key: "deploy", ordinal: 0, line: 10, environment: environment, environmentIsExpression: expression, uses: uses)
    }

    static func derive(
        _ triggers: [TriggerFact], job: JobFact = job(), context: SubjectDerivationContext = context
    ) -> [DerivedSubject] {
        SubjectDerivation.subjects(job: job, triggers: triggers, context: context)
    }

    static func values(_ subjects: [DerivedSubject]) -> Set<String> { Set(subjects.map(\.value)) }

    @Test("push on a branch filter gives that branch's ref subject")
    func pushBranch() {
        let subjects = Self.derive([TriggerFact(event: "push", line: 3, branches: ["main"])])
        #expect(subjects.map(\.value) == ["repo:acme/api:ref:refs/heads/main"])
        #expect(subjects[0].isPattern == false)
        #expect(subjects[0].trigger == "push")
        #expect(subjects[0].environment == nil)
        #expect(subjects[0].reason.contains("main"))
    }

    @Test("push without filters: any branch and any tag")
    func pushAnything() {
        let subjects = Self.derive([TriggerFact(event: "push", line: 3)])
        #expect(Self.values(subjects) == ["repo:acme/api:ref:refs/heads/*", "repo:acme/api:ref:refs/tags/*"])
        let checked1 = subjects.allSatisfy { $0.isPattern }
        #expect(checked1)
    }

    @Test("push with only tag filters does not run for branches, and the other way round")
    func pushFilterKinds() {
        #expect(Self.values(Self.derive([TriggerFact(event: "push", line: 1, tags: ["v*"])]))
                == ["repo:acme/api:ref:refs/tags/v*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "push", line: 1, branchesIgnore: ["wip/**"])]))
                == ["repo:acme/api:ref:refs/heads/*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "push", line: 1, branches: ["main", "release/**", "!release/old"],
                                                     tags: ["v[0-9]+"])]))
                == ["repo:acme/api:ref:refs/heads/main", "repo:acme/api:ref:refs/heads/release/*",
                    "repo:acme/api:ref:refs/tags/v?*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "push", line: 1, paths: ["src/**"])]))
                == ["repo:acme/api:ref:refs/heads/*", "repo:acme/api:ref:refs/tags/*"], "paths filters do not stop tag pushes")
    }

    @Test("pull_request gives the pull-request subject whatever its branch filter")
    func pullRequest() {
        let subjects = Self.derive([TriggerFact(event: "pull_request", line: 2, branches: ["main"])])
        #expect(subjects.map(\.value) == ["repo:acme/api:pull_request"])
        #expect(Self.values(Self.derive([TriggerFact(event: "pull_request_review", line: 2)])) == ["repo:acme/api:pull_request"])
    }

    @Test("pull_request_target gives both the base ref and the pull-request subject, and says so")
    func pullRequestTarget() {
        let subjects = Self.derive([TriggerFact(event: "pull_request_target", line: 2, branches: ["main"])])
        #expect(subjects.map(\.value) == ["repo:acme/api:ref:refs/heads/main", "repo:acme/api:pull_request"])
        let checked2 = subjects.allSatisfy { $0.trigger == "pull_request_target" }
        #expect(checked2)
        #expect(subjects[0].reason.contains("base branch"))
        #expect(subjects[1].reason.contains("pull-request subject"))
        #expect(Self.values(Self.derive([TriggerFact(event: "pull_request_target", line: 2)]))
                == ["repo:acme/api:ref:refs/heads/*", "repo:acme/api:pull_request"])
    }

    @Test("dispatch events can run on any branch")
    func dispatch() {
        #expect(Self.values(Self.derive([TriggerFact(event: "workflow_dispatch", line: 2)]))
                == ["repo:acme/api:ref:refs/heads/*", "repo:acme/api:ref:refs/tags/*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "repository_dispatch", line: 2)]))
                == ["repo:acme/api:ref:refs/heads/*"])
    }

    @Test("default-branch events use the default branch, or any branch when it is unknown",
          arguments: ["schedule", "workflow_run", "issue_comment", "issues", "check_suite"])
    func defaultBranch(_ event: String) {
        #expect(Self.values(Self.derive([TriggerFact(event: event, line: 2)])) == ["repo:acme/api:ref:refs/heads/main"])
        var unknown = Self.context
        unknown.defaultBranch = nil
        let subjects = Self.derive([TriggerFact(event: event, line: 2)], context: unknown)
        #expect(Self.values(subjects) == ["repo:acme/api:ref:refs/heads/*"])
        #expect(subjects[0].reason.contains("not collected"))
    }

    @Test("release runs on tags, merge_group on merge-queue branches, create on either")
    func refEvents() {
        #expect(Self.values(Self.derive([TriggerFact(event: "release", line: 2, types: ["published"])]))
                == ["repo:acme/api:ref:refs/tags/*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "merge_group", line: 2)]))
                == ["repo:acme/api:ref:refs/heads/gh-readonly-queue/*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "merge_group", line: 2, branches: ["main"])]))
                == ["repo:acme/api:ref:refs/heads/gh-readonly-queue/main/*"])
        #expect(Self.values(Self.derive([TriggerFact(event: "create", line: 2)]))
                == ["repo:acme/api:ref:refs/heads/*", "repo:acme/api:ref:refs/tags/*"])
    }

    @Test("a reusable workflow presents its unknown caller's subjects")
    func workflowCall() {
        let subjects = Self.derive([TriggerFact(event: "workflow_call", line: 2)])
        #expect(Self.values(subjects) == ["repo:acme/api:ref:refs/*", "repo:acme/api:pull_request"])
        let checked3 = subjects.allSatisfy { $0.trigger == "*" }
        #expect(checked3)
        #expect(subjects[0].reason.contains("caller"))
    }

    @Test("a reusable workflow with known same-repository callers takes their triggers")
    func workflowCallKnownCallers() {
        var context = Self.context
        context.callerTriggers = [TriggerFact(event: "push", line: 1, branches: ["main"]),
                                  TriggerFact(event: "workflow_call", line: 2)]
        let subjects = Self.derive([TriggerFact(event: "workflow_call", line: 2)], context: context)
        #expect(subjects.map(\.value) == ["repo:acme/api:ref:refs/heads/main", "repo:acme/api:ref:refs/*",
                                          "repo:acme/api:pull_request"], "a caller that is itself called stays unknown")
        #expect(subjects[0].trigger == "push")
        #expect(subjects[0].reason.hasPrefix("called by a workflow of this repository"))

        context.template = SubjectClaimTemplate(claimKeys: ["workflow", "job_workflow_ref"], repoForm: .names)
        context.callerTriggers = [TriggerFact(event: "push", line: 1, branches: ["main"])]
        let custom = Self.derive([TriggerFact(event: "workflow_call", line: 2)], context: context)
        #expect(custom.map(\.value) == ["workflow:*:job_workflow_ref:acme/api/.github/workflows/deploy.yml@refs/heads/main"],
                "the workflow claim names the unknown calling workflow; the job's own file is known")
    }

    @Test("an event trustaudit does not know widens to any ref")
    func unknownEvent() {
        let subjects = Self.derive([TriggerFact(event: "some_future_event", line: 2)])
        #expect(subjects.map(\.value) == ["repo:acme/api:ref:refs/*"])
    }

    @Test("the environment wins over the trigger, once per trigger")
    func environment() {
        let subjects = Self.derive(
            [TriggerFact(event: "push", line: 2, branches: ["main"]), TriggerFact(event: "pull_request", line: 4),
             TriggerFact(event: "workflow_dispatch", line: 5)],
            job: Self.job(environment: "Production"))
        #expect(subjects.map(\.value) == Array(repeating: "repo:acme/api:environment:Production", count: 3))
        #expect(subjects.map(\.trigger) == ["push", "pull_request", "workflow_dispatch"])
        let checked4 = subjects.allSatisfy { $0.environment == "Production" && !$0.isPattern }
        #expect(checked4)
    }

    @Test("':' in an environment name is escaped")
    func environmentColon() {
        let subjects = Self.derive([TriggerFact(event: "push", line: 2)], job: Self.job(environment: "Production:V1"))
        #expect(Self.values(subjects) == ["repo:acme/api:environment:Production%3AV1"])
    }

    @Test("an expression environment is a pattern, never a guess; a bare expression may also mean no environment")
    func expressionEnvironment() {
        let bare = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])],
                               job: Self.job(environment: "${{ inputs.target }}", expression: true))
        #expect(Self.values(bare) == ["repo:acme/api:environment:*", "repo:acme/api:ref:refs/heads/main"])
        let checked5 = bare.first { $0.value.hasSuffix("environment:*") }?.isPattern == true
        #expect(checked5)

        let partial = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])],
                                  job: Self.job(environment: "prod-${{ matrix.region }}", expression: true))
        #expect(Self.values(partial) == ["repo:acme/api:environment:prod-*"])
    }

    @Test("custom template: repo, context and job_workflow_ref")
    func customTemplate() {
        var context = Self.context
        context.template = SubjectClaimTemplate(claimKeys: ["repo", "context", "job_workflow_ref"], repoForm: .names)
        let env = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])],
                              job: Self.job(environment: "prod"), context: context)
        #expect(env.map(\.value) == [
            "repo:acme/api:environment:prod:job_workflow_ref:acme/api/.github/workflows/deploy.yml@refs/heads/main",
        ])
        let dispatch = Self.derive([TriggerFact(event: "workflow_dispatch", line: 2)], context: context)
        #expect(Self.values(dispatch) == [
            "repo:acme/api:ref:refs/heads/*:job_workflow_ref:acme/api/.github/workflows/deploy.yml@refs/heads/*",
            "repo:acme/api:ref:refs/tags/*:job_workflow_ref:acme/api/.github/workflows/deploy.yml@refs/tags/*",
        ])
    }

    @Test("custom template: job_workflow_ref of a job calling a reusable workflow")
    func customTemplateReusable() {
        var context = Self.context
        context.template = SubjectClaimTemplate(claimKeys: ["job_workflow_ref"], repoForm: .names)
        let remote = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])],
                                 job: Self.job(uses: "acme/platform/.github/workflows/deploy.yml@v2"), context: context)
        #expect(remote.map(\.value) == ["job_workflow_ref:acme/platform/.github/workflows/deploy.yml@*"])
        let local = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])],
                                job: Self.job(uses: "./.github/workflows/shared.yml"), context: context)
        #expect(local.map(\.value) == ["job_workflow_ref:acme/api/.github/workflows/shared.yml@refs/heads/main"])
    }

    @Test("custom template: known values filled in, run-time values become *")
    func customTemplateValues() {
        var context = Self.context
        context.ownerId = 1234
        context.visibility = "private"
        context.template = SubjectClaimTemplate(
            claimKeys: ["repository_owner", "repository_owner_id", "repository_id", "repository_visibility", "workflow",
                        "event_name", "ref", "ref_type", "actor", "repo_property_team"],
            repoForm: .names)
        let subjects = Self.derive([TriggerFact(event: "push", line: 2, tags: ["v1"])], context: context)
        #expect(subjects.map(\.value) == [
            "repository_owner:acme:repository_owner_id:1234:repository_id:*:repository_visibility:private:workflow:Deploy:"
                + "event_name:push:ref:refs/tags/v1:ref_type:tag:actor:*:repo_property_team:*",
        ])
        #expect(subjects[0].isPattern)
        #expect(subjects[0].reason.contains("repository_owner"))
    }

    @Test("custom template with environment: jobs without one cannot get a token")
    func environmentClaimRequired() {
        var context = Self.context
        context.template = SubjectClaimTemplate(claimKeys: ["environment", "repository_owner"], repoForm: .names)
        #expect(Self.derive([TriggerFact(event: "push", line: 2)], context: context).isEmpty)
        let gated = Self.derive([TriggerFact(event: "push", line: 2)], job: Self.job(environment: "production:eastus"),
                                context: context)
        #expect(Self.values(gated) == ["environment:production%3Aeastus:repository_owner:acme"])
    }

    @Test("custom template: context expands to the default tail for each case")
    func contextKey() {
        var context = Self.context
        context.template = SubjectClaimTemplate(claimKeys: ["context", "event_name"], repoForm: .names)
        let subjects = Self.derive([TriggerFact(event: "pull_request", line: 2), TriggerFact(event: "schedule", line: 3)],
                                   context: context)
        #expect(subjects.map(\.value) == ["pull_request:event_name:pull_request", "ref:refs/heads/main:event_name:schedule"])
    }

    @Test("immutable subjects put ids into the repo segment; unknown ids become *")
    func immutable() {
        var context = Self.context
        context.template = SubjectClaimTemplate(claimKeys: ["repo", "context"], repoForm: .immutable(ownerId: 1234, repositoryId: 987))
        #expect(Self.values(Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])], context: context))
                == ["repo:acme@1234/api@987:ref:refs/heads/main"])
        context.template.repoForm = .immutable(ownerId: nil, repositoryId: nil)
        let unknownIds = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])], context: context)
        #expect(unknownIds.map(\.value) == ["repo:acme@*/api@*:ref:refs/heads/main"])
        #expect(unknownIds[0].isPattern)
        context.template.repoForm = .prefix("repo:acme@1234/api@987")
        #expect(Self.values(Self.derive([TriggerFact(event: "pull_request", line: 2)], context: context))
                == ["repo:acme@1234/api@987:pull_request"])
    }

    @Test("immutable form also applies inside custom templates that name repo")
    func immutableCustom() {
        var context = Self.context
        context.template = SubjectClaimTemplate(claimKeys: ["repo", "context", "job_workflow_ref"],
                                                repoForm: .immutable(ownerId: 1, repositoryId: 2))
        let subjects = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])],
                                   job: Self.job(environment: "prod"), context: context)
        #expect(subjects.map(\.value)
                == ["repo:acme@1/api@2:environment:prod:job_workflow_ref:acme/api/.github/workflows/deploy.yml@refs/heads/main"])
    }

    @Test("an uncollected subject format derives both repo forms, and says it assumed the template")
    func unknownForm() {
        var context = Self.context
        context.template = SubjectClaimTemplate.effective(repository: nil, organization: nil)
        let subjects = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main"])], context: context)
        #expect(Self.values(subjects) == ["repo:acme/api:ref:refs/heads/main", "repo:acme@*/api@*:ref:refs/heads/main"])
        let checked6 = subjects.allSatisfy { $0.reason.contains("assumed default") }
        #expect(checked6)
    }

    @Test("duplicates across filters collapse; no triggers means no subjects")
    func dedupe() {
        let subjects = Self.derive([TriggerFact(event: "push", line: 2, branches: ["main", "main"])])
        #expect(subjects.count == 1)
        #expect(Self.derive([]).isEmpty)
    }

    @Test("context splits owner/name")
    func contextInit() {
        let context = SubjectDerivationContext(repository: "acme/api", defaultBranch: "main")
        #expect(context?.owner == "acme")
        #expect(context?.name == "api")
        #expect(SubjectDerivationContext(repository: "acme", defaultBranch: nil) == nil)
        #expect(SubjectDerivationContext(repository: "a/b/c", defaultBranch: nil) == nil)
    }
}

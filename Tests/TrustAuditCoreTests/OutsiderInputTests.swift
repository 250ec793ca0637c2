import Testing
@testable import TrustAuditCore

/// The parser's `outsider_inputs` facts: which expressions and checkouts count, and where.
struct OutsiderInputTests {
    @Test func templateInjectionInRunPointsAtTheExpressionsLine() throws {
        let facts = try #require(parsed("""
            on: issues
            jobs:
              triage:
                runs-on: ubuntu-latest
                steps:
                  - name: echo
                    run: |
                      echo start
                      echo "${{ github.event.issue.title }}" "${{ github.event.issue.number }}"
                      echo "${{ github.event['Issue']['body'] }}"
                  - run: echo ${{ github.head_ref || github.ref }}
            """))
        let steps = facts.jobs[0].steps
        #expect(steps[0].outsiderInputs.map(\.context) == ["github.event.issue.title", "github.event.issue.body"])
        #expect(steps[0].outsiderInputs.map(\.line) == [9, 10])
        let checked1 = steps[0].outsiderInputs.allSatisfy { $0.kind == .templateInjection && $0.field == "run" }
        #expect(checked1)
        #expect(steps[0].outsiderInputs.first?.expression == "${{ github.event.issue.title }}")
        #expect(steps[1].outsiderInputs.map(\.context) == ["github.head_ref"])
        #expect(steps[1].outsiderInputs.map(\.line) == [11])
    }

    @Test func safeUsesAreNotInputs() throws {
        let facts = try #require(parsed("""
            on: issue_comment
            jobs:
              bot:
                runs-on: ubuntu-latest
                steps:
                  - env:
                      BODY: ${{ github.event.comment.body }}
                    run: echo "$BODY ${{ github.event.comment.id }} ${{ 'github.event.comment.body' }}"
                  - uses: some/action@v1
                    with:
                      script: ${{ github.event.comment.body }}
                  - run: echo "${{ github.event.pull_request.head.sha }} ${{ toJSON(steps.x.outputs) }} ${{ github.event.commits[0].id }}"
                  - run: echo "${{ github.event.issue.title"
            """))
        for step in facts.jobs[0].steps {
            #expect(step.outsiderInputs.isEmpty, "step \(step.index)")
        }
    }

    @Test func githubScriptAndSerializedObjects() throws {
        let facts = try #require(parsed("""
            on: workflow_run
            jobs:
              report:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/github-script@v7
                    with:
                      script: |
                        const branch = "${{ github.event.workflow_run.head_branch }}"
                  - run: echo '${{ toJSON(github.event) }}' '${{ toJson(github.event.commits[*].message) }}'
            """))
        let steps = facts.jobs[0].steps
        #expect(steps[0].outsiderInputs == [OutsiderInputFact(
            kind: .templateInjection, context: "github.event.workflow_run.head_branch", field: "script", line: 9,
            expression: "${{ github.event.workflow_run.head_branch }}")])
        #expect(steps[1].outsiderInputs.map(\.context) == ["github.event", "github.event.commits.*.message"])
    }

    @Test func checkoutsOfThePullRequestsCode() throws {
        let facts = try #require(parsed("""
            on: pull_request_target
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
                    with:
                      ref: ${{ github.event.pull_request.head.sha }}
                  - uses: Actions/Checkout@v4
                    with: { ref: "refs/pull/${{ github.event.number }}/merge" }
                  - uses: actions/checkout@v4
                    with: { ref: main }
                  - uses: actions/checkout@v4
                  - run: |
                      gh pr checkout ${{ github.event.number }}
                      git fetch origin pull/1/head:pr
                      git checkout ${{ github.event.pull_request.head.ref }}
                      git log ${{ github.event.pull_request.head.sha }}
            """))
        let steps = facts.jobs[0].steps
        #expect(steps[0].outsiderInputs == [OutsiderInputFact(
            kind: .untrustedCheckout, context: "github.event.pull_request.head.sha", field: "ref", line: 6,
            expression: "${{ github.event.pull_request.head.sha }}")])
        #expect(steps[1].outsiderInputs.map(\.context) == ["refs/pull/"])
        #expect(steps[2].outsiderInputs.isEmpty)
        #expect(steps[3].outsiderInputs.isEmpty)
        let scripted = steps[4].outsiderInputs.filter { $0.kind == .untrustedCheckout }
        #expect(scripted.map(\.context) == ["gh pr checkout", "git fetch pull/", "github.event.pull_request.head.ref"])
        #expect(scripted.map(\.line) == [15, 16, 17])
        // The branch name is also attacker-controlled text in the script.
        let checked2 = steps[4].outsiderInputs.filter { $0.kind == .templateInjection }.map(\.context) == ["github.event.pull_request.head.ref"]
        #expect(checked2)
    }
}

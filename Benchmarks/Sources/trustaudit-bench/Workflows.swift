import Foundation

/// Writes one repository's workflow files from its plan. Text is assembled line by line so the
/// variety (pins, permissions placement, matrices, anchors) stays under the plan's control.
struct WorkflowWriter {
    let plan: RepoPlan
    let org: OrgPlan
    var rng: SplitMix64

    init(plan: RepoPlan, org: OrgPlan) {
        self.plan = plan
        self.org = org
        rng = SplitMix64(seed: org.seed, stream: "workflows-\(plan.index)")
    }

    /// `(file name, text)` pairs, in a stable order.
    mutating func files() -> [(String, String)] {
        var files: [(String, String)] = []
        if plan.index == 0 { return sharedWorkflows() }
        files.append((rng.chance(0.2) ? "ci.yaml" : "ci.yml", ci()))
        if let octopus = plan.octopus {
            files.append(("deploy.yml", octopusDeploy(octopus)))
        } else if plan.cloudDeploy {
            files.append(("deploy.yml", cloudDeploy()))
        }
        if plan.reusablePair {
            files.append(("release.yml", releaseCaller()))
            files.append(("reusable-build.yml", reusableBuild()))
        }
        if plan.prTarget { files.append(("pr-preview.yml", pullRequestTarget())) }
        if plan.nightly { files.append(("nightly.yml", nightly())) }
        if plan.codeql { files.append(("codeql.yml", codeql())) }
        if plan.housekeeping { files.append(("stale.yml", housekeeping())) }
        if plan.docs { files.append(("docs.yml", docs())) }
        if files.count < 2 { files.append(("lint.yml", lint())) }
        return files.map { name, text in (name, damage(name: name, text: header(name) + text)) }
    }

    /// Most real workflows open with a comment or two; some do not.
    func header(_ name: String) -> String {
        var rng = SplitMix64(seed: org.seed, stream: "header-\(plan.index)-\(name)")
        let team = Vocabulary.teams[plan.index % Vocabulary.teams.count]
        switch rng.int(4) {
        case 0:
            return "# Maintained by the \(team) team. Changes need a review from @\(OrgPlan.organization)/\(team)-leads.\n"
                + "# See https://wiki.\(OrgPlan.organization).example/ci/\(plan.name) for the conventions this file follows.\n\n"
        case 1:
            return "# \(name): generated from the \(OrgPlan.organization)/templates repository, then edited by hand.\n\n"
        default:
            return ""
        }
    }

    // MARK: - Actions and pins

    /// `owner/repo@ref`, pinned to a SHA (with the tag in a comment) or not, per the plan.
    mutating func use(_ action: String, _ version: String) -> String {
        let pinned: Bool
        switch plan.pins {
        case .all: pinned = !action.hasPrefix("./")
        case .none: pinned = false
        case .mixed: pinned = action.hasPrefix("actions/") ? rng.chance(0.3) : rng.chance(0.7)
        }
        if pinned {
            var shaRng = SplitMix64(seed: 42, stream: "\(action)@\(version)")
            return "\(action)@\(shaRng.hex(40)) # \(version)"
        }
        let major = version.split(separator: ".").first.map(String.init) ?? version
        return "\(action)@\(major)"
    }

    var runner: String { plan.index % 7 == 3 ? "ubuntu-22.04" : "ubuntu-latest" }

    // MARK: - CI

    mutating func setupSteps(indent: String, version: String) -> String {
        let checkout = use("actions/checkout", "v4.2.2")
        switch plan.language {
        case .node:
            return """
            \(indent)- uses: \(checkout)
            \(indent)- uses: \(use("actions/setup-node", "v4.1.0"))
            \(indent)  with:
            \(indent)    node-version: \(version)
            \(indent)    cache: npm
            \(indent)- run: npm ci

            """
        case .python:
            return """
            \(indent)- uses: \(checkout)
            \(indent)- uses: \(use("actions/setup-python", "v5.3.0"))
            \(indent)  with:
            \(indent)    python-version: \(version)
            \(indent)    cache: pip
            \(indent)- name: Install dependencies
            \(indent)  run: |
            \(indent)    python -m pip install --upgrade pip
            \(indent)    pip install -r requirements.txt -r requirements-dev.txt

            """
        case .go:
            return """
            \(indent)- uses: \(checkout)
            \(indent)- uses: \(use("actions/setup-go", "v5.2.0"))
            \(indent)  with:
            \(indent)    go-version: \(version)
            \(indent)- run: go mod download

            """
        case .dotnet:
            return """
            \(indent)- uses: \(checkout)
            \(indent)- uses: \(use("actions/setup-dotnet", "v4.2.0"))
            \(indent)  with:
            \(indent)    dotnet-version: \(version)
            \(indent)- run: dotnet restore

            """
        case .java:
            return """
            \(indent)- uses: \(checkout)
            \(indent)- uses: \(use("actions/setup-java", "v4.6.0"))
            \(indent)  with:
            \(indent)    distribution: temurin
            \(indent)    java-version: \(version)
            \(indent)    cache: gradle

            """
        }
    }

    var versions: [String] {
        switch plan.language {
        case .node: return ["18", "20", "22"]
        case .python: return ["'3.10'", "'3.11'", "'3.12'", "'3.13'"]
        case .go: return ["'1.22'", "'1.23'"]
        case .dotnet: return ["8.0.x", "9.0.x"]
        case .java: return ["17", "21"]
        }
    }

    var versionKey: String {
        switch plan.language {
        case .node: return "node"
        case .python: return "python"
        case .go: return "go"
        case .dotnet: return "dotnet"
        case .java: return "java"
        }
    }

    var testCommand: String {
        switch plan.language {
        case .node: return "npm test -- --ci --reporters=default --reporters=jest-junit"
        case .python: return "pytest -q --junitxml=reports/junit.xml --cov=src --cov-report=xml"
        case .go: return "go test -race -coverprofile=coverage.out ./..."
        case .dotnet: return "dotnet test --no-restore --logger trx --collect:\"XPlat Code Coverage\""
        case .java: return "./gradlew test jacocoTestReport --no-daemon"
        }
    }

    var buildCommand: String {
        switch plan.language {
        case .node: return "npm run build"
        case .python: return "python -m build"
        case .go: return "go build -trimpath -o bin/\(plan.name) ./cmd/\(plan.name)"
        case .dotnet: return "dotnet publish src/App -c Release -o out"
        case .java: return "./gradlew assemble --no-daemon"
        }
    }

    mutating func ci() -> String {
        if plan.anchors { return ciWithAnchors() }
        let branch = plan.defaultBranch
        var text = "name: CI\n\non:\n  push:\n    branches: [\(branch), 'release/**']\n"
        if rng.chance(0.5) { text += "    paths-ignore:\n      - 'docs/**'\n      - '**.md'\n" }
        text += "  pull_request:\n    branches: [\(branch)]\n"
        if rng.chance(0.3) { text += "  workflow_dispatch:\n" }
        if plan.ciPermissions { text += "\npermissions:\n  contents: read\n" }
        text += """

        concurrency:
          group: ci-${{ github.workflow }}-${{ github.ref }}
          cancel-in-progress: true

        env:
          CI: true
          SERVICE_NAME: \(plan.name)

        jobs:
          lint:
            name: Lint
            runs-on: \(runner)
            timeout-minutes: 10
            steps:

        """
        let versionList = versions
        text += setupSteps(indent: "      ", version: versionList[versionList.count - 1])
        text += "      - name: Lint\n        run: make lint\n\n"
        let matrixVersions = Array(versionList.suffix(rng.int(in: 2...versionList.count)))
        let oses = rng.chance(0.4) ? "[ubuntu-latest, windows-latest, macos-latest]" : "[ubuntu-latest]"
        text += """
          test:
            name: Test (${{ matrix.os }}, \(versionKey) ${{ matrix.\(versionKey) }})
            needs: lint
            runs-on: ${{ matrix.os }}
            timeout-minutes: 30
            strategy:
              fail-fast: false
              matrix:
                os: \(oses)
                \(versionKey): [\(matrixVersions.joined(separator: ", "))]

        """
        if rng.chance(0.4) {
            text += "        include:\n          - os: ubuntu-latest\n            \(versionKey): \(matrixVersions[0])\n            experimental: true\n"
        }
        if rng.chance(0.3) {
            text += "        exclude:\n          - os: windows-latest\n            \(versionKey): \(matrixVersions[0])\n"
        }
        if rng.chance(0.5) {
            text += """
                services:
                  postgres:
                    image: postgres:16
                    env:
                      POSTGRES_PASSWORD: postgres
                    ports: ['5432:5432']
                    options: >-
                      --health-cmd pg_isready
                      --health-interval 10s
                      --health-timeout 5s
                      --health-retries 5

            """
        }
        text += "    steps:\n"
        text += setupSteps(indent: "      ", version: "${{ matrix.\(versionKey) }}")
        if rng.chance(0.4) {
            text += """
                  - uses: \(use("actions/cache", "v4.2.0"))
                    with:
                      path: |
                        ~/.cache
                        .build-cache
                      key: ${{ runner.os }}-\(versionKey)-${{ hashFiles('**/*.lock') }}
                      restore-keys: ${{ runner.os }}-\(versionKey)-

            """
        }
        text += """
              - name: Test
                run: \(testCommand)
                env:
                  DATABASE_URL: postgres://postgres:postgres@localhost:5432/test
              - uses: \(use("codecov/codecov-action", "v5.1.2"))
                if: matrix.os == 'ubuntu-latest'
                with:
                  token: ${{ secrets.CODECOV_TOKEN }}
                  fail_ci_if_error: false

          build:
            name: Build
            needs: test
            runs-on: \(runner)

        """
        if plan.ciPermissions && rng.chance(0.3) {
            text += "    permissions:\n      contents: read\n      packages: write\n"
        }
        text += "    steps:\n"
        text += setupSteps(indent: "      ", version: versionList[versionList.count - 1])
        text += """
              - name: Build
                run: \(buildCommand)
              - uses: \(use("actions/upload-artifact", "v4.5.0"))
                with:
                  name: package
                  path: |
                    out/
                    dist/
                  retention-days: 7

        """
        if rng.chance(0.35) {
            text += """
              docker:
                needs: build
                if: github.event_name == 'push' && github.ref == 'refs/heads/\(branch)'
                runs-on: ubuntu-latest
                permissions:
                  contents: read
                  packages: write
                steps:
                  - uses: \(use("actions/checkout", "v4.2.2"))
                  - uses: \(use("docker/setup-buildx-action", "v3.8.0"))
                  - uses: \(use("docker/login-action", "v3.3.0"))
                    with:
                      registry: ghcr.io
                      username: ${{ github.actor }}
                      password: ${{ secrets.GITHUB_TOKEN }}
                  - uses: \(use("docker/build-push-action", "v6.10.0"))
                    with:
                      context: .
                      push: true
                      tags: ghcr.io/\(OrgPlan.organization)/\(plan.name):${{ github.sha }}

            """
        }
        return text
    }

    mutating func ciWithAnchors() -> String {
        let checkout = use("actions/checkout", "v4.2.2")
        return """
        name: CI (anchors)
        on:
          push:
            branches: [\(plan.defaultBranch)]
          pull_request:

        permissions:
          contents: read

        jobs:
          test:
            runs-on: \(runner)
            env: &build-env
              SERVICE_NAME: \(plan.name)
              LOG_LEVEL: debug
            steps:
              - &checkout
                name: Check out
                uses: \(checkout)
                with:
                  fetch-depth: 0
              - run: make test
          build:
            runs-on: \(runner)
            env: *build-env
            steps:
              - *checkout
              - run: make build
              - &upload
                uses: \(use("actions/upload-artifact", "v4.5.0"))
                with:
                  name: build-${{ github.run_id }}
                  path: out/
          package:
            needs: [test, build]
            runs-on: \(runner)
            env: *build-env
            steps:
              - *checkout
              - run: make package
              - *upload

        """
    }

    // MARK: - Deploy

    mutating func octopusSteps(_ octopus: OctopusPlan, environment: String, indent: String) -> String {
        let account = octopus.literalAccount ? org.accounts[octopus.account].externalId : "${{ vars.OCTOPUS_SERVICE_ACCOUNT_ID }}"
        let login: String
        if octopus.kind == .apiKey {
            login = ""
        } else {
            login = """
            \(indent)- name: Log in to Octopus Deploy
            \(indent)  uses: \(use("OctopusDeploy/login", "v1.0.2"))
            \(indent)  with:
            \(indent)    server: \(OrgPlan.octopusServer)
            \(indent)    service_account_id: \(account)

            """
        }
        let apiKey = octopus.kind == .apiKey
            ? "\(indent)  env:\n\(indent)    OCTOPUS_URL: \(OrgPlan.octopusServer)\n\(indent)    OCTOPUS_API_KEY: ${{ secrets.OCTOPUS_API_KEY }}\n"
            : ""
        return """
        \(indent)- uses: \(use("actions/download-artifact", "v4.1.8"))
        \(indent)  with:
        \(indent)    name: package
        \(login)\(indent)- name: Push package
        \(indent)  uses: \(use("OctopusDeploy/push-package-action", "v3.2.1"))
        \(apiKey)\(indent)  with:
        \(indent)    space: \(octopus.space)
        \(indent)    packages: \(plan.name).1.0.${{ github.run_number }}.zip
        \(indent)- name: Create release
        \(indent)  uses: \(use("OctopusDeploy/create-release-action", "v3.2.2"))
        \(apiKey)\(indent)  with:
        \(indent)    space: \(octopus.space)
        \(indent)    project: \(octopus.project)
        \(indent)    release_number: 1.0.${{ github.run_number }}
        \(indent)    git_ref: ${{ github.ref }}
        \(indent)- name: Deploy release
        \(indent)  uses: \(use("OctopusDeploy/deploy-release-action", "v3.2.0"))
        \(apiKey)\(indent)  with:
        \(indent)    space: \(octopus.space)
        \(indent)    project: \(octopus.project)
        \(indent)    release_number: 1.0.${{ github.run_number }}
        \(indent)    environments: \(environment)
        \(indent)- name: Smoke test
        \(indent)  run: |
        \(indent)    for attempt in 1 2 3 4 5; do
        \(indent)      curl --fail --silent https://\(plan.name).\(OrgPlan.organization).example/healthz && exit 0
        \(indent)      sleep 10
        \(indent)    done
        \(indent)    exit 1

        """
    }

    mutating func buildJob() -> String {
        var text = """
          build:
            runs-on: \(runner)
            outputs:
              version: ${{ steps.version.outputs.version }}
            steps:

        """
        text += setupSteps(indent: "      ", version: versions[versions.count - 1])
        text += """
              - id: version
                run: echo "version=1.0.${{ github.run_number }}" >> "$GITHUB_OUTPUT"
              - run: \(buildCommand) && zip -r \(plan.name).1.0.${{ github.run_number }}.zip out
              - uses: \(use("actions/upload-artifact", "v4.5.0"))
                with:
                  name: package
                  path: \(plan.name).*.zip

        """
        return text
    }

    mutating func octopusDeploy(_ octopus: OctopusPlan) -> String {
        if octopus.kind == .reusableCaller { return reusableOctopusCaller(octopus) }
        let branch = plan.defaultBranch
        var text = "name: Deploy\n\n"
        switch octopus.kind {
        case .tagNoEnvironment:
            text += "on:\n  push:\n    tags: ['v*']\n"
        case .environmentInput:
            text += """
            on:
              workflow_dispatch:
                inputs:
                  environment:
                    description: Where to deploy
                    type: choice
                    options: [staging, Production]
                    default: staging

            """
        default:
            text += "on:\n  push:\n    branches: [\(branch)]\n  workflow_dispatch:\n"
        }
        if octopus.kind == .environmentsWorkflowLevel {
            text += "\npermissions:\n  contents: read\n  id-token: write\n"
        } else if rng.chance(0.6) {
            text += "\npermissions:\n  contents: read\n"
        }
        text += "\nconcurrency: deploy-\(plan.name)\n\njobs:\n"
        text += buildJob()
        let jobPermissions = octopus.kind == .environmentsWorkflowLevel
            ? "" : "    permissions:\n      contents: read\n      id-token: write\n"
        switch octopus.kind {
        case .tagNoEnvironment:
            text += "  release:\n    needs: build\n    runs-on: ubuntu-latest\n" + jobPermissions + "    steps:\n"
            text += octopusSteps(octopus, environment: "Production", indent: "      ")
        case .environmentInput:
            text += "  deploy:\n    needs: build\n    runs-on: ubuntu-latest\n    environment: ${{ inputs.environment }}\n"
            text += jobPermissions + "    steps:\n"
            text += octopusSteps(octopus, environment: "${{ inputs.environment }}", indent: "      ")
        default:
            text += "  deploy-staging:\n    needs: build\n    runs-on: ubuntu-latest\n    environment: staging\n"
            text += jobPermissions + "    steps:\n"
            text += octopusSteps(octopus, environment: "staging", indent: "      ")
            text += """
              deploy-production:
                needs: [build, deploy-staging]
                if: github.ref == 'refs/heads/\(branch)'
                runs-on: ubuntu-latest
                environment:
                  name: Production
                  url: https://\(plan.name).\(OrgPlan.organization).example

            """
            text += jobPermissions + "    steps:\n"
            text += octopusSteps(octopus, environment: "Production", indent: "      ")
        }
        return text
    }

    mutating func reusableOctopusCaller(_ octopus: OctopusPlan) -> String {
        let account = octopus.literalAccount ? org.accounts[octopus.account].externalId : "${{ vars.OCTOPUS_SERVICE_ACCOUNT_ID }}"
        let ref = plan.pins == .none ? "main" : { () -> String in
            var shaRng = SplitMix64(seed: 7, stream: "shared-workflows")
            return shaRng.hex(40)
        }()
        var text = """
        name: Deploy

        on:
          push:
            branches: [\(plan.defaultBranch)]

        jobs:

        """
        text += buildJob()
        for (environment, needs) in [("staging", "build"), ("Production", "deploy-staging")] {
            text += """
              deploy-\(environment.lowercased()):
                needs: \(needs)
                uses: \(OrgPlan.organization)/shared-workflows/.github/workflows/octopus-deploy.yml@\(ref)
                permissions:
                  contents: read
                  id-token: write
                with:
                  environment: \(environment)
                  project: \(octopus.project)
                  space: \(octopus.space)
                  service_account_id: \(account)
                secrets: inherit

            """
        }
        return text
    }

    mutating func cloudDeploy() -> String {
        let workflowLevel = rng.chance(0.3)
        var text = "name: Deploy\n\non:\n  push:\n    branches: [\(plan.defaultBranch)]\n"
        if workflowLevel { text += "\npermissions:\n  id-token: write\n  contents: read\n" }
        text += "\njobs:\n"
        text += buildJob()
        for environment in ["staging", "Production"] {
            text += """
              deploy-\(environment.lowercased()):
                needs: build
                runs-on: ubuntu-latest
                environment: \(environment)

            """
            if !workflowLevel { text += "    permissions:\n      id-token: write\n      contents: read\n" }
            text += """
                steps:
                  - uses: \(use("actions/download-artifact", "v4.1.8"))
                    with:
                      name: package
                  - uses: \(use("aws-actions/configure-aws-credentials", "v4.0.2"))
                    with:
                      role-to-assume: arn:aws:iam::123456789012:role/\(plan.name)-\(environment.lowercased())
                      aws-region: eu-west-1
                  - run: aws s3 cp \(plan.name).*.zip s3://acme-artifacts-\(environment.lowercased())/\(plan.name)/

            """
        }
        return text
    }

    // MARK: - Reusable workflows

    mutating func releaseCaller() -> String {
        """
        name: Release

        on:
          push:
            tags: ['v*.*.*']
          workflow_dispatch:

        permissions:
          contents: write

        jobs:
          build:
            uses: ./.github/workflows/reusable-build.yml
            with:
              version: ${{ github.ref_name }}
              publish: true
            secrets: inherit
          notes:
            needs: build
            runs-on: ubuntu-latest
            steps:
              - uses: \(use("actions/checkout", "v4.2.2"))
              - uses: \(use("softprops/action-gh-release", "v2.2.0"))
                with:
                  generate_release_notes: true
                  files: dist/*

        """
    }

    mutating func reusableBuild() -> String {
        var text = """
        name: Reusable build

        on:
          workflow_call:
            inputs:
              version:
                type: string
                required: true
              publish:
                type: boolean
                default: false
            secrets:
              REGISTRY_TOKEN:
                required: false

        jobs:
          build:
            runs-on: \(runner)
            steps:

        """
        text += setupSteps(indent: "      ", version: versions[0])
        text += """
              - run: \(buildCommand)
                env:
                  VERSION: ${{ inputs.version }}
              - if: inputs.publish
                run: ./scripts/publish.sh "${{ inputs.version }}"
                env:
                  REGISTRY_TOKEN: ${{ secrets.REGISTRY_TOKEN }}

        """
        return text
    }

    mutating func sharedWorkflows() -> [(String, String)] {
        let deploy = """
        name: Octopus deploy (shared)

        on:
          workflow_call:
            inputs:
              environment:
                type: string
                required: true
              project:
                type: string
                required: true
              space:
                type: string
                default: Default
              service_account_id:
                type: string
                required: true

        jobs:
          deploy:
            runs-on: ubuntu-latest
            environment: ${{ inputs.environment }}
            permissions:
              contents: read
              id-token: write
            steps:
              - uses: \(use("actions/download-artifact", "v4.1.8"))
                with:
                  name: package
              - uses: \(use("OctopusDeploy/login", "v1.0.2"))
                with:
                  server: \(OrgPlan.octopusServer)
                  service_account_id: ${{ inputs.service_account_id }}
              - uses: \(use("OctopusDeploy/create-release-action", "v3.2.2"))
                with:
                  space: ${{ inputs.space }}
                  project: ${{ inputs.project }}
              - uses: \(use("OctopusDeploy/deploy-release-action", "v3.2.0"))
                with:
                  space: ${{ inputs.space }}
                  project: ${{ inputs.project }}
                  release_number: latest
                  environments: ${{ inputs.environment }}

        """
        return [("ci.yml", ci()), ("octopus-deploy.yml", deploy), ("reusable-build.yml", reusableBuild())]
    }

    // MARK: - Other workflows

    mutating func pullRequestTarget() -> String {
        """
        name: PR preview

        on:
          pull_request_target:
            types: [opened, synchronize, reopened]

        permissions:
          contents: read
          pull-requests: write

        jobs:
          preview:
            runs-on: ubuntu-latest
            steps:
              - uses: \(use("actions/checkout", "v4.2.2"))
                with:
                  ref: ${{ github.event.pull_request.head.sha }}
              - run: make preview
                env:
                  PREVIEW_TOKEN: ${{ secrets.PREVIEW_TOKEN }}
              - uses: \(use("marocchino/sticky-pull-request-comment", "v2.9.0"))
                with:
                  message: Preview for ${{ github.event.pull_request.title }} is ready.

        """
    }

    mutating func nightly() -> String {
        let hour = rng.int(24)
        let idToken = rng.chance(0.3)
        var text = """
        name: Nightly

        on:
          schedule:
            - cron: '\(rng.int(60)) \(hour) * * *'
          workflow_dispatch:

        """
        if idToken { text += "\npermissions:\n  id-token: write\n  contents: read\n" }
        text += """

        jobs:
          integration:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                suite: [smoke, regression, contract]
                shard: [1, 2, 3]
            steps:

        """
        text += setupSteps(indent: "      ", version: versions[versions.count - 1])
        text += "      - run: make test-${{ matrix.suite }} SHARD=${{ matrix.shard }}\n"
        if rng.chance(0.2) {
            text += "      - uses: some-org/slack-notify@main\n        if: failure()\n        with:\n          webhook: ${{ secrets.SLACK_WEBHOOK }}\n"
        }
        return text
    }

    mutating func codeql() -> String {
        """
        name: CodeQL

        on:
          push:
            branches: [\(plan.defaultBranch)]
          pull_request:
          schedule:
            - cron: '\(rng.int(60)) \(rng.int(24)) * * \(rng.int(7))'

        jobs:
          analyze:
            runs-on: ubuntu-latest
            permissions:
              actions: read
              contents: read
              security-events: write
            steps:
              - uses: \(use("actions/checkout", "v4.2.2"))
              - uses: \(use("github/codeql-action/init", "v3.27.9"))
                with:
                  languages: \(plan.language == .node ? "javascript-typescript" : plan.language == .dotnet ? "csharp" : "\(plan.language)")
              - uses: \(use("github/codeql-action/autobuild", "v3.27.9"))
              - uses: \(use("github/codeql-action/analyze", "v3.27.9"))

        """
    }

    mutating func housekeeping() -> String {
        // The same file in many repositories: content-addressed storage keeps one copy.
        """
        name: Close stale issues

        on:
          schedule:
            - cron: '30 1 * * *'

        permissions:
          issues: write
          pull-requests: write

        jobs:
          stale:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/stale@v9
                with:
                  days-before-stale: 60
                  days-before-close: 7
                  stale-issue-message: This issue is stale because it has been open 60 days with no activity.

        """
    }

    mutating func docs() -> String {
        """
        name: Docs

        on:
          push:
            branches: [\(plan.defaultBranch)]
            paths: ['docs/**']

        permissions:
          contents: read
          pages: write
          id-token: write

        jobs:
          deploy:
            environment:
              name: github-pages
              url: ${{ steps.deployment.outputs.page_url }}
            runs-on: ubuntu-latest
            steps:
              - uses: \(use("actions/checkout", "v4.2.2"))
              - uses: \(use("actions/configure-pages", "v5.0.0"))
              - run: make docs
              - uses: \(use("actions/upload-pages-artifact", "v3.0.1"))
                with:
                  path: site/
              - id: deployment
                uses: \(use("actions/deploy-pages", "v4.0.5"))

        """
    }

    mutating func lint() -> String {
        """
        name: Lint PR title

        on:
          pull_request:
            types: [opened, edited, synchronize]

        jobs:
          title:
            runs-on: ubuntu-latest
            steps:
              - uses: \(use("amannn/action-semantic-pull-request", "v5.5.3"))
                env:
                  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}

        """
    }

    // MARK: - Damage: broken files, CRLF, BOM

    mutating func damage(name: String, text: String) -> String {
        var rng = SplitMix64(seed: org.seed, stream: "damage-\(plan.index)-\(name)")
        let roll = rng.int(1000)
        if roll < 4 {
            // Broken YAML: an unclosed flow sequence.
            return text.replacingFirst("branches: [", with: "branches: [unclosed, ")
                .replacingFirst("jobs:\n", with: "jobs:\n  broken: [\n")
        }
        if roll < 6 {
            // Not a workflow: jobs is a list.
            return "name: not a workflow\non: push\njobs:\n  - build\n  - test\n"
        }
        if roll < 16 { return text.replacingOccurrences("\n", with: "\r\n") }
        if roll < 19 { return "\u{FEFF}" + text }
        return text
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        components(separatedBy: target).joined(separator: replacement)
    }
}

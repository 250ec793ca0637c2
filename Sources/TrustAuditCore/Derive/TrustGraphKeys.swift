/// A repository as GitHub names it: case-insensitively (`Acme/API` is `acme/api`).
struct RepositoryKey: Hashable, Sendable {
    let value: String

    init(_ fullName: String) {
        value = fullName.lowercased()
    }
}

/// One workflow file of one repository.
struct WorkflowKey: Hashable, Sendable {
    var repository: RepositoryKey
    var path: String
}

/// One environment of one repository; GitHub environment names are case-insensitive, so
/// `production` in a workflow is the `Production` of the settings.
struct EnvironmentKey: Hashable, Sendable {
    var repository: RepositoryKey
    var name: String

    init(repository: RepositoryKey, name: String) {
        self.repository = repository
        self.name = name.lowercased()
    }
}

/// One job of one stored workflow document.
struct DocumentJobKey: Hashable, Sendable {
    var doc: Int64
    var job: String
}

/// One job of one workflow file of the scan.
struct WorkflowJobKey: Hashable, Sendable {
    var workflow: WorkflowKey
    var job: String
}

/// One caller on a path's call chain: the job whose `uses:` led to the next workflow.
struct CallHop: Hashable, Sendable {
    var repository: String
    var file: String
    var job: String

    var jsonValue: JSONValue {
        .object(["repository": .string(repository), "file": .string(file), "job": .string(job)])
    }
}

import Foundation
import Testing
@testable import TrustAuditCore

@Suite("OctopusExport")
struct OctopusExportTests {
    static let file = "exports/acme.octopus.json"

    static func decode(_ json: String) throws(OctopusExportError) -> OctopusInstance {
        try OctopusExport.decode(Data(json.utf8), file: file)
    }

    static let realistic = """
    {
      "server": "https://acme.octopus.app",
      "users": {
        "ItemType": "User", "TotalResults": 2, "ItemsPerPage": 30, "NumberOfPages": 1, "LastPageNumber": 0,
        "Items": [
          { "Id": "Users-42", "Username": "gh-api", "DisplayName": "GitHub api deployer", "IsService": true,
            "IsActive": true, "ServiceAccountType": "Standard", "EmailAddress": null, "Links": {} },
          { "Id": "Users-43", "Username": "gh-web", "DisplayName": "GitHub web", "IsService": true,
            "IsActive": false, "ServiceAccountType": "Standard" }
        ],
        "Links": { "Self": "/api/users" }
      },
      "oidc_identities": {
        "Users-42": {
          "Count": 2, "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10", "ServerUrl": "https://acme.octopus.app",
          "OidcIdentities": [
            { "Id": "ServiceAccountOidcIdentitys-5", "Name": "api prod", "ServiceAccountId": "Users-42",
              "Issuer": "https://token.actions.githubusercontent.com",
              "Subject": "repo:acme/api:environment:Production", "Audience": null },
            { "Id": "ServiceAccountOidcIdentitys-6", "Name": "api any branch", "ServiceAccountId": "Users-42",
              "Issuer": "https://token.actions.githubusercontent.com",
              "Subject": "repo:acme/api:ref:refs/heads/*", "Audience": "api://custom" }
          ]
        }
      },
      "api_keys": {
        "Users-42": { "Items": [ { "Id": "APIKeys-7", "Purpose": "legacy deploy", "Created": "2025-01-02T03:04:05Z", "Expires": null } ] },
        "Users-43": { "Items": [] }
      },
      "permissions": {
        "Users-42": {
          "SystemPermissions": ["SpaceView"],
          "SpacePermissions": {
            "DeploymentCreate": [
              { "SpaceId": "Spaces-1", "RestrictedToEnvironmentIds": ["Environments-3"], "RestrictedToProjectIds": [],
                "RestrictedToTenantIds": ["Tenants-9"] }
            ]
          },
          "Teams": [ { "Id": "teams-administrators", "Name": "Octopus Administrators" } ]
        }
      }
    }
    """

    @Test("a realistic export loads every account, identity, key and permission without problems")
    func realisticExport() throws {
        let instance = try Self.decode(Self.realistic)
        #expect(instance.server == "https://acme.octopus.app")
        #expect(instance.problems == [])
        #expect(instance.serviceAccounts.map(\.id) == ["Users-42", "Users-43"])

        let api = instance.serviceAccounts[0]
        #expect(api.username == "gh-api")
        #expect(api.displayName == "GitHub api deployer")
        #expect(api.isActive == true)
        #expect(api.serviceAccountType == "Standard")
        #expect(api.externalId == UUID(uuidString: "6E2B1C7A-1F3D-4C55-9A0E-2B7C1D9E8F10"))
        #expect(api.identities == [
            OctopusOidcIdentity(id: "ServiceAccountOidcIdentitys-5", name: "api prod",
                                issuer: "https://token.actions.githubusercontent.com",
                                subject: "repo:acme/api:environment:Production", audience: nil),
            OctopusOidcIdentity(id: "ServiceAccountOidcIdentitys-6", name: "api any branch",
                                issuer: "https://token.actions.githubusercontent.com",
                                subject: "repo:acme/api:ref:refs/heads/*", audience: "api://custom"),
        ])
        #expect(api.apiKeys == [OctopusApiKey(id: "APIKeys-7", purpose: "legacy deploy", created: "2025-01-02T03:04:05Z", expires: nil)])
        let scope = try #require(api.permissions?.spacePermissions["DeploymentCreate"]?.first)
        #expect(scope.spaceId == "Spaces-1")
        #expect(scope.restrictedToEnvironmentIds == ["Environments-3"])
        #expect(scope.restrictedToProjectIds == [])
        #expect(scope.restrictions["Tenant"] == ["Tenants-9"])
        #expect(api.permissions?.systemPermissions == ["SpaceView"])
        #expect(api.permissions?.teams == [OctopusTeamReference(id: "teams-administrators", name: "Octopus Administrators")])

        let web = instance.serviceAccounts[1]
        #expect(web.isActive == false)
        #expect(web.identities == [])
        #expect(web.externalId == nil)
        #expect(web.apiKeys == [], "exported with no keys: empty, not nil")
        #expect(web.permissions == nil, "not exported: nil")
    }

    @Test("api_keys and permissions absent from the file stay nil (not collected)")
    func optionalSectionsAbsent() throws {
        let instance = try Self.decode("""
        { "server": "https://x.octopus.app",
          "users": { "Items": [ { "Id": "Users-1", "Username": "svc", "IsService": true, "IsActive": true } ] } }
        """)
        #expect(instance.serviceAccounts.count == 1)
        #expect(instance.serviceAccounts[0].apiKeys == nil)
        #expect(instance.serviceAccounts[0].permissions == nil)
        #expect(instance.problems == [])
    }

    @Test("null Audience means the ExternalId and an empty one stays distinguishable")
    func audience() throws {
        let instance = try Self.decode("""
        { "server": "s", "oidc_identities": { "Users-1": { "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
          "OidcIdentities": [
            { "Id": "I-1", "Issuer": "i", "Subject": "s1", "Audience": null },
            { "Id": "I-2", "Issuer": "i", "Subject": "s2", "Audience": "" },
            { "Id": "I-3", "Issuer": "i", "Subject": "s3" } ] } } }
        """)
        let identities = instance.serviceAccounts[0].identities
        #expect(identities.map(\.audience) == [nil, "", nil])
    }

    @Test("malformed JSON throws a typed error naming the file, line and column")
    func malformed() {
        let json = "{\n  \"server\": \"https://x\",\n  \"users\": { \"Items\": [1,, 2] }\n}"
        #expect(throws: OctopusExportError.malformedJSON(file: Self.file, line: 3, column: 26,
                                                         detail: "Invalid value around character 52.")) {
            try Self.decode(json)
        }
        do {
            _ = try Self.decode(json)
        } catch {
            #expect(error.description.hasPrefix("\(Self.file):3:26: "))
        }
    }

    @Test("a document that is not an object, or lacks server, fails as a whole")
    func wholeFileErrors() {
        #expect(throws: OctopusExportError.notAnObject(file: Self.file, found: "array")) { try Self.decode("[]") }
        #expect(throws: OctopusExportError.invalidServer(file: Self.file, found: "nothing")) { try Self.decode("{}") }
        #expect(throws: OctopusExportError.invalidServer(file: Self.file, found: "number")) { try Self.decode(#"{"server": 3}"#) }
        #expect(OctopusExportError.invalidServer(file: Self.file, found: "number").description.contains("\"server\""))
    }

    @Test("an account without OidcIdentities is a problem; the other accounts still load")
    func missingIdentities() throws {
        let instance = try Self.decode("""
        { "server": "s", "oidc_identities": {
            "Users-1": { "Count": 0, "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10" },
            "Users-2": { "ExternalId": "7e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
                         "OidcIdentities": [ { "Id": "I-9", "Issuer": "i", "Subject": "repo:a/b:pull_request" } ] } } }
        """)
        #expect(instance.problems == [
            ExportProblem(file: Self.file, path: "oidc_identities.Users-1.OidcIdentities", kind: .missingKey),
        ])
        #expect(instance.problems[0].description
                == "\(Self.file): oidc_identities.Users-1.OidcIdentities: required key is missing")
        #expect(instance.serviceAccounts.map(\.id) == ["Users-1", "Users-2"])
        #expect(instance.serviceAccounts[0].externalId != nil, "what was readable is kept")
        #expect(instance.serviceAccounts[1].identities.map(\.subject) == ["repo:a/b:pull_request"])
    }

    @Test("wrong types are reported with their key path and only that part is skipped")
    func wrongTypes() throws {
        let instance = try Self.decode("""
        { "server": "s",
          "users": { "Items": [ "Users-5", { "Id": "Users-6", "Username": 6, "IsActive": "yes", "IsService": true } ] },
          "oidc_identities": {
            "Users-6": { "ExternalId": "not-a-guid", "OidcIdentities": [
              { "Id": "I-1", "Issuer": "i", "Subject": 42 },
              { "Id": "I-2", "Issuer": "i", "Subject": "repo:a/b:ref:refs/heads/main", "Audience": 1 } ] },
            "Users-7": [] },
          "api_keys": { "Users-6": { "Items": { } } } }
        """)
        #expect(Set(instance.problems.map(\.path)) == [
            "users.Items[0]",
            "users.Items[1].Username",
            "users.Items[1].IsActive",
            "oidc_identities.Users-6.ExternalId",
            "oidc_identities.Users-6.OidcIdentities[0].Subject",
            "oidc_identities.Users-6.OidcIdentities[1].Audience",
            "oidc_identities.Users-7",
            "api_keys.Users-6.Items",
        ])
        let checked1 = instance.problems.first { $0.path == "oidc_identities.Users-6.OidcIdentities[0].Subject" }?.kind
                == .wrongType(expected: "string", found: "number")
        #expect(checked1)
        let checked2 = instance.problems.first { $0.path == "users.Items[1].IsActive" }?.kind
                == .wrongType(expected: "boolean", found: "string")
        #expect(checked2)
        let required3 = instance.serviceAccounts.first { $0.id == "Users-6" }
        let account = try #require(required3)
        #expect(account.username == nil)
        #expect(account.externalId == nil)
        #expect(account.identities.map(\.id) == ["I-2"])
        #expect(account.identities[0].audience == nil)
        #expect(account.apiKeys == nil)
    }

    @Test("duplicate identity ids are reported, across accounts too, and the first one wins")
    func duplicateIdentityIds() throws {
        let instance = try Self.decode("""
        { "server": "s", "oidc_identities": {
            "Users-1": { "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10", "OidcIdentities": [
              { "Id": "I-1", "Issuer": "i", "Subject": "first" },
              { "Id": "I-1", "Issuer": "i", "Subject": "second" } ] },
            "Users-2": { "ExternalId": "7e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10", "OidcIdentities": [
              { "Id": "I-1", "Issuer": "i", "Subject": "third" },
              { "Id": "I-2", "Issuer": "i", "Subject": "fourth" } ] } } }
        """)
        #expect(instance.problems == [
            ExportProblem(file: Self.file, path: "oidc_identities.Users-1.OidcIdentities[1].Id", kind: .duplicateId("I-1")),
            ExportProblem(file: Self.file, path: "oidc_identities.Users-2.OidcIdentities[0].Id", kind: .duplicateId("I-1")),
        ])
        #expect(instance.serviceAccounts[0].identities.map(\.subject) == ["first"])
        #expect(instance.serviceAccounts[1].identities.map(\.subject) == ["fourth"])
    }

    @Test("a subject over 200 characters is reported and the identity kept")
    func longSubject() throws {
        let subject = "repo:acme/api:environment:" + String(repeating: "x", count: 180)
        let instance = try Self.decode("""
        { "server": "s", "oidc_identities": { "Users-42": { "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
          "OidcIdentities": [ { "Id": "I-0", "Issuer": "i", "Subject": "ok" },
                              { "Id": "I-1", "Issuer": "i", "Subject": "\(subject)" } ] } } }
        """)
        #expect(instance.problems == [ExportProblem(
            file: Self.file, path: "oidc_identities.Users-42.OidcIdentities[1].Subject",
            kind: .subjectTooLong(length: subject.count))])
        #expect(instance.problems[0].message.contains("206"))
        #expect(instance.serviceAccounts[0].identities.count == 2)
    }

    @Test("exactly 200 characters is accepted")
    func subjectAtLimit() throws {
        let subject = String(repeating: "s", count: 200)
        let instance = try Self.decode("""
        { "server": "s", "oidc_identities": { "Users-42": { "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
          "OidcIdentities": [ { "Id": "I-1", "Issuer": "i", "Subject": "\(subject)" } ] } } }
        """)
        #expect(instance.problems.isEmpty)
    }

    @Test("unknown fields are reported where they occur and ignored")
    func unknownFields() throws {
        let instance = try Self.decode("""
        { "server": "s", "teams": [],
          "users": { "Items": [ { "Id": "Users-1", "Username": "u", "IsService": true, "Colour": "blue" } ] },
          "oidc_identities": { "Users-1": { "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10", "Extra": 1,
            "OidcIdentities": [ { "Id": "I-1", "Issuer": "i", "Subject": "s", "Audiences": ["x"] } ] } } }
        """)
        #expect(instance.problems.map(\.path) == [
            "teams", "users.Items[0].Colour", "oidc_identities.Users-1.Extra",
            "oidc_identities.Users-1.OidcIdentities[0].Audiences",
        ])
        let checked4 = instance.problems.allSatisfy { $0.kind == .unknownKey }
        #expect(checked4)
        #expect(instance.serviceAccounts[0].identities.count == 1)
    }

    @Test("paging gaps and mismatched owners are reported")
    func consistency() throws {
        let instance = try Self.decode("""
        { "server": "s",
          "users": { "TotalResults": 31, "Items": [ { "Id": "Users-1", "Username": "u", "IsService": true } ] },
          "oidc_identities": { "Users-1": { "Count": 3, "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
            "OidcIdentities": [ { "Id": "I-1", "ServiceAccountId": "Users-2", "Issuer": "i", "Subject": "s" } ] } } }
        """)
        #expect(instance.problems.map(\.path) == [
            "users.TotalResults", "oidc_identities.Users-1.Count",
            "oidc_identities.Users-1.OidcIdentities[0].ServiceAccountId",
        ])
        #expect(instance.serviceAccounts[0].identities.count == 1, "kept under the key it was exported with")
    }

    @Test("non-service users are left out; identities of accounts missing from users still load")
    func accountSources() throws {
        let instance = try Self.decode("""
        { "server": "s",
          "users": { "Items": [ { "Id": "Users-1", "Username": "person", "IsService": false },
                                { "Id": "Users-2", "Username": "svc", "IsService": true } ] },
          "oidc_identities": { "Users-9": { "ExternalId": "6e2b1c7a-1f3d-4c55-9a0e-2b7c1d9e8f10",
            "OidcIdentities": [ { "Id": "I-1", "Issuer": "i", "Subject": "s" } ] } } }
        """)
        #expect(instance.serviceAccounts.map(\.id) == ["Users-2", "Users-9"])
        #expect(instance.serviceAccounts[1].username == nil)
        #expect(instance.serviceAccounts[1].identities.count == 1)
    }

    @Test("load(contentsOf:) reads a file and names it; a missing file is a typed error")
    func loadFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("octopus-\(UUID().uuidString).json")
        try Data(Self.realistic.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let instance = try OctopusExport.load(contentsOf: url)
        #expect(instance.file == url.path)
        #expect(instance.serviceAccounts.count == 2)

        let missing = url.appendingPathExtension("missing")
        do {
            _ = try OctopusExport.load(contentsOf: missing)
            Issue.record("expected an error")
        } catch {
            guard case .unreadable(let file, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == missing.path)
        }
    }
}

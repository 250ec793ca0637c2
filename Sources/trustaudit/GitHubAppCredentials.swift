import ArgumentParser
import Foundation
import TrustAuditCore

/// The GitHub App to collect as, from the options, the config file and the environment
/// (`GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY` with the PEM text or `GITHUB_APP_KEY_FILE`,
/// `GITHUB_APP_INSTALLATION_ID`); nil when no App is configured.
enum GitHubAppCredentials {
    static func resolve(_ settings: GitHubLiveSettings, environment: [String: String]) throws -> GitHubAppIdentity? {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let id = settings.appID ?? value("GITHUB_APP_ID")
        let keyFile = settings.appKeyFile ?? value("GITHUB_APP_KEY_FILE")
        guard id != nil || keyFile != nil else { return nil }
        guard let id else { throw LiveCollectionError.invalidAppKey("--github-app-key needs --github-app-id (or GITHUB_APP_ID)") }
        let pem: String
        if let keyFile {
            guard let handle = FileHandle(forReadingAtPath: keyFile), let data = try? handle.readToEnd(), let text = String(data: data, encoding: .utf8) else {
                throw LiveCollectionError.invalidAppKey("cannot read the private key file \(keyFile)")
            }
            pem = text
        } else if let text = value("GITHUB_APP_PRIVATE_KEY") {
            pem = text
        } else {
            throw LiveCollectionError.invalidAppKey("--github-app-id needs --github-app-key FILE (or GITHUB_APP_PRIVATE_KEY)")
        }
        var installation = settings.appInstallation
        if installation == nil, let text = value("GITHUB_APP_INSTALLATION_ID") {
            guard let number = Int(text), number > 0 else { throw LiveCollectionError.invalidAppKey("GITHUB_APP_INSTALLATION_ID is not an installation id") }
            installation = number
        }
        return GitHubAppIdentity(appID: id, privateKeyPEM: pem, installationID: installation)
    }
}

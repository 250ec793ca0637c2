import Foundation

/// Finds exports kept next to the repositories they describe.
///
/// A folder of repositories may hold `exports/github-settings/*.json` and `exports/octopus/*.json`
/// (the layout `trustaudit collect … --out` writes), so `trustaudit scan ORG_FOLDER` audits the
/// repositories together with their settings and the Octopus identities that trust them. Only
/// the scanned folder itself is looked at, never a repository inside it: a repository must not
/// be able to supply the settings it is judged by.
public enum ExportDiscovery {
    public static let folder = "exports"

    public static func find(under paths: [String]) -> (githubSettings: [String], octopus: [String]) {
        var settings: [String] = []
        var octopus: [String] = []
        for path in paths {
            let base = URL(fileURLWithPath: path).appendingPathComponent(folder)
            guard !RepositoryDiscovery.isRepository(path) else { continue }
            let settingsFolder = base.appendingPathComponent("github-settings").path
            let octopusFolder = base.appendingPathComponent("octopus").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: settingsFolder, isDirectory: &isDirectory), isDirectory.boolValue {
                settings.append(settingsFolder)
            }
            if FileManager.default.fileExists(atPath: octopusFolder, isDirectory: &isDirectory), isDirectory.boolValue {
                octopus.append(octopusFolder)
            }
        }
        return (settings, octopus)
    }
}

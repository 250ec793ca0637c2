import ArgumentParser
import Foundation
import TrustAuditCore

/// `--policies DIR` and `--config FILE`: which policies run and how they are set.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder (or file) of extra policies, added to the built-in ones.", valueName: "dir"))
    var policies: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file (default: trustaudit.yml in the current folder, if present).", valueName: "file"))
    var config: String?

    func loadConfig() throws -> AuditConfig {
        let path: String
        if let config {
            path = config
        } else if FileManager.default.fileExists(atPath: "trustaudit.yml") {
            path = "trustaudit.yml"
        } else {
            return AuditConfig()
        }
        do {
            return try AuditConfig.load(path: path)
        } catch {
            throw fail(error)
        }
    }

    /// Built-in policies plus `--policies` (or the config's `policies_dir`), and the files that
    /// could not be loaded: a scan reports those as policy errors and runs the rest.
    func loadPolicies(config: AuditConfig) -> (policies: [Policy], errors: [PolicyLoadError]) {
        let builtIn = PolicyLoader.builtIn()
        var errors = builtIn.errors
        var extra: [Policy] = []
        if let directory = policies ?? config.policiesDir {
            let loaded = PolicyLoader.load(path: directory)
            extra = loaded.policies
            errors += loaded.errors
        }
        let combined = PolicyLoader.combine(builtIn.policies, extra)
        errors += combined.errors
        return (combined.policies, errors)
    }
}

import Foundation

/// trustaudit-bench: a deterministic synthetic organization and a benchmark of the real engine.
///
///     trustaudit-bench generate --repos N --out DIR [--seed S]
///     trustaudit-bench mutate --dir DIR --percent P [--seed S]
///     trustaudit-bench run --dir DIR [--db PATH] [--nightly 30] [--mutate-percent 1] [--zizmor PATH]
///                          [--json PATH] [--markdown PATH]
///     trustaudit-bench scan-once --dir DIR --db PATH --label L --out PATH [--repeat K]   (used by `run`)
let usage = """
    usage:
      trustaudit-bench generate --repos N --out DIR [--seed S] [--mutate-percent P]
      trustaudit-bench mutate --dir DIR --percent P [--seed S]
      trustaudit-bench run --dir DIR [--db PATH] [--nightly N] [--mutate-percent P] [--seed S] [--zizmor PATH] [--json PATH] [--markdown PATH] [--exclude-policies id,id]
      trustaudit-bench scan-once --dir DIR --db PATH --label L --out PATH [--repeat K] [--exclude-policies id,id]
      trustaudit-bench policy-profile --dir DIR --db PATH [--only id,id]

    """

struct Arguments {
    var command: String
    var values: [String: String] = [:]

    init(_ raw: [String]) throws {
        guard let first = raw.first else { throw BenchError("no command given") }
        command = first
        var index = 1
        while index < raw.count {
            let key = raw[index]
            guard key.hasPrefix("--"), index + 1 < raw.count else { throw BenchError("unexpected argument \(key)") }
            values[String(key.dropFirst(2))] = raw[index + 1]
            index += 2
        }
    }

    func string(_ key: String) throws -> String {
        guard let value = values[key] else { throw BenchError("--\(key) is required") }
        return value
    }

    func int(_ key: String, default fallback: Int) throws -> Int {
        guard let raw = values[key] else { return fallback }
        guard let value = Int(raw.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")), value >= 0 else {
            throw BenchError("--\(key) wants a whole number, got \(raw)")
        }
        return value
    }

    func double(_ key: String, default fallback: Double) throws -> Double {
        guard let raw = values[key] else { return fallback }
        guard let value = Double(raw), value >= 0, value <= 100 else { throw BenchError("--\(key) wants a number 0–100, got \(raw)") }
        return value
    }
}

func runCommand(_ arguments: Arguments) throws {
    let seed = UInt64(try arguments.int("seed", default: 1))
    switch arguments.command {
    case "generate":
        let repos = try arguments.int("repos", default: 10_000)
        let out = try arguments.string("out")
        let start = now()
        let summary = try Generator.generate(repoCount: repos, out: out, seed: seed)
        print("generated \(summary.repositories) repositories, \(summary.workflowFiles) workflow files "
              + "(\(summary.workflowBytes) bytes, \(summary.workflowBytes / max(summary.workflowFiles, 1)) per file), "
              + "\(summary.settingsFiles) settings files, \(summary.accounts) Octopus service accounts with \(summary.identities) OIDC identities "
              + "in \(String(format: "%.1f", now() - start)) s")
        if let percent = arguments.values["mutate-percent"] {
            guard let value = Double(percent) else { throw BenchError("--mutate-percent wants a number") }
            print("mutated \(try Generator.mutate(dir: out, percent: value, seed: seed &+ 1)) workflow files")
        }
    case "mutate":
        let changed = try Generator.mutate(dir: try arguments.string("dir"), percent: try arguments.double("percent", default: 1), seed: seed &+ 1)
        print("mutated \(changed) workflow files")
    case "run":
        var options = Runner.Options()
        options.dir = try arguments.string("dir")
        options.databasePath = arguments.values["db"]
        options.nightly = try arguments.int("nightly", default: 30)
        options.mutatePercent = try arguments.double("mutate-percent", default: 1)
        options.seed = seed
        options.zizmor = arguments.values["zizmor"]
        options.outJSON = arguments.values["json"]
        options.outMarkdown = arguments.values["markdown"]
        options.excludePolicies = arguments.values["exclude-policies"]
        try Runner.main(options)
    case "scan-once":
        try ScanOnce.main(
            dir: try arguments.string("dir"), databasePath: try arguments.string("db"), label: try arguments.string("label"),
            repeatCount: max(1, try arguments.int("repeat", default: 1)), out: try arguments.string("out"),
            exclude: Set((arguments.values["exclude-policies"] ?? "").split(separator: ",").map(String.init)))
    case "policy-profile":
        try PolicyProfile.main(
            dir: try arguments.string("dir"), databasePath: try arguments.string("db"),
            only: arguments.values["only"].map { Set($0.split(separator: ",").map(String.init)) })
    case "help", "--help", "-h":
        print(usage, terminator: "")
    default:
        throw BenchError("unknown command \(arguments.command)")
    }
}

do {
    try runCommand(try Arguments(Array(CommandLine.arguments.dropFirst())))
} catch {
    FileHandle.standardError.write(Data("trustaudit-bench: \(error)\n\(usage)".utf8))
    exit(2)
}

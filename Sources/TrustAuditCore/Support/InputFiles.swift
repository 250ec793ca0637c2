import Foundation

/// The files a path given on the command line stands for: the file itself, or the files of a
/// folder whose names end in one of `suffixes`, sorted by name (so scans read them in the same
/// order every time). Exports and policy folders are given the same way.
enum InputFiles {
    enum Failure: Error, Equatable {
        case missing
        case unlistable(String)
    }

    static func list(_ path: String, suffixes: [String]) -> Result<[String], Failure> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .failure(.missing) }
        guard isDirectory.boolValue else { return .success([path]) }
        do {
            return .success(try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { name in suffixes.contains { name.hasSuffix($0) } }
                .sorted()
                .map { (path as NSString).appendingPathComponent($0) })
        } catch {
            return .failure(.unlistable(error.localizedDescription))
        }
    }
}

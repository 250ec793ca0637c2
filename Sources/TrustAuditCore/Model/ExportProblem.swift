/// Something wrong with one part of an export file that did not stop the rest from loading.
///
/// Exports are hand-assembled or produced by scripts against live APIs, so a single odd account
/// or environment is common; losing a whole Octopus instance over it would hide every other
/// trust relationship. The problem names the file and the JSON key path so it can be fixed.
public struct ExportProblem: Sendable, Equatable, CustomStringConvertible {
    /// What kind of defect was found.
    public enum Kind: Sendable, Equatable {
        /// A key the format requires is absent (or `null` where a value is required).
        case missingKey
        /// The value has the wrong JSON type.
        case wrongType(expected: String, found: String)
        /// A key trustaudit does not know; it was ignored.
        case unknownKey
        /// An `Id` seen earlier in the same file; the later entry was ignored.
        case duplicateId(String)
        /// An Octopus identity subject longer than Octopus accepts (200 characters).
        case subjectTooLong(length: Int)
        /// The value has the right type but cannot be right (e.g. a malformed GUID, counts
        /// that disagree with the items exported).
        case invalidValue(String)
    }

    /// The export file, as given to the decoder.
    public var file: String
    /// Dotted JSON key path, e.g. `oidc_identities.Users-42.OidcIdentities[1].Subject`.
    public var path: String
    public var kind: Kind

    public init(file: String, path: String, kind: Kind) {
        self.file = file
        self.path = path
        self.kind = kind
    }

    /// The defect in words, without the location.
    public var message: String {
        switch kind {
        case .missingKey: return "required key is missing"
        case .wrongType(let expected, let found): return "expected \(expected), found \(found)"
        case .unknownKey: return "unknown key, ignored"
        case .duplicateId(let id): return "duplicate id \(id), this entry was ignored"
        case .subjectTooLong(let length):
            return "subject is \(length) characters; Octopus accepts at most \(octopusMaximumSubjectLength)"
        case .invalidValue(let why): return why
        }
    }

    public var description: String { "\(file): \(path): \(message)" }
}

/// Longest identity subject Octopus stores; a longer one in an export was not produced by Octopus.
public let octopusMaximumSubjectLength = 200

/// Problems found while reading an Octopus export.
public typealias OctopusExportProblem = ExportProblem
/// Problems found while reading a GitHub settings export.
public typealias GitHubSettingsProblem = ExportProblem

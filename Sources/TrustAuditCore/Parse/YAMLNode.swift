/// One node of a composed YAML document: only what the workflow reader uses (text, style, line).
///
/// Aliases are already resolved to the node they name, so an alias shares its anchor's storage
/// (arrays are copy-on-write) and walking it is bounded by `YAMLAccess`'s budgets, not here.
enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence(YAMLSequence)
    case mapping(YAMLMapping)

    /// The 1-based line the node starts on.
    var line: Int {
        switch self {
        case .scalar(let scalar): return Int(scalar.line)
        case .sequence(let sequence): return Int(sequence.line)
        case .mapping(let mapping): return Int(mapping.line)
        }
    }
}

/// A scalar's text as written after YAML's escapes and folding, and how it was written.
struct YAMLScalar: Sendable {
    /// libyaml's scalar styles, in its order.
    enum Style: UInt8, Sendable {
        case plain = 1, singleQuoted, doubleQuoted, literal, folded
    }

    var string: String
    var style: Style
    var line: Int32
}

/// A block or flow list.
struct YAMLSequence: Sendable {
    var items: [YAMLNode]
    var line: Int32
}

/// A block or flow mapping, its pairs in document order (duplicate keys are refused when composing).
struct YAMLMapping: Sendable {
    var pairs: [YAMLPair]
    var line: Int32
}

struct YAMLPair: Sendable {
    var key: YAMLNode
    var value: YAMLNode
}

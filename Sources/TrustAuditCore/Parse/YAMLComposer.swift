import CYaml

/// Composes the one document of a YAML text into `YAMLNode`s, from libyaml's events.
///
/// Yams' `compose` builds a tree of tagged, marked nodes that the workflow reader then copies
/// piece by piece, and on a large organization that was half of the parse time. This composer
/// keeps only what the reader needs and otherwise reads a document as Yams does with its basic
/// resolver: a second document is an error, an alias stands for the node its anchor last named
/// before it (an undefined alias is an error), and a mapping may not repeat a key: two scalar keys
/// are the same when their text and tag are (`a` and `!!str a` are, `a` and `!!int a` are not).
///
/// Errors become `WorkflowParseFailure`s worded as before and located by line. Nesting is bounded
/// by libyaml itself (1,000 levels), so the recursion here is too.
enum YAMLComposer {
    /// The document's root, or nil when the text holds no document.
    static func compose(_ text: String) throws -> YAMLNode? {
        var text = text
        return try text.withUTF8 { bytes in
            let events = try EventStream(bytes)
            return try events.document()
        }
    }
}

/// libyaml's parser over one text, holding at most one event at a time.
private final class EventStream {
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
    private var holdsEvent = false
    private var parserReady = false
    private var anchors: [String: YAMLNode] = [:]

    private static let stringTag = "tag:yaml.org,2002:str"

    init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        parser.initialize(to: yaml_parser_t())
        event.initialize(to: yaml_event_t())
        guard yaml_parser_initialize(parser) == 1 else { throw WorkflowParseFailure("invalid YAML: out of memory") }
        parserReady = true
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
    }

    deinit {
        if holdsEvent { yaml_event_delete(event) }
        if parserReady { yaml_parser_delete(parser) }
        parser.deallocate()
        event.deallocate()
    }

    func document() throws -> YAMLNode? {
        try advance()  // stream start
        try advance()
        if event.pointee.type == YAML_STREAM_END_EVENT { return nil }
        try advance()  // past the document start
        let root = try node()
        try advance()  // document end
        try advance()
        if event.pointee.type != YAML_STREAM_END_EVENT {
            throw WorkflowParseFailure("invalid YAML: but found another document expected a single document in the stream",
                                       line: startLine)
        }
        return root
    }

    private var startLine: Int { Int(event.pointee.start_mark.line) + 1 }

    private func advance() throws {
        if holdsEvent {
            yaml_event_delete(event)
            holdsEvent = false
        }
        guard yaml_parser_parse(parser, event) == 1 else { throw failure() }
        holdsEvent = true
    }

    /// The node whose first event is the current one; on return the current event is its last.
    private func node() throws -> YAMLNode {
        let line = Int32(clamping: startLine)
        switch event.pointee.type {
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.pointee.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw WorkflowParseFailure("invalid YAML: found undefined alias", line: Int(line))
            }
            return target
        case YAML_SCALAR_EVENT:
            let data = event.pointee.data.scalar
            let string = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let style = YAMLScalar.Style(rawValue: UInt8(truncatingIfNeeded: data.style.rawValue)) ?? .plain
            let node = YAMLNode.scalar(YAMLScalar(string: string, style: style, line: line))
            if let anchor = Self.text(data.anchor) { anchors[anchor] = node }
            return node
        case YAML_SEQUENCE_START_EVENT:
            let anchor = Self.text(event.pointee.data.sequence_start.anchor)
            var items: [YAMLNode] = []
            try advance()
            while event.pointee.type != YAML_SEQUENCE_END_EVENT {
                items.append(try node())
                try advance()
            }
            let node = YAMLNode.sequence(YAMLSequence(items: items, line: line))
            if let anchor { anchors[anchor] = node }
            return node
        case YAML_MAPPING_START_EVENT:
            let anchor = Self.text(event.pointee.data.mapping_start.anchor)
            var pairs: [YAMLPair] = []
            var keys: [KeyIdentity] = []
            try advance()
            while event.pointee.type != YAML_MAPPING_END_EVENT {
                let tag = event.pointee.type == YAML_SCALAR_EVENT ? scalarTag() : ""
                let key = try node()
                keys.append(KeyIdentity(key, tag: tag))
                try advance()
                let value = try node()
                pairs.append(YAMLPair(key: key, value: value))
                try advance()
            }
            try Self.refuseDuplicates(keys, pairs)
            let node = YAMLNode.mapping(YAMLMapping(pairs: pairs, line: line))
            if let anchor { anchors[anchor] = node }
            return node
        default:
            throw WorkflowParseFailure("invalid YAML: unexpected event \(event.pointee.type.rawValue)", line: Int(line))
        }
    }

    /// The current scalar's tag as it decides key identity: empty for the string tag, which is
    /// what every untagged or quoted scalar resolves to.
    private func scalarTag() -> String {
        let data = event.pointee.data.scalar
        guard data.quoted_implicit == 0, let tag = Self.text(data.tag), tag != Self.stringTag else { return "" }
        return tag
    }

    /// Reports repeated keys the way Yams did: every repeated key, sorted, at the first
    /// occurrence of the first of them.
    private static func refuseDuplicates(_ keys: [KeyIdentity], _ pairs: [YAMLPair]) throws {
        guard keys.count > 1 else { return }
        var repeated = false
        if keys.count <= 16 {
            outer: for index in 1..<keys.count {
                for earlier in 0..<index where keys[earlier] == keys[index] {
                    repeated = true
                    break outer
                }
            }
        } else {
            var seen = Set<KeyIdentity>(minimumCapacity: keys.count)
            repeated = keys.contains { !seen.insert($0).inserted }
        }
        guard repeated else { return }
        var firstLine: [KeyIdentity: Int] = [:]
        var counts: [KeyIdentity: Int] = [:]
        for (key, pair) in zip(keys, pairs) {
            counts[key, default: 0] += 1
            if firstLine[key] == nil { firstLine[key] = pair.key.line }
        }
        let duplicates = counts.filter { $0.value > 1 }.keys.sorted { $0.text < $1.text }
        let names = duplicates.map { $0.isScalar ? $0.text : "<uncovertable>" }
        throw WorkflowParseFailure("duplicate key \(names.joined(separator: ", ")) in a mapping",
                                   line: duplicates.first.flatMap { firstLine[$0] })
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func failure() -> WorkflowParseFailure {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return WorkflowParseFailure("invalid YAML: out of memory")
        case YAML_READER_ERROR:
            return WorkflowParseFailure("cannot read the file: \(problem) (\(state.problem_value))")
        default:
            let context = state.context.map { " " + String(cString: $0) } ?? ""
            return WorkflowParseFailure("invalid YAML: \(problem)\(context)", line: Int(state.problem_mark.line) + 1)
        }
    }
}

/// What makes two mapping keys the same: a scalar's text and tag, or a collection's content.
private struct KeyIdentity: Hashable {
    var text: String
    var tag: String
    var isScalar: Bool

    init(_ node: YAMLNode, tag: String) {
        switch node {
        case .scalar(let scalar):
            self.init(text: scalar.string, tag: tag, isScalar: true)
        case .sequence, .mapping:
            var text = ""
            Self.describe(node, into: &text)
            self.init(text: text, tag: "", isScalar: false)
        }
    }

    private init(text: String, tag: String, isScalar: Bool) {
        self.text = text
        self.tag = tag
        self.isScalar = isScalar
    }

    /// A collection key's content, spelled unambiguously (lengths before texts).
    private static func describe(_ node: YAMLNode, into text: inout String) {
        switch node {
        case .scalar(let scalar):
            text += "s\(scalar.string.utf8.count):\(scalar.string)"
        case .sequence(let sequence):
            text += "[\(sequence.items.count)"
            for item in sequence.items { describe(item, into: &text) }
        case .mapping(let mapping):
            text += "{\(mapping.pairs.count)"
            for pair in mapping.pairs {
                describe(pair.key, into: &text)
                describe(pair.value, into: &text)
            }
        }
    }
}

/// Evaluates the small part of GitHub's expression language that decides which environment a job
/// runs in and which service account it logs in with: `inputs.*`, `matrix.*`, literals, `||`,
/// `&&`, `!`, comparisons and `contains`/`startsWith`/`endsWith`.
///
/// The result is every value the expression can take, or "unknown" with the reason. A context
/// trustaudit cannot know before the run (`github.*`, `vars.*`, `needs.*`, …) is unknown, but a
/// comparison against it is still `true` or `false`, so `github.ref == 'refs/heads/main' &&
/// 'production' || 'staging'` gives both names. Anything past the documented bounds is unknown
/// ("too complex to evaluate"), never a guess.
enum WorkflowExpression {
    /// Longest expression evaluated; longer ones are unknown.
    static let maxLength = 1_000
    /// Deepest nesting of parentheses and operators evaluated.
    static let maxDepth = 32
    /// Most distinct values one expression (or a text with several) may take before it counts as unknown.
    static let maxValues = 64

    /// One value of GitHub's expression language.
    enum Value: Hashable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        /// An object or array (a matrix entry holding a mapping); only its properties are used.
        case json(JSONValue)

        var truthy: Bool {
            switch self {
            case .null: return false
            case .bool(let value): return value
            case .number(let value): return value != 0 && !value.isNaN
            case .string(let value): return !value.isEmpty
            case .json: return true
            }
        }

        /// The text GitHub substitutes for `${{ … }}`.
        var text: String {
            switch self {
            case .null: return ""
            case .bool(let value): return value ? "true" : "false"
            case .number(let value):
                return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            case .string(let value): return value
            case .json(let value): return value.jsonText
            }
        }

        init(_ json: JSONValue) {
            switch json {
            case .null: self = .null
            case .bool(let value): self = .bool(value)
            case .number(let value): self = .number(value)
            case .string(let value): self = .string(value)
            case .array, .object: self = .json(json)
            }
        }
    }

    /// Every value an expression may take, or why that is not known.
    enum Outcome: Equatable {
        case values(Set<Value>)
        case unknown(String)

        static func just(_ value: Value) -> Outcome { .values([value]) }
    }

    /// What names resolve to while evaluating.
    struct Scope {
        /// The workflow's inputs by lowercased name; a name not listed evaluates to null. Nil
        /// when the inputs are not known at all (a workflow started by `workflow_dispatch`).
        var inputs: [String: Outcome]?
        /// One matrix combination; nil when the matrix is decided at run time.
        var matrix: [String: JSONValue]?
        /// Why the matrix is unknown, for the reason of an unknown result.
        var matrixUnknownReason = "the matrix is decided at run time"

        init(inputs: [String: Outcome]? = nil, matrix: [String: JSONValue]? = [:]) {
            self.inputs = inputs
            self.matrix = matrix
        }
    }

    /// Evaluates the inside of one `${{ … }}`.
    static func evaluate(_ expression: String, scope: Scope) -> Outcome {
        guard expression.utf8.count <= maxLength else {
            return .unknown("the expression is longer than \(maxLength) characters, too complex to evaluate")
        }
        var parser = Parser(tokens: Lexer.tokens(expression), scope: scope)
        guard let tokens = parser.tokens, !tokens.isEmpty else {
            return .unknown("`\(expression)` is not an expression trustaudit can read")
        }
        let outcome = parser.parseOr(depth: 0)
        if let failure = parser.failure { return .unknown(failure) }
        guard parser.position == tokens.count else {
            return .unknown("`\(expression)` is not an expression trustaudit can read")
        }
        return outcome
    }

    /// The text `written` becomes once every `${{ … }}` in it is evaluated: every possible text,
    /// or a pattern with `*` for what is unknown and the reason.
    enum TextOutcome: Equatable {
        case values(Set<String>)
        case pattern(String, reason: String)
    }

    static func substitute(_ written: String, scope: Scope) -> TextOutcome {
        var texts: Set<String> = [""]
        var pattern = ""
        var reasons: [String] = []
        var rest = written[...]
        func appendLiteral(_ literal: Substring) {
            texts = Set(texts.map { $0 + literal })
            pattern += literal
        }
        while let open = rest.range(of: "${{") {
            appendLiteral(rest[..<open.lowerBound])
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                return .pattern(pattern + "*", reason: "`\(written)` has an unclosed `${{`")
            }
            let inner = String(rest[open.upperBound..<close.lowerBound])
            switch evaluate(inner, scope: scope) {
            case .values(let values):
                let combined = Set(texts.flatMap { prefix in values.map { prefix + $0.text } })
                guard combined.count <= maxValues else {
                    return .pattern(pattern + "*", reason: "`\(written)` can take more than \(maxValues) values, too many to list")
                }
                texts = combined
                let distinct = Set(values.map(\.text))
                if distinct.count == 1, let only = distinct.first { pattern += only } else if !pattern.hasSuffix("*") { pattern += "*" }
            case .unknown(let reason):
                reasons.append(reason)
                if !pattern.hasSuffix("*") { pattern += "*" }
            }
            rest = rest[close.upperBound...]
        }
        appendLiteral(rest)
        if reasons.isEmpty { return .values(texts) }
        return .pattern(pattern, reason: reasons.joined(separator: "; "))
    }

    // MARK: - Lexing

    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case number(Double)
        case symbol(String)
    }

    enum Lexer {
        /// Tokens, or nil when the text holds something outside the language.
        static func tokens(_ text: String) -> [Token]? {
            let characters = Array(text.unicodeScalars)
            var result: [Token] = []
            var index = 0
            while index < characters.count {
                let character = characters[index]
                if character.properties.isWhitespace { index += 1; continue }
                if character == "'" {
                    var value = ""
                    index += 1
                    var closed = false
                    while index < characters.count {
                        if characters[index] == "'" {
                            if index + 1 < characters.count && characters[index + 1] == "'" {
                                value.unicodeScalars.append("'")
                                index += 2
                                continue
                            }
                            closed = true
                            index += 1
                            break
                        }
                        value.unicodeScalars.append(characters[index])
                        index += 1
                    }
                    guard closed else { return nil }
                    result.append(.string(value))
                    continue
                }
                if character.properties.isAlphabetic || character == "_" {
                    var name = ""
                    while index < characters.count,
                          characters[index].properties.isAlphabetic || characters[index].properties.numericType != nil
                            || characters[index] == "_" || characters[index] == "-" {
                        name.unicodeScalars.append(characters[index])
                        index += 1
                    }
                    result.append(.identifier(name))
                    continue
                }
                if character.properties.numericType != nil {
                    var literal = ""
                    while index < characters.count,
                          characters[index].properties.numericType != nil || characters[index] == "." || characters[index] == "x"
                            || ("a"..."f").contains(characters[index]) || ("A"..."F").contains(characters[index]) {
                        literal.unicodeScalars.append(characters[index])
                        index += 1
                    }
                    guard let number = Double(literal) ?? Int(literal.dropFirst(2), radix: 16).map(Double.init) else { return nil }
                    result.append(.number(number))
                    continue
                }
                let pair = index + 1 < characters.count ? String(String.UnicodeScalarView([character, characters[index + 1]])) : ""
                if ["||", "&&", "==", "!=", "<=", ">="].contains(pair) {
                    result.append(.symbol(pair))
                    index += 2
                    continue
                }
                guard "()[].,!<>*".unicodeScalars.contains(character) else { return nil }
                result.append(.symbol(String(character)))
                index += 1
            }
            return result
        }
    }

    // MARK: - Parsing and evaluating in one pass

    struct Parser {
        let tokens: [Token]?
        let scope: Scope
        var position = 0
        var failure: String?

        init(tokens: [Token]?, scope: Scope) {
            self.tokens = tokens
            self.scope = scope
        }

        var current: Token? {
            guard let tokens, position < tokens.count else { return nil }
            return tokens[position]
        }

        mutating func accept(_ symbol: String) -> Bool {
            if current == .symbol(symbol) { position += 1; return true }
            return false
        }

        mutating func fail(_ reason: String) -> Outcome {
            if failure == nil { failure = reason }
            return .unknown(reason)
        }

        mutating func guardDepth(_ depth: Int) -> Bool {
            if depth > WorkflowExpression.maxDepth {
                _ = fail("the expression nests deeper than \(WorkflowExpression.maxDepth) levels, too complex to evaluate")
                return false
            }
            return true
        }

        static let booleans: Outcome = .values([.bool(true), .bool(false)])

        /// Combines every pair of values, bounded.
        static func combine(_ left: Outcome, _ right: Outcome, _ body: (Value, Value) -> Value) -> Outcome {
            guard case .values(let lefts) = left else { return booleans }
            guard case .values(let rights) = right else { return booleans }
            var result: Set<Value> = []
            for a in lefts { for b in rights { result.insert(body(a, b)) } }
            return .values(result)
        }

        static func bounded(_ outcome: Outcome) -> Outcome {
            if case .values(let values) = outcome, values.count > WorkflowExpression.maxValues {
                return .unknown("the expression can take more than \(WorkflowExpression.maxValues) values, too complex to evaluate")
            }
            return outcome
        }

        mutating func parseOr(depth: Int) -> Outcome {
            guard guardDepth(depth) else { return .unknown(failure ?? "") }
            var left = parseAnd(depth: depth + 1)
            while accept("||") {
                let right = parseAnd(depth: depth + 1)
                guard case .values(let lefts) = left else { continue }
                var result: Set<Value> = []
                var unknown: Outcome?
                for value in lefts {
                    if value.truthy { result.insert(value); continue }
                    switch right {
                    case .values(let rights): result.formUnion(rights)
                    case .unknown: unknown = right
                    }
                }
                left = unknown ?? Self.bounded(.values(result))
            }
            return left
        }

        mutating func parseAnd(depth: Int) -> Outcome {
            guard guardDepth(depth) else { return .unknown(failure ?? "") }
            var left = parseComparison(depth: depth + 1)
            while accept("&&") {
                let right = parseComparison(depth: depth + 1)
                guard case .values(let lefts) = left else { continue }
                var result: Set<Value> = []
                var unknown: Outcome?
                for value in lefts {
                    if !value.truthy { result.insert(value); continue }
                    switch right {
                    case .values(let rights): result.formUnion(rights)
                    case .unknown: unknown = right
                    }
                }
                left = unknown ?? Self.bounded(.values(result))
            }
            return left
        }

        mutating func parseComparison(depth: Int) -> Outcome {
            guard guardDepth(depth) else { return .unknown(failure ?? "") }
            let left = parseUnary(depth: depth + 1)
            guard case .symbol(let symbol)? = current, ["==", "!=", "<", ">", "<=", ">="].contains(symbol) else { return left }
            position += 1
            let right = parseUnary(depth: depth + 1)
            return Self.combine(left, right) { a, b in
                // GitHub compares strings case-insensitively and coerces mixed types to numbers;
                // only (in)equality of like values matters here, the rest may be either.
                let equal = a.text.lowercased() == b.text.lowercased()
                switch symbol {
                case "==": return .bool(equal)
                case "!=": return .bool(!equal)
                default:
                    guard let x = Double(a.text), let y = Double(b.text) else { return .bool(false) }
                    switch symbol {
                    case "<": return .bool(x < y)
                    case ">": return .bool(x > y)
                    case "<=": return .bool(x <= y)
                    default: return .bool(x >= y)
                    }
                }
            }
        }

        mutating func parseUnary(depth: Int) -> Outcome {
            guard guardDepth(depth) else { return .unknown(failure ?? "") }
            if accept("!") {
                let operand = parseUnary(depth: depth + 1)
                guard case .values(let values) = operand else { return Self.booleans }
                return .values(Set(values.map { .bool(!$0.truthy) }))
            }
            return parsePrimary(depth: depth + 1)
        }

        mutating func parsePrimary(depth: Int) -> Outcome {
            guard guardDepth(depth) else { return .unknown(failure ?? "") }
            guard let token = current else { return fail("the expression ends too early") }
            position += 1
            switch token {
            case .string(let value): return .just(.string(value))
            case .number(let value): return .just(.number(value))
            case .symbol("("):
                let inner = parseOr(depth: depth + 1)
                guard accept(")") else { return fail("a `(` is not closed") }
                return inner
            case .symbol(let symbol):
                return fail("unexpected `\(symbol)`")
            case .identifier(let name):
                switch name.lowercased() {
                case "true": return .just(.bool(true))
                case "false": return .just(.bool(false))
                case "null": return .just(.null)
                default: break
                }
                if accept("(") { return call(name, depth: depth) }
                return reference(name)
            }
        }

        mutating func call(_ name: String, depth: Int) -> Outcome {
            var arguments: [Outcome] = []
            if !accept(")") {
                repeat { arguments.append(parseOr(depth: depth + 1)) } while accept(",")
                guard accept(")") else { return fail("a call to \(name) is not closed") }
            }
            switch name.lowercased() {
            case "contains", "startswith", "endswith":
                guard arguments.count == 2 else { return Self.booleans }
                let function = name.lowercased()
                return Self.combine(arguments[0], arguments[1]) { haystack, needle in
                    let text = haystack.text.lowercased()
                    let part = needle.text.lowercased()
                    switch function {
                    case "startswith": return .bool(text.hasPrefix(part))
                    case "endswith": return .bool(text.hasSuffix(part))
                    default:
                        if case .json(.array(let items)) = haystack {
                            return .bool(items.contains { Value($0).text.lowercased() == part })
                        }
                        return .bool(text.contains(part))
                    }
                }
            case "success", "always", "failure", "cancelled":
                return Self.booleans
            default:
                return .unknown("\(name)(…) is evaluated at run time")
            }
        }

        /// `context.property…` (or `context['property']`) after its first name.
        mutating func reference(_ context: String) -> Outcome {
            var path: [String] = []
            while true {
                if accept(".") {
                    if case .identifier(let name)? = current { path.append(name); position += 1; continue }
                    if accept("*") { path.append("*"); continue }
                    return fail("a property name is missing after `.`")
                }
                if accept("[") {
                    let index = parseOr(depth: 1)
                    guard accept("]") else { return fail("a `[` is not closed") }
                    guard case .values(let values) = index, values.count == 1, let only = values.first else {
                        path.append("*")
                        continue
                    }
                    path.append(only.text)
                    continue
                }
                break
            }
            switch context.lowercased() {
            case "inputs":
                guard let inputs = scope.inputs else { return .unknown("`inputs` of this run are chosen when it starts") }
                guard let name = path.first else { return .unknown("the whole `inputs` object is not evaluated") }
                guard path.count == 1 else { return .unknown("inputs.\(path.joined(separator: ".")) is not evaluated") }
                return inputs[name.lowercased()] ?? .just(.null)
            case "matrix":
                guard let matrix = scope.matrix else { return .unknown(scope.matrixUnknownReason) }
                guard let name = path.first else { return .unknown("the whole `matrix` object is not evaluated") }
                var value = matrix[name] ?? matrix.first(where: { $0.key.lowercased() == name.lowercased() })?.value ?? .null
                for property in path.dropFirst() {
                    guard case .object(let members) = value else { value = .null; break }
                    value = members[property] ?? .null
                }
                return .just(Value(value))
            default:
                let shown = ([context] + path).joined(separator: ".")
                return .unknown("\(shown) is only known at run time")
            }
        }
    }
}

import Foundation

/// One pass over an export's bytes before `JSONSerialization` sees them, for what it would hide
/// or refuse:
///
/// - a key repeated inside one object (`JSONSerialization` silently keeps one of them, so an export
///   could say two things about one setting and be read as either);
/// - a number no `Double` can hold (`1e400`, a 400-digit integer): `JSONSerialization` refuses the
///   whole document for it, even in a field trustaudit never reads. Such a number is handed on as
///   a string, so only a field that needs it reports a problem.
///
/// It does not validate: malformed JSON passes through unchanged for `JSONSerialization` to locate.
struct JSONPrescan {
    /// Key paths (as `JSONTreeReader.path` writes them) of repeated keys, and of numbers passed on as text.
    private(set) var duplicateKeys: [String] = []
    private(set) var textNumbers: [String] = []
    /// The bytes to parse: the input, with unrepresentable numbers quoted.
    private(set) var data: Data

    private enum Container {
        case object(keys: Set<String>, path: String, pendingKey: String?)
        case array(path: String, index: Int)
    }

    init(_ input: Data) {
        data = input
        let bytes = [UInt8](input)
        var output: [UInt8] = []
        var copiedUpTo = 0
        var stack: [Container] = []
        var index = 0
        var expectingKey = false

        /// The path of the value that starts now, and registers it with its container.
        func valuePath() -> String {
            guard let top = stack.last else { return "" }
            switch top {
            case .object(_, let path, let key):
                return JSONTreeReader.path(path, key ?? "")
            case .array(let path, let position):
                return JSONTreeReader.path(path, position)
            }
        }
        func valueDone() {
            guard let top = stack.popLast() else { return }
            switch top {
            case .object(let keys, let path, _): stack.append(.object(keys: keys, path: path, pendingKey: nil))
            case .array(let path, let position): stack.append(.array(path: path, index: position + 1))
            }
        }

        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                let path = valuePath()
                stack.append(.object(keys: [], path: path, pendingKey: nil))
                expectingKey = true
                index += 1
            case UInt8(ascii: "["):
                let path = valuePath()
                stack.append(.array(path: path, index: 0))
                expectingKey = false
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
                valueDone()
                expectingKey = false
                index += 1
            case UInt8(ascii: ","):
                if case .object? = stack.last { expectingKey = true }
                index += 1
            case UInt8(ascii: "\""):
                let (text, end) = Self.string(bytes, from: index)
                if expectingKey, case .object(var keys, let path, _)? = stack.last {
                    if !keys.insert(text).inserted { duplicateKeys.append(JSONTreeReader.path(path, text)) }
                    stack[stack.count - 1] = .object(keys: keys, path: path, pendingKey: text)
                    expectingKey = false
                } else {
                    valueDone()
                }
                index = end
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var end = index + 1
                while end < bytes.count, Self.numberBytes.contains(bytes[end]) { end += 1 }
                let token = String(decoding: bytes[index..<end], as: UTF8.self)
                if !Self.representable(token) {
                    textNumbers.append(valuePath())
                    output += bytes[copiedUpTo..<index]
                    output += Array("\"\(token)\"".utf8)
                    copiedUpTo = end
                }
                valueDone()
                index = end
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                var end = index + 1
                while end < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[end]) { end += 1 }
                valueDone()
                index = end
            default:
                index += 1
            }
        }
        if copiedUpTo > 0 {
            output += bytes[copiedUpTo...]
            data = Data(output)
        }
    }

    private static let numberBytes = Set("0123456789+-.eE".utf8)

    /// Whether Foundation reads the number as it is written: a finite double, and an integer
    /// that fits 64 bits (larger ones would be rounded or refused).
    static func representable(_ token: String) -> Bool {
        guard let value = Double(token), value.isFinite else { return false }
        if token.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return !(value == 0 && token.contains { ("1"..."9").contains($0) })
        }
        return Int64(token) != nil
    }

    /// A string token's text (escapes resolved) and the index after its closing quote.
    static func string(_ bytes: [UInt8], from start: Int) -> (String, Int) {
        var index = start + 1
        var raw: [UInt8] = []
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                break
            }
            raw.append(byte)
            index += 1
        }
        let text: String
        if raw.contains(UInt8(ascii: "\\")),
           let decoded = try? JSONSerialization.jsonObject(with: Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")]),
                                                           options: [.fragmentsAllowed]) as? String {
            text = decoded
        } else {
            text = String(decoding: raw, as: UTF8.self)
        }
        return (text, index + 1)
    }
}

/// Whether a text is exactly one well-formed JSON value (RFC 8259), checked without building it.
///
/// Findings keep their evidence as the JSON text they were stored with, and reports copy that
/// text as it is. A damaged database must not turn it into a malformed report, and building every
/// finding's value only to check it cost more than writing the report (56,000 findings on the
/// 10,000-repository benchmark). Nesting deeper than `maxDepth` counts as malformed.
enum JSONSyntax {
    static let maxDepth = 512

    private enum Expecting {
        case value
        /// After `[`: a value or `]`.
        case valueOrEnd
        /// After `{`: a key or `}`.
        case keyOrEnd
        /// After `,` in an object.
        case key
        /// After a value inside a container.
        case commaOrEnd
        /// After the top-level value: only white space.
        case end
    }

    static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isValid($0) }
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var scanner = Scanner(bytes: bytes)
        // true: an object is open; false: an array.
        var open: [Bool] = []
        var expecting = Expecting.value
        func afterValue() -> Expecting { open.isEmpty ? .end : .commaOrEnd }
        /// Consumes the closing bracket of the innermost container.
        func close() {
            scanner.index += 1
            _ = open.popLast()
            expecting = afterValue()
        }
        while true {
            scanner.skipSpace()
            guard let byte = scanner.peek else { return expecting == .end }
            switch expecting {
            case .end:
                return false
            case .value, .valueOrEnd:
                if expecting == .valueOrEnd, byte == UInt8(ascii: "]") {
                    close()
                    continue
                }
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard open.count < maxDepth else { return false }
                    scanner.index += 1
                    open.append(byte == UInt8(ascii: "{"))
                    expecting = byte == UInt8(ascii: "{") ? .keyOrEnd : .valueOrEnd
                    continue
                case UInt8(ascii: "\""):
                    guard scanner.string() else { return false }
                case UInt8(ascii: "t"):
                    guard scanner.literal("true") else { return false }
                case UInt8(ascii: "f"):
                    guard scanner.literal("false") else { return false }
                case UInt8(ascii: "n"):
                    guard scanner.literal("null") else { return false }
                default:
                    guard scanner.number() else { return false }
                }
                expecting = afterValue()
            case .keyOrEnd, .key:
                if expecting == .keyOrEnd, byte == UInt8(ascii: "}") {
                    close()
                    continue
                }
                guard byte == UInt8(ascii: "\""), scanner.string() else { return false }
                scanner.skipSpace()
                guard scanner.peek == UInt8(ascii: ":") else { return false }
                scanner.index += 1
                expecting = .value
            case .commaOrEnd:
                guard let inObject = open.last else { return false }
                if byte == UInt8(ascii: ",") {
                    scanner.index += 1
                    expecting = inObject ? .key : .value
                } else if byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    close()
                } else {
                    return false
                }
            }
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// A string starting at the opening quote; the text is valid UTF-8 already (a Swift String).
        mutating func string() -> Bool {
            index += 1
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    guard let escaped = peek else { return false }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let hex = peek, (0x30...0x39).contains(hex) || (0x41...0x46).contains(hex) || (0x61...0x66).contains(hex)
                            else { return false }
                            index += 1
                        }
                    default:
                        return false
                    }
                case 0x00..<0x20:
                    return false
                default:
                    continue
                }
            }
            return false
        }

        mutating func digits() -> Bool {
            let start = index
            while let byte = peek, (0x30...0x39).contains(byte) { index += 1 }
            return index > start
        }

        mutating func number() -> Bool {
            if peek == UInt8(ascii: "-") { index += 1 }
            if peek == UInt8(ascii: "0") {
                index += 1
            } else if !digits() {
                return false
            }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard digits() else { return false }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard digits() else { return false }
            }
            return true
        }
    }
}

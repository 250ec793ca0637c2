/// Finds `# trustaudit: ignore[policy-a, policy-b] reason` comments in a workflow's text.
///
/// Read from the raw text because YAML parsers drop comments. A suppression applies to findings
/// on its own line and on the line below it (see `findings` evaluation).
///
/// Works on UTF-8 bytes: it is on the path of every parse, and Foundation's `contains`/`range(of:)`
/// cost more than the rest of the walk. Lines are split on the `\n` byte (in Swift `"\r\n"` is one
/// `Character`, so splitting a CRLF file by `Character` would see a single line).
enum SuppressionScanner {
    static let marker = "trustaudit: ignore["
    private static let markerBytes = Array(marker.utf8)

    static func scan(_ text: String) -> [SuppressionFact] {
        var text = text
        return text.withUTF8 { scan(bytes: $0) }
    }

    static func scan(bytes: UnsafeBufferPointer<UInt8>) -> [SuppressionFact] {
        var result: [SuppressionFact] = []
        var lineNumber = 1
        var hash: Int?
        var index = 0
        let count = bytes.count
        while index <= count {
            let byte: UInt8 = index < count ? bytes[index] : 0x0A
            if byte == 0x0A {
                if let hash, let start = find(markerBytes, in: bytes, from: hash + 1, to: index) {
                    scanDirective(bytes, from: start + markerBytes.count, to: index, line: lineNumber, into: &result)
                }
                lineNumber += 1
                hash = nil
            } else if byte == UInt8(ascii: "#") && hash == nil {
                hash = index
            }
            index += 1
        }
        return result
    }

    /// Reads `ids] reason` after the marker.
    private static func scanDirective(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, line: Int,
        into result: inout [SuppressionFact]
    ) {
        guard let close = (start..<end).first(where: { bytes[$0] == UInt8(ascii: "]") }) else { return }
        let ids = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<close]), as: UTF8.self)
        let reason = String(decoding: UnsafeBufferPointer(rebasing: bytes[(close + 1)..<end]), as: UTF8.self)
            .trimmingWhitespace()
        for id in ids.split(separator: ",").map({ $0.trimmingWhitespace() }) where !id.isEmpty {
            result.append(SuppressionFact(line: line, policy: id, reason: reason.isEmpty ? nil : reason))
        }
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        guard end - start >= needle.count, let first = needle.first else { return nil }
        var index = start
        while index <= end - needle.count {
            if bytes[index] == first {
                var matched = true
                for offset in 1..<needle.count where bytes[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}

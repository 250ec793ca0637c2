extension StringProtocol {
    /// Whether the text holds `needle`, compared byte by byte. Scripts are searched for ASCII
    /// commands; Foundation's `contains` compares Unicode-aware through `NSString` and was most
    /// of the time spent reading a workflow's `run:` scripts.
    func containsBytes(_ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { wanted in
            if let found = utf8.withContiguousStorageIfAvailable({ Self.find(wanted, in: $0) }) { return found }
            return Array(utf8).withUnsafeBufferPointer { Self.find(wanted, in: $0) }
        }
    }

    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        guard text.count >= needle.count else { return false }
        var start = 0
        let lastStart = text.count - needle.count
        while start <= lastStart {
            if text[start] == first {
                var matched = 1
                while matched < needle.count && text[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}

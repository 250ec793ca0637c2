/// Splits a `uses:` value into an `ActionReference`.
public enum ActionReferenceParser {
    public static func parse(_ uses: String) -> ActionReference {
        let value = uses.trimmingWhitespace()
        if value.hasPrefix("./") || value.hasPrefix("../") {
            return ActionReference(owner: nil, repo: nil, path: value, ref: nil, kind: .local)
        }
        if value.hasPrefix("docker://") {
            let image = String(value.dropFirst("docker://".count))
            let ref: String?
            if let at = image.firstIndex(of: "@") {
                ref = String(image[image.index(after: at)...])
            } else if let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") {
                ref = String(image[image.index(after: colon)...])
            } else {
                ref = nil
            }
            return ActionReference(owner: nil, repo: nil, path: image, ref: ref, kind: .docker)
        }
        // Split on the bytes of `@` and `/`, as GitHub does: an ASCII byte is never part of another
        // character's UTF-8, and walking characters here cost more than the rest of a step.
        let bytes = value.utf8
        let target: Substring.UTF8View
        let ref: String?
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) {
            target = value[...].utf8[..<at]
            ref = String(decoding: bytes[bytes.index(after: at)...], as: UTF8.self)
        } else {
            target = value[...].utf8
            ref = nil
        }
        let parts = target.split(separator: UInt8(ascii: "/"), maxSplits: 2, omittingEmptySubsequences: false)
        let owner = parts.first.map { String(decoding: $0, as: UTF8.self) }
        let repo = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : nil
        let path = parts.count > 2 ? String(decoding: parts[2], as: UTF8.self) : nil
        return ActionReference(owner: owner, repo: repo, path: path, ref: ref, kind: classify(ref))
    }

    /// Only a full commit SHA is immutable; anything shaped like a version is a tag, the rest a
    /// branch (both can be moved by whoever can push to the action's repository).
    public static func classify(_ ref: String?) -> RefKind {
        guard let ref, !ref.isEmpty else { return .none }
        let utf8 = ref.utf8
        if utf8.count == 40, utf8.allSatisfy(isHex) { return .sha }
        var body = Substring(ref)
        if body.first == "v" || body.first == "V" { body = body.dropFirst() }
        if let first = body.first, first.isASCII, first.isNumber { return .tag }
        return .branch
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        // Most values have nothing to trim. An ASCII byte other than CR-LF's LF always begins a
        // character of its own, so when both ends are ASCII and not whitespace, neither end
        // character is whitespace and the text is returned as it is, without walking characters.
        var slice = Substring(self)
        if let first = slice.utf8.first, let last = slice.utf8.last, Self.isPlainASCII(first), Self.isPlainASCII(last) {
            return String(slice)
        }
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }

    /// An ASCII byte that is not whitespace (space, tab, line feed, vertical tab, form feed, CR).
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
    }
}

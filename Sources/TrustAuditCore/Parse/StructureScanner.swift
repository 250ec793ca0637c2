/// The tokenizer behind `InputGuards.checkStructure`: one pass over the bytes, no recursion, no
/// allocation beyond a stack of indentation columns.
///
/// It is deliberately approximate where that is safe (it may count a level too few for a mapping
/// nested in a sequence at the same column, and libyaml's own limit of 1,000 levels remains
/// behind it), and exact where false alarms would hurt: comments, quoted scalars and block
/// scalars are skipped, so scripts and expressions inside a workflow are never read as YAML.
struct StructureScanner {
    private var line = 1
    private var flowDepth = 0
    private var flowHasAlias = false
    /// The open quote (`"` or `'`) of a quoted scalar, which may span lines.
    private var quote: UInt8?
    /// While inside a block scalar: content lines are blank or indented more than this.
    private var blockScalarParent: Int?
    /// Columns of the open block collections, innermost last.
    private var columns: [Int] = []
    /// True where a node may start (line start, after `- `, `: `, `[`, `{`, `,`).
    private var nodeStart = true

    /// Scans `bytes`, read through a pointer: every index is checked against the line's end
    /// before it is read, and array accesses' own checks cost a third of the scan.
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> WorkflowParseFailure? {
        var lineStart = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            if let failure = scanLine(bytes, from: lineStart, to: lineEnd) { return failure }
            line += 1
            lineStart = lineEnd + 1
        }
        return nil
    }

    private mutating func scanLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> WorkflowParseFailure? {
        var indent = 0
        while start + indent < end, bytes[start + indent] == 0x20 { indent += 1 }
        var blank = true
        for index in (start + indent)..<end where !isSpace(bytes[index]) {
            blank = false
            break
        }
        if let parent = blockScalarParent {
            if blank || indent > parent { return nil }
            blockScalarParent = nil
        }
        if blank && quote == nil { return nil }

        var index = start
        if quote == nil {
            index = start + indent
            if flowDepth == 0 {
                nodeStart = true
                if bytes[index] == UInt8(ascii: "#") { return nil }
                while let last = columns.last, last >= indent { columns.removeLast() }
                if let failure = push(indent) { return failure }
            }
        }
        var lastStart = indent

        while index < end {
            let byte = bytes[index]
            let column = index - start
            if let open = quote {
                if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == open {
                    if open == UInt8(ascii: "'"), index + 1 < end, bytes[index + 1] == open {
                        index += 2
                        continue
                    }
                    quote = nil
                    nodeStart = false
                }
                index += 1
                continue
            }
            if isSpace(byte) {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "#"), index == start || isSpace(bytes[index - 1]) {
                return nil
            }
            let next: UInt8 = index + 1 < end ? bytes[index + 1] : 0x0A
            if flowDepth > 0 {
                switch byte {
                case UInt8(ascii: ","):
                    nodeStart = true
                    index += 1
                    continue
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flowDepth -= 1
                    nodeStart = false
                    index += 1
                    if flowDepth == 0 {
                        if flowHasAlias && isKeyIndicator(bytes, at: index, end: end) {
                            return .init("a list or mapping holding an alias, used as a mapping key, is not supported", line: line)
                        }
                        flowHasAlias = false
                    }
                    continue
                default:
                    break
                }
            }
            if !nodeStart {
                if byte == UInt8(ascii: ":") && (isBreakOrSpace(next) || (flowDepth > 0 && isFlowIndicator(next))) {
                    nodeStart = true
                } else if flowDepth > 0 && (byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{")) {
                    if let failure = openFlow() { return failure }
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                quote = byte
                nodeStart = false
                index += 1
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                if let failure = openFlow() { return failure }
                index += 1
            case UInt8(ascii: "*"):
                index += 1
                let nameStart = index
                while index < end, isAnchorCharacter(bytes[index]) { index += 1 }
                if index > nameStart {
                    if flowDepth > 0 { flowHasAlias = true }
                    if isKeyIndicator(bytes, at: index, end: end) {
                        return .init("an alias used as a mapping key is not supported", line: line)
                    }
                }
                nodeStart = false
            case UInt8(ascii: "&"), UInt8(ascii: "!"):
                // An anchor or a tag: the node itself follows.
                while index < end, !isSpace(bytes[index]) { index += 1 }
            case UInt8(ascii: "?") where isBreakOrSpace(next):
                return .init("complex mapping keys (`? key`) are not supported in workflows", line: line)
            case UInt8(ascii: "-") where isBreakOrSpace(next):
                if flowDepth == 0 {
                    lastStart = column
                    if let failure = push(column) { return failure }
                }
                index += 1
            case UInt8(ascii: "|"), UInt8(ascii: ">"):
                if flowDepth == 0 {
                    // A block scalar: the rest of the line holds only its indicators and a comment.
                    blockScalarParent = lastStart
                    return nil
                }
                nodeStart = false
                index += 1
            default:
                if flowDepth == 0 {
                    lastStart = column
                    if let failure = push(column) { return failure }
                }
                nodeStart = false
                index += 1
            }
        }
        return nil
    }

    private mutating func push(_ column: Int) -> WorkflowParseFailure? {
        if let last = columns.last, last >= column { return nil }
        columns.append(column)
        if columns.count > InputGuards.maxBlockDepth {
            return .init("nesting deeper than \(InputGuards.maxBlockDepth) levels", line: line)
        }
        return nil
    }

    private mutating func openFlow() -> WorkflowParseFailure? {
        flowDepth += 1
        nodeStart = true
        if flowDepth > InputGuards.maxFlowDepth {
            return .init("nesting deeper than \(InputGuards.maxFlowDepth) levels", line: line)
        }
        return nil
    }

    /// True when `index` (after optional spaces) holds a `:` that makes what precedes it a key.
    private func isKeyIndicator(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Bool {
        var index = start
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        guard index < end, bytes[index] == UInt8(ascii: ":") else { return false }
        let next: UInt8 = index + 1 < end ? bytes[index + 1] : 0x0A
        return isBreakOrSpace(next) || (flowDepth > 0 && isFlowIndicator(next))
    }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
    private func isBreakOrSpace(_ byte: UInt8) -> Bool { isSpace(byte) || byte == 0x0A }
    private func isFlowIndicator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")
            || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{")
    }

    /// libyaml's rule for anchor and alias names.
    private func isAnchorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

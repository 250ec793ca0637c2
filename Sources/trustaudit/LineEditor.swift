import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small line editor for the shell: cursor movement, history (saved to a file between
/// sessions) and tab completion, on a terminal in raw mode.
///
/// Written here instead of binding libedit so the tool builds with no extra system library; it
/// covers the keys people use in a SQL prompt: ←/→, Home/End (Ctrl-A/E), ↑/↓ history,
/// Backspace/Delete, Ctrl-U/K/W, Ctrl-C (clear the line), Ctrl-D (quit on an empty line), Tab.
final class LineEditor {
    private let historyPath: String?
    private(set) var history: [String] = []
    private let maxHistory = 1000
    var complete: (String) -> [String] = { _ in [] }

    init(historyPath: String?) {
        self.historyPath = historyPath
        if let historyPath, let text = try? String(contentsOfFile: historyPath, encoding: .utf8) {
            history = text.split(separator: "\n").map { $0.replacingOccurrences(of: "\\n", with: "\n") }
        }
    }

    func add(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, history.last != line else { return }
        history.append(line)
        if history.count > maxHistory { history.removeFirst(history.count - maxHistory) }
        guard let historyPath else { return }
        let text = history.map { $0.replacingOccurrences(of: "\n", with: "\\n") }.joined(separator: "\n") + "\n"
        // History is a convenience: a folder that cannot take it must not stop the shell.
        _ = FileManager.default.createFile(atPath: historyPath, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Reads one line; nil at end of input (Ctrl-D on an empty line).
    func readLine(prompt: String) -> String? {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return Swift.readLine() }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }

        var line: [Character] = []
        var cursor = 0
        var historyIndex = history.count
        var pending = ""
        func redraw() {
            let text = String(line)
            write("\r\u{1B}[K" + prompt + text)
            let back = line.count - cursor
            if back > 0 { write("\u{1B}[\(back)D") }
        }
        write(prompt)
        while true {
            guard let byte = readByte() else { return line.isEmpty ? nil : String(line) }
            switch byte {
            case 13, 10:
                write("\r\n")
                return String(line)
            case 4:
                if line.isEmpty { write("\r\n"); return nil }
                if cursor < line.count { line.remove(at: cursor) }
            case 3:
                write("^C\r\n")
                line = []
                cursor = 0
                write(prompt)
                continue
            case 1: cursor = 0
            case 5: cursor = line.count
            case 21: line.removeFirst(cursor); cursor = 0
            case 11: line.removeLast(line.count - cursor)
            case 23:
                var start = cursor
                while start > 0, line[start - 1] == " " { start -= 1 }
                while start > 0, line[start - 1] != " " { start -= 1 }
                line.removeSubrange(start..<cursor)
                cursor = start
            case 127, 8:
                if cursor > 0 { line.remove(at: cursor - 1); cursor -= 1 }
            case 9:
                let prefixStart = line[..<cursor].lastIndex { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }.map { $0 + 1 } ?? 0
                let word = String(line[prefixStart..<cursor])
                let options = complete(word)
                if options.count == 1 {
                    line.replaceSubrange(prefixStart..<cursor, with: Array(options[0]))
                    cursor = prefixStart + options[0].count
                } else if options.count > 1 {
                    let common = options.dropFirst().reduce(options[0]) { $0.commonPrefix(with: $1) }
                    if common.count > word.count {
                        line.replaceSubrange(prefixStart..<cursor, with: Array(common))
                        cursor = prefixStart + common.count
                    } else {
                        write("\r\n" + options.prefix(60).joined(separator: "  ") + "\r\n")
                    }
                }
            case 27:
                guard let next = readByte(), next == 91 || next == 79, let key = readByte() else { break }
                switch key {
                case 65:
                    if historyIndex > 0 {
                        if historyIndex == history.count { pending = String(line) }
                        historyIndex -= 1
                        line = Array(history[historyIndex])
                        cursor = line.count
                    }
                case 66:
                    if historyIndex < history.count {
                        historyIndex += 1
                        line = Array(historyIndex == history.count ? pending : history[historyIndex])
                        cursor = line.count
                    }
                case 67: cursor = min(line.count, cursor + 1)
                case 68: cursor = max(0, cursor - 1)
                case 72: cursor = 0
                case 70: cursor = line.count
                case 51:
                    _ = readByte()
                    if cursor < line.count { line.remove(at: cursor) }
                default: break
                }
            default:
                if byte >= 32 {
                    var bytes = [byte]
                    let extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0
                    for _ in 0..<extra { if let more = readByte() { bytes.append(more) } }
                    for character in String(decoding: bytes, as: UTF8.self) {
                        line.insert(character, at: cursor)
                        cursor += 1
                    }
                }
            }
            redraw()
        }
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        return read(STDIN_FILENO, &byte, 1) == 1 ? byte : nil
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

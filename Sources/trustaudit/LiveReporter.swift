import ArgumentParser
import Foundation
import TrustAuditCore

/// Shows live collection progress on standard error: one updating line on a terminal, plain
/// lines otherwise; nothing but waits and warnings with --quiet. Every line is redacted.
final class LiveReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let quiet: Bool
    private let verbose: Bool
    private let terminal = isatty(STDERR_FILENO) == 1
    let redaction: SecretRedaction
    private var lineShown = false
    private var started: [String: Date] = [:]
    private var lastLogged: [String: Int] = [:]

    init(quiet: Bool, verbose: Bool, secrets: [String]) {
        self.quiet = quiet
        self.verbose = verbose
        self.redaction = SecretRedaction(secrets: secrets)
    }

    func handle(_ event: LiveEvent) {
        lock.withLock {
            switch event {
            case .progress(let progress):
                guard !quiet else { return }
                let start = started[progress.service] ?? Date()
                started[progress.service] = start
                var text = "\(progress.service): \(progress.done)/\(progress.total) \(progress.service == "github" ? "repositories" : "service accounts")"
                if let remaining = progress.rateRemaining {
                    text += ", rate limit \(remaining)/\(progress.rateLimit.map(String.init) ?? "?") left"
                }
                if progress.done > 0, progress.done < progress.total {
                    let elapsed = Date().timeIntervalSince(start)
                    let eta = elapsed / Double(progress.done) * Double(progress.total - progress.done)
                    text += ", about \(Self.duration(eta)) to go"
                }
                if terminal {
                    emit("\r\u{1B}[K" + text, newline: progress.done == progress.total)
                    lineShown = progress.done != progress.total
                } else {
                    // A log line per tenth of the work, and at the start and end.
                    let step = max(1, progress.total / 10)
                    let bucket = progress.done / step
                    if progress.done == 0 || progress.done == progress.total || lastLogged[progress.service] != bucket {
                        lastLogged[progress.service] = bucket
                        emit("trustaudit: " + text, newline: true)
                    }
                }
            case .wait(let message):
                line("trustaudit: " + message)
            case .warning(let message):
                guard !quiet else { return }
                line("trustaudit: warning: " + message)
            case .verbose(let message):
                guard verbose else { return }
                line("trustaudit: " + message)
            }
        }
    }

    /// A whole line, clearing the progress line first and redrawing nothing (the next progress
    /// event redraws it).
    private func line(_ text: String) {
        if terminal && lineShown {
            emit("\r\u{1B}[K", newline: false)
            lineShown = false
        }
        emit(text, newline: true)
    }

    private func emit(_ text: String, newline: Bool) {
        FileHandle.standardError.write(Data((redaction.redact(text) + (newline ? "\n" : "")).utf8))
    }

    func message(_ text: String) {
        lock.withLock { line(text) }
    }

    func redact(_ text: String) -> String { redaction.redact(text) }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole < 60 ? "\(whole) s" : whole < 3600 ? "\(whole / 60) min \(whole % 60) s" : "\(whole / 3600) h \(whole / 60 % 60) min"
    }
}

import GRDB

/// Error messages for user-written SQL: SQLite's message, and where in the query it went wrong.
public enum QueryErrorText {
    public static func describe(_ error: Error, query: String) -> String {
        if let error = error as? DatabaseError {
            var text = "SQL error: \(error.message ?? "\(error.resultCode)")"
            if let token = nearToken(error.message), let range = query.range(of: token) {
                let offset = query.distance(from: query.startIndex, to: range.lowerBound)
                let prefix = query[..<range.lowerBound]
                let line = prefix.filter { $0 == "\n" }.count + 1
                let column = prefix.count - (prefix.lastIndex(of: "\n").map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
                text += " (line \(line), column \(column), offset \(offset))"
            }
            if error.resultCode == .SQLITE_READONLY || error.message?.contains("readonly") == true {
                text += "; the database is opened read-only here, nothing was changed"
            }
            return text
        }
        if case PolicyQueryError.notReadOnly? = error as? PolicyQueryError {
            return "only a single read-only SELECT (or WITH … SELECT) is allowed here; nothing was changed"
        }
        if let error = error as? PolicyQueryError {
            return error.description
        }
        return "\(error)"
    }

    /// SQLite says `near "FROMM": syntax error`; the quoted token locates the problem.
    static func nearToken(_ message: String?) -> String? {
        guard let message, let start = message.range(of: "near \"") else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

import GRDB

/// Where the columns a finding is made of sit in a policy's result rows, found once per query.
///
/// A policy can return tens of thousands of rows, and looking a column up by name compares the
/// name with every column's; all rows of one query have the same columns. Names match as GRDB
/// matches them, without regard to case, the leftmost first.
struct FindingColumns {
    var message: Int?
    var evidence: Int?
    var severity: Int?
    var repository: Int?
    var file: Int?
    var resource: Int?
    var line: Int?
    var job: Int?
    var serviceAccount: Int?

    init(_ row: Row) {
        let names = Array(row.columnNames).map { $0.lowercased() }
        func index(_ name: String) -> Int? { names.firstIndex(of: name) }
        message = index("message")
        evidence = index("evidence")
        severity = index("severity")
        repository = index("repository")
        file = index("file")
        resource = index("resource")
        line = index("line")
        job = index("job")
        serviceAccount = index("service_account")
    }

    /// The value at `column` of `row`, nil when the query has no such column or it holds NULL; a
    /// value of another type (`1 AS message`) is the policy's error, not a crash.
    func value<Value: DatabaseValueConvertible>(_ column: Int?, in row: Row) throws -> Value? {
        guard let column else { return nil }
        do {
            return try row.decode(Value?.self, atIndex: column)
        } catch {
            let wholeNumber = Value.self == Int.self
            throw PolicyQueryError.wrongColumnType(column: Array(row.columnNames)[column], expected: wholeNumber ? "a whole number" : "text",
                                                   found: (row[column] as DatabaseValue).description,
                                                   conversion: wholeNumber ? "CAST(… AS INTEGER)" : "CAST(… AS TEXT)")
        }
    }
}

import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Runs a user-written query within a time budget and a row cap.
///
/// The time budget is SQLite's progress handler: every few thousand virtual-machine steps it
/// checks the clock and interrupts the statement once the deadline has passed, so an endless
/// recursive CTE stops; the row cap stops reading before the rows fill memory.
enum BoundedQuery {
    /// How many SQLite virtual-machine instructions run between two looks at the clock.
    private static let checkInterval: Int32 = 10_000

    static func rows(_ statement: Statement, db: Database, timeout: Double, maxRows: Int) throws -> [Row] {
        let budget = Deadline(seconds: timeout)
        let context = Unmanaged.passRetained(budget)
        sqlite3_progress_handler(db.sqliteConnection, checkInterval, { pointer in
            guard let pointer else { return 0 }
            return Unmanaged<Deadline>.fromOpaque(pointer).takeUnretainedValue().isPast ? 1 : 0
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
            context.release()
        }
        var rows: [Row] = []
        do {
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() {
                if rows.count >= maxRows { throw PolicyQueryError.rowLimit(maxRows) }
                rows.append(row.copy())
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && budget.isPast {
            throw PolicyQueryError.timeLimit(seconds: timeout)
        }
        return rows
    }

    /// A point in time the progress handler compares the clock with.
    private final class Deadline: @unchecked Sendable {
        let nanoseconds: UInt64

        init(seconds: Double) {
            let span = seconds.isFinite ? UInt64(max(0, min(seconds, 1e9)) * 1e9) : UInt64.max / 2
            nanoseconds = DispatchTime.now().uptimeNanoseconds &+ span
        }

        var isPast: Bool { DispatchTime.now().uptimeNanoseconds > nanoseconds }
    }
}

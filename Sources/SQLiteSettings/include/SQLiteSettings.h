#ifndef TRUSTAUDIT_SQLITE_SETTINGS_H
#define TRUSTAUDIT_SQLITE_SETTINGS_H

/// Turns off SQLite's count of the memory it has allocated, process-wide.
///
/// The count is kept under one mutex that every allocation of every connection takes; a scan
/// evaluates its policies on several connections at once, and they queued on it. Nothing in
/// trustaudit reads the count (`sqlite3_memory_used`, heap limits).
///
/// `sqlite3_config` is variadic, which Swift cannot call; hence this function. It must run
/// before SQLite is first used in the process: afterwards it changes nothing and returns
/// SQLite's SQLITE_MISUSE code (21). Returns 0 when the setting took effect.
int trustaudit_sqlite_disable_memory_statistics(void);

#endif

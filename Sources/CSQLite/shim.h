#include <sqlite3.h>

/// Turns off SQLite's memory statistics for the whole process. With them on (the library's
/// default), every allocation SQLite makes takes a global mutex and updates counters that
/// Ringwatch never reads (`sqlite3_memory_used`, `sqlite3_status`); appending and sealing the
/// history allocate for every row. Must run before SQLite is first used; later it changes
/// nothing and returns SQLITE_MISUSE. (A C function because `sqlite3_config` is variadic,
/// which Swift cannot call.)
static inline int ringwatch_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

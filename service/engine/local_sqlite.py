"""One SQLite connection per thread to a small local database (WAL), opened and prepared on first use:
saved queries (service/engine/saved_db.py) and the query-time counts (service/api/query_budget.py)."""
import sqlite3
import threading
from pathlib import Path
from typing import Callable


def thread_connection(local: threading.local, path: Path, synchronous: str,
                      prepare: Callable[[sqlite3.Connection], None]) -> sqlite3.Connection:
    """This thread's connection to `path` (autocommit; `synchronous` as SQLite names it); `prepare`
    creates the schema when the thread first connects."""
    connection = getattr(local, "connection", None)
    if connection is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        prepare(connection)
        local.connection = connection
    return connection

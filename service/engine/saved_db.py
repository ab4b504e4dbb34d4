"""Where saved queries are kept: one small interface, two backends.

- `SqliteSaved` (the embedded default): `saved.sqlite3` under the data directory, WAL with
  `synchronous=FULL`, one transaction per save — one service instance, any number of its workers.
- `PostgresSaved`: when SAVED_DATABASE_URL names a PostgreSQL database (`postgresql://user@host:port/db`),
  through psycopg 3 and a connection pool — any number of instances. A save is acknowledged once its
  transaction is committed (PostgreSQL's default `synchronous_commit=on` flushes the WAL first).

Both keep the same rows (id, query, title, created, client) and decide the same way: a save is counted
against the quotas in the transaction that inserts it, with saves serialised (SQLite: `BEGIN IMMEDIATE`;
PostgreSQL: a transaction-scoped advisory lock), so two instances cannot both fill the last bytes.
"""
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from service.engine.local_sqlite import thread_connection

SQLITE_FILE = "saved.sqlite3"


@dataclass(frozen=True)
class Quotas:
    client_bytes: int   # new bytes a client may save per day
    total_bytes: int    # bytes of all saves together


class QuotaExceeded(Exception):
    """`scope` is "client" (this client's bytes today) or "total" (the database is full)."""

    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


@dataclass(frozen=True)
class SavedRow:
    id: str
    query: str
    title: str
    created: str      # ISO 8601, UTC
    client: str | None


class SavedStore:
    """The interface the /saved endpoint and `lmkg saved migrate` use."""
    url: str

    def save(self, identifier: str, text: str, title: str, client: str, quotas: Quotas) -> tuple[str, str]:
        """Keep the query unless its id is taken; the (query, title) kept under the id afterwards — another
        text if the id holds one (the caller refuses that). Raises QuotaExceeded before inserting over a quota."""
        raise NotImplementedError

    def load(self, identifier: str) -> tuple[str, str] | None:
        raise NotImplementedError

    def rows(self):
        """Every saved query, oldest first (for copying)."""
        raise NotImplementedError

    def copy_in(self, row: SavedRow) -> str:
        """Insert a row as it is (id, client and date kept): "copied", "present" (same text already under
        the id) or "conflict" (another text under the id: left alone)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def size(text: str, title: str) -> int:
    return len(text.encode("utf-8")) + len(title.encode("utf-8"))


def same_text(a: str, b: str) -> bool:
    return a.strip() == b.strip()


# -- SQLite -----------------------------------------------------------------------------------------------

SQLITE_SCHEMA = """CREATE TABLE IF NOT EXISTS saved (
  id TEXT PRIMARY KEY, query TEXT NOT NULL, title TEXT NOT NULL, created TEXT NOT NULL DEFAULT (datetime('now')))"""
SQLITE_CLIENT_COLUMN = "ALTER TABLE saved ADD COLUMN client TEXT"   # added after the first release of /saved
SQLITE_SIZE = "length(CAST(query AS BLOB)) + length(CAST(title AS BLOB))"


class SqliteSaved(SavedStore):
    def __init__(self, path: Path):
        self.path, self.url = Path(path), f"sqlite:///{Path(path).resolve()}"
        self.local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """A connection per thread (the database is created on first use)."""
        return thread_connection(self.local, self.path, "FULL", prepare_sqlite)

    def save(self, identifier, text, title, client, quotas):
        connection = self.connection()
        with connection:   # one transaction: acknowledged only once committed, the quotas counted in it
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute("SELECT query, title FROM saved WHERE id = ?", (identifier,)).fetchone()
            if row is not None:
                return row
            used = connection.execute(f"SELECT COALESCE(SUM({SQLITE_SIZE}), 0) FROM saved WHERE client = ? "
                                      "AND created > datetime('now', '-1 day')", (client,)).fetchone()[0]
            total = connection.execute(f"SELECT COALESCE(SUM({SQLITE_SIZE}), 0) FROM saved").fetchone()[0]
            check(quotas, used, total, size(text, title))
            connection.execute("INSERT INTO saved (id, query, title, client) VALUES (?, ?, ?, ?)",
                               (identifier, text, title, client))
        return text, title

    def load(self, identifier):
        return self.connection().execute("SELECT query, title FROM saved WHERE id = ?", (identifier,)).fetchone()

    def rows(self):
        cursor = self.connection().execute("SELECT id, query, title, created, client FROM saved ORDER BY created, id")
        for identifier, query, title, created, client in cursor:
            yield SavedRow(identifier, query, title, created.replace(" ", "T") + "Z", client)

    def copy_in(self, row):
        connection = self.connection()
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            found = connection.execute("SELECT query FROM saved WHERE id = ?", (row.id,)).fetchone()
            if found is not None:
                return "present" if same_text(found[0], row.query) else "conflict"
            connection.execute("INSERT INTO saved (id, query, title, created, client) VALUES (?, ?, ?, ?, ?)",
                               (row.id, row.query, row.title, sqlite_time(row.created), row.client))
        return "copied"

    def close(self):
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()
            self.local.connection = None


def prepare_sqlite(connection: sqlite3.Connection) -> None:
    connection.execute(SQLITE_SCHEMA)
    if "client" not in {row[1] for row in connection.execute("PRAGMA table_info(saved)")}:
        connection.execute(SQLITE_CLIENT_COLUMN)   # a database from before the quotas


def sqlite_time(iso: str) -> str:
    """'2025-01-02T03:04:05Z' (or with an offset of +00:00) as SQLite's datetime('now') writes it."""
    return iso.replace("T", " ").removesuffix("Z").removesuffix("+00:00")[:19]


# -- PostgreSQL -------------------------------------------------------------------------------------------

PG_SCHEMA = """CREATE TABLE IF NOT EXISTS saved (
  id TEXT PRIMARY KEY, query TEXT NOT NULL, title TEXT NOT NULL,
  created TIMESTAMPTZ NOT NULL DEFAULT now(), client TEXT)"""
PG_SIZE = "octet_length(query) + octet_length(title)"
PG_LOCK = 0x6C6D6B67   # "lmkg": the advisory lock that serialises saves (and the schema's creation)


class PostgresSaved(SavedStore):
    def __init__(self, url: str, max_connections: int = 8):
        from psycopg_pool import ConnectionPool
        self.url = url
        self.pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True, timeout=10,
                                   check=ConnectionPool.check_connection)
        with self.pool.connection() as connection:   # several instances may start at once
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
            connection.execute(PG_SCHEMA)

    def save(self, identifier, text, title, client, quotas):
        with self.pool.connection() as connection:   # commits when the block ends, rolls back on an error
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK,))
            row = connection.execute("SELECT query, title FROM saved WHERE id = %s", (identifier,)).fetchone()
            if row is not None:
                return row
            used = connection.execute(f"SELECT COALESCE(SUM({PG_SIZE}), 0) FROM saved WHERE client = %s "
                                      "AND created > now() - interval '1 day'", (client,)).fetchone()[0]
            total = connection.execute(f"SELECT COALESCE(SUM({PG_SIZE}), 0) FROM saved").fetchone()[0]
            check(quotas, used, total, size(text, title))
            connection.execute("INSERT INTO saved (id, query, title, client) VALUES (%s, %s, %s, %s)",
                               (identifier, text, title, client))
        return text, title

    def load(self, identifier):
        with self.pool.connection() as connection:
            return connection.execute("SELECT query, title FROM saved WHERE id = %s", (identifier,)).fetchone()

    def rows(self):
        with self.pool.connection() as connection:
            cursor = connection.execute("SELECT id, query, title, created, client FROM saved ORDER BY created, id")
            for identifier, query, title, created, client in cursor:
                yield SavedRow(identifier, query, title, created.isoformat(), client)

    def copy_in(self, row):
        with self.pool.connection() as connection:
            inserted = connection.execute(
                "INSERT INTO saved (id, query, title, created, client) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (id) DO NOTHING", (row.id, row.query, row.title, row.created, row.client)).rowcount
            if inserted:
                return "copied"
            found = connection.execute("SELECT query FROM saved WHERE id = %s", (row.id,)).fetchone()
        return "present" if same_text(found[0], row.query) else "conflict"

    def close(self):
        self.pool.close()


# -- choosing one -----------------------------------------------------------------------------------------

def check(quotas: Quotas, used_by_client: int, total: int, new: int) -> None:
    if used_by_client + new > quotas.client_bytes:
        raise QuotaExceeded("client")
    if total + new > quotas.total_bytes:
        raise QuotaExceeded("total")


def open_saved_store(url: str) -> SavedStore:
    """`sqlite:///absolute/path` (or a plain path) or `postgresql://…` (also `postgres://`)."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        return PostgresSaved(url)
    if scheme == "sqlite":
        return SqliteSaved(Path(unquote(urlsplit(url).path)))
    if scheme == "":
        return SqliteSaved(Path(url))
    raise ValueError(f"saved queries can be kept in sqlite:///path or postgresql://…, not {scheme}://")


def configured_store(config: dict) -> SavedStore:
    """SAVED_DATABASE_URL when set, else the SQLite file in DATA_DIR."""
    return open_saved_store(config.get("SAVED_DATABASE_URL") or str(Path(config["DATA_DIR"]) / SQLITE_FILE))


def migrate(source: SavedStore, target: SavedStore) -> dict:
    """Copy every saved query of `source` into `target`, ids, titles, clients and dates kept; run again, it
    copies nothing twice. Counts of "copied", "present" and "conflict"."""
    counts = {"copied": 0, "present": 0, "conflict": 0}
    for row in source.rows():
        counts[target.copy_in(row)] += 1
    return counts

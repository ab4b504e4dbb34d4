"""Limits that suit SPARQL clients, as the Wikidata Query Service sets them: each client has a budget of
query TIME per minute and a cap on the queries it runs at once, instead of a count of requests — a
federating client may send hundreds of cheap queries a minute, a client whose queries are slow runs fewer.

QUERY_TIME_BUDGET   seconds of query time a client may use in any 60 seconds (default 60; 0: no budget)
QUERY_CONCURRENCY   untrusted queries a client may have running at once (default 5; 0: no cap)

Both count the ad-hoc queries of `/sparql` and `/saved/<id>`: from the moment a query asks for a query
worker to its answer (or its time limit). A query is admitted while the client's time in the last minute
is under the budget (so one slow query may overrun it; the next waits), and while fewer than the cap are
running. Beyond either: 429, a problem document and Retry-After (when enough time leaves the window, or
1 s for the cap). RATE_LIMIT "off" switches these off too.

The counts are shared by every worker process: in Redis when RATE_LIMIT_STORAGE is `redis://…` (then by
every instance using it, on Redis's clock), otherwise in `limits.sqlite3` in the data directory (every
worker of one instance). A query whose process was killed holds its place at most QUERY_TIMEOUT + 60 s.
Clients are kept as hashes of their address, as for saved queries.
"""
import contextlib
import hashlib
import math
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from service.api.problems import Problem
from service.engine.local_sqlite import thread_connection

WINDOW = 60.0          # seconds over which query time is counted
HOLD_MARGIN = 60.0     # seconds a running query is counted beyond its time limit, should its process die
SQLITE_FILE = "limits.sqlite3"


class OverBudget(Exception):
    def __init__(self, used: float, retry_after: float):
        super().__init__(f"{used:.1f} s used")
        self.used, self.retry_after = used, retry_after


class TooManyRunning(Exception):
    def __init__(self, running: int):
        super().__init__(f"{running} running")
        self.running = running


@dataclass(frozen=True)
class Settings:
    budget: float      # seconds per WINDOW; 0: none
    concurrency: int   # queries at once; 0: no cap
    hold: float        # seconds a running query is counted at most


# -- backends: begin(client, ticket, settings) raises OverBudget or TooManyRunning, else counts the query as
#    running; end(client, ticket, seconds) counts its time and ends it ----------------------------------------

class SqliteCounts:
    SCHEMA = ("CREATE TABLE IF NOT EXISTS running (ticket TEXT PRIMARY KEY, client TEXT NOT NULL, until REAL NOT NULL)",
              "CREATE INDEX IF NOT EXISTS running_by_client ON running (client)",
              "CREATE TABLE IF NOT EXISTS spent (client TEXT NOT NULL, ended REAL NOT NULL, seconds REAL NOT NULL)",
              "CREATE INDEX IF NOT EXISTS spent_by_client ON spent (client, ended)",
              "CREATE INDEX IF NOT EXISTS spent_by_end ON spent (ended)")

    def __init__(self, path: Path):
        self.path, self.local = Path(path), threading.local()

    def connection(self) -> sqlite3.Connection:
        # synchronous OFF: counts of the last minute, which a power cut may lose
        return thread_connection(self.local, self.path, "OFF", self.prepare)

    def prepare(self, connection: sqlite3.Connection) -> None:
        for statement in self.SCHEMA:
            connection.execute(statement)

    def begin(self, client: str, ticket: str, settings: Settings) -> None:
        connection, now = self.connection(), time.time()
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM running WHERE until < ?", (now,))
            connection.execute("DELETE FROM spent WHERE ended < ?", (now - WINDOW,))
            if settings.concurrency:
                running = connection.execute("SELECT COUNT(*) FROM running WHERE client = ?", (client,)).fetchone()[0]
                if running >= settings.concurrency:
                    raise TooManyRunning(running)
            if settings.budget:
                spent = connection.execute("SELECT ended, seconds FROM spent WHERE client = ? ORDER BY ended",
                                           (client,)).fetchall()
                check_budget(spent, settings.budget, now)
            connection.execute("INSERT INTO running (ticket, client, until) VALUES (?, ?, ?)",
                               (ticket, client, now + settings.hold))

    def end(self, client: str, ticket: str, seconds: float) -> None:
        connection = self.connection()
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM running WHERE ticket = ?", (ticket,))
            connection.execute("INSERT INTO spent (client, ended, seconds) VALUES (?, ?, ?)", (client, time.time(), seconds))


def check_budget(spent: list[tuple[float, float]], budget: float, now: float) -> None:
    """`spent`: (ended, seconds) of the window, oldest first. Over budget: OverBudget with the seconds until
    enough of them leave the window."""
    used = sum(seconds for _, seconds in spent)
    if used < budget:
        return
    excess = used - budget
    for ended, seconds in spent:
        excess -= seconds
        if excess < 0:
            raise OverBudget(used, ended + WINDOW - now)
    raise OverBudget(used, WINDOW)


REDIS_BEGIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window, budget, cap, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
if cap > 0 then
  local running = redis.call('ZCARD', KEYS[1])
  if running >= cap then return {'running', tostring(running)} end
end
if budget > 0 then
  local spent = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  local used = 0
  for i = 1, #spent, 2 do used = used + tonumber(string.match(spent[i], ':(.*)$')) end
  if used >= budget then
    local excess, retry = used - budget, window
    for i = 1, #spent, 2 do
      excess = excess - tonumber(string.match(spent[i], ':(.*)$'))
      if excess < 0 then retry = tonumber(spent[i + 1]) + window - now; break end
    end
    return {'spent', tostring(used), tostring(retry)}
  end
end
redis.call('ZADD', KEYS[1], now + hold, ARGV[5])
redis.call('EXPIRE', KEYS[1], math.ceil(hold) + 1)
return {'ok'}
"""
REDIS_END = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1] .. ':' .. ARGV[2])
redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[3])) + 1)
return 1
"""


class RedisCounts:
    """Per client, a sorted set of running queries (scored by when they stop counting) and one of spent
    time (scored by when each query ended); each check is one Lua script, so atomic across instances."""

    def __init__(self, url: str):
        import redis
        self.redis = redis.Redis.from_url(url, socket_timeout=5)
        self.begin_script, self.end_script = self.redis.register_script(REDIS_BEGIN), self.redis.register_script(REDIS_END)

    @staticmethod
    def keys(client: str) -> list[str]:
        return [f"lmkg:{{budget:{client}}}:running", f"lmkg:{{budget:{client}}}:spent"]   # one hash slot

    def begin(self, client: str, ticket: str, settings: Settings) -> None:
        answer = [part.decode() if isinstance(part, bytes) else part for part in self.begin_script(
            keys=self.keys(client), args=[WINDOW, settings.budget, settings.concurrency, settings.hold, ticket])]
        if answer[0] == "running":
            raise TooManyRunning(int(answer[1]))
        if answer[0] == "spent":
            raise OverBudget(float(answer[1]), float(answer[2]))

    def end(self, client: str, ticket: str, seconds: float) -> None:
        self.end_script(keys=self.keys(client), args=[ticket, repr(seconds), WINDOW])


# -- the app's budget ------------------------------------------------------------------------------------------

class QueryBudget:
    def __init__(self, counts, settings: Settings):
        self.counts, self.settings = counts, settings

    @contextlib.contextmanager
    def spend(self, address: str):
        """Admit one query of the client at `address` (or raise its 429) and count its time."""
        client = hashlib.sha256(f"lmkg-budget {address}".encode()).hexdigest()[:16]
        ticket = uuid.uuid4().hex
        try:
            self.counts.begin(client, ticket, self.settings)
        except TooManyRunning as error:
            raise Problem(429, "Too many queries at once",
                          f"this client has {error.running} queries running; it may run "
                          f"{self.settings.concurrency} at once", slug="concurrent-queries",
                          headers={"Retry-After": "1"}, concurrent_queries_limit=self.settings.concurrency) from None
        except OverBudget as error:
            raise Problem(429, "Query time used",
                          f"this client's queries took {error.used:.1f} s in the last minute; its budget is "
                          f"{self.settings.budget:g} s of query time a minute", slug="query-time-budget",
                          headers={"Retry-After": str(max(1, math.ceil(error.retry_after)))},
                          query_time_budget_seconds=self.settings.budget,
                          query_time_used_seconds=round(error.used, 3)) from None
        started = time.monotonic()
        try:
            yield
        finally:
            self.counts.end(client, ticket, time.monotonic() - started)


def configured(config: dict) -> QueryBudget | None:
    """The budget the settings ask for, or None when both limits are off."""
    settings = Settings(float(config.get("QUERY_TIME_BUDGET") or 0), int(config.get("QUERY_CONCURRENCY") or 0),
                        float(config["QUERY_TIMEOUT"]) + float(config.get("QUERY_QUEUE_WAIT") or 0) + HOLD_MARGIN)
    if not settings.budget and not settings.concurrency:
        return None
    storage = str(config.get("RATE_LIMIT_STORAGE") or "")
    if storage.startswith(("redis://", "rediss://")):
        return QueryBudget(RedisCounts(storage), settings)
    return QueryBudget(SqliteCounts(Path(config["DATA_DIR"]) / SQLITE_FILE), settings)

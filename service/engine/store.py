"""One way to run a query: `execute(store, request)`, behind a store interface used by the endpoint,
the catalogue, the pages and the CLI.

The embedded backend is the read-only pyoxigraph store that `lmkg build` writes into each release.
Trusted queries (the catalogue's, the pages') run in-process; ad-hoc queries from the public endpoint
run in a worker process that is killed at the time limit, because a running pyoxigraph query cannot
be interrupted from Python.
"""
import multiprocessing
import queue
import signal
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from graph.release import Release, latest_release, read_release, releases_dir
from lmkg.paths import data_dir as default_data_dir
from service.engine.query import (QueryBusy, QueryRequest, QueryTimeout, QueryUnavailable, WorkerMemoryExceeded, execute,
                           worker_main)
from service.engine.resolve import NAME_INDEX_FILE, name_index
from service.engine.results import Result, serialize

CLI_FORMATS = {"tsv": "text/tab-separated-values", "csv": "text/csv", "json": "application/sparql-results+json",
               "xml": "application/sparql-results+xml", "ttl": "text/turtle", "nt": "application/n-triples"}


class EmbeddedStore:
    """A release's read-only pyoxigraph store; the default graph is the union of its graphs.

    A release of at most `memory_max_triples` is copied from its on-disk store into an in-memory one
    when opened (no text is parsed: under a second for the real graph). Measured on the catalogue,
    in-memory queries are about 4x faster than RocksDB reads, for about 450 bytes per triple in each
    service process; larger releases are read from disk (about 300 bytes per triple)."""

    def __init__(self, release: Release, isolated_workers: int = 1, memory_max_triples: int = 0,
                 worker_memory: int = 0, busy_wait: float = 0.5):
        self.release = release
        self.name_index_path = name_index_path(release)
        self.store = ox.Store.read_only(str(release.store_path))
        self.in_memory = sum(release.triples.values()) <= memory_max_triples
        if self.in_memory:
            on_disk, self.store = self.store, ox.Store()
            self.store.bulk_extend(on_disk)
        self.pool = WorkerPool(release.store_path, isolated_workers, worker_memory, busy_wait)

    def run(self, request: QueryRequest) -> Result:
        """A trusted query, in-process."""
        return execute(self.store, request)

    def run_isolated(self, request: QueryRequest, timeout: float) -> Result:
        """An untrusted query, in a worker process stopped at `timeout` seconds."""
        return self.pool.run(request, timeout)

    def rows(self, text: str):
        """The rows of a trusted SELECT one by one, uncapped (for indexes built from the whole graph)."""
        solutions = self.store.query(text, use_default_graph_as_union=True)
        variables = solutions.variables
        return (tuple(solution[v] for v in variables) for solution in solutions)

    def run_to_text(self, text: str, fmt: str = "tsv") -> str:
        result = self.run(QueryRequest(text, limit=1_000_000))
        media_type = CLI_FORMATS[fmt]
        if result.is_graph and media_type not in ("text/turtle", "application/n-triples"):
            media_type = "text/turtle"
        if not result.is_graph and media_type in ("text/turtle", "application/n-triples"):
            media_type = CLI_FORMATS["tsv"]
        return serialize(result, media_type).decode()

    def close(self) -> None:
        self.pool.close()


# -- isolated execution ---------------------------------------------------------------------------

class Worker:
    def __init__(self, context, store_path: Path | None, memory_limit: int):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, daemon=True,
                                       args=(child, store_path and str(store_path), memory_limit))
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class WorkerPool:
    """Worker processes for untrusted queries, started on first use; a worker that overruns the time
    limit is killed and replaced, so the next request is served normally.

    `size` bounds the untrusted queries in flight in this service process: kept below its web threads, a
    thread is always free for /health, pages and canned queries. A request that finds every worker busy
    waits at most `busy_wait` seconds, then hears 503 (QueryBusy) at once."""

    def __init__(self, store_path: Path | None, size: int, memory_limit: int = 0, busy_wait: float = 0.5):
        self.store_path, self.size = store_path, max(1, size)
        self.memory_limit, self.busy_wait = memory_limit, busy_wait
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.started = 0
        self.lock = threading.Lock()

    def acquire(self, deadline: float) -> Worker:
        with self.lock:
            if self.idle.empty() and self.started < self.size:
                self.started += 1
                return Worker(self.context, self.store_path, self.memory_limit)
        try:
            return self.idle.get(timeout=max(0.0, min(self.busy_wait, deadline - time.monotonic())))
        except queue.Empty:
            raise QueryBusy("every query worker is busy; try again shortly") from None

    def run(self, request: QueryRequest, timeout: float) -> Result:
        # one deadline for waiting for a worker and for the answer: the client hears within the limit
        deadline = time.monotonic() + timeout
        worker = self.acquire(deadline)
        try:
            worker.connection.send(request)
            if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
                raise QueryTimeout(timeout)
            status, payload = worker.connection.recv()
        except (EOFError, OSError) as error:  # the worker died (crashed, over its memory cap, killed from outside)
            self.discard(worker)
            if self.memory_limit and worker.process.exitcode == -signal.SIGABRT:   # Rust aborts on a failed allocation
                raise WorkerMemoryExceeded(self.memory_limit) from None
            raise QueryUnavailable(f"query worker lost: {type(error).__name__}: {error}") from None
        except BaseException:
            self.discard(worker)
            raise
        self.idle.put(worker)
        if status == "error":
            raise payload
        return payload

    def discard(self, worker: Worker) -> None:
        """Kill a worker that overran or failed; the next request starts a fresh one."""
        worker.kill()
        with self.lock:
            self.started -= 1

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get().kill()


# -- releases ---------------------------------------------------------------------------------------

def ensure_release(data_dir: Path | None = None) -> Release:
    """The latest release, building one first if there is none, with its name index saved."""
    folder = data_dir or default_data_dir()
    release = latest_release(folder)
    if release is None:
        from graph.build import build
        release = build(folder)
    prepare_name_index(release)
    return release


def prepare_name_index(release: Release) -> None:
    """Save the release's name index beside its store (if not there yet), so that service workers read
    it instead of each building it from every label in the graph on its first request."""
    if not name_index_path(release).exists():   # checked before opening the store: most starts find it
        store = EmbeddedStore(release, isolated_workers=0)
        name_index(store)
        store.close()


def name_index_path(release: Release) -> Path:
    return Path(release.folder) / NAME_INDEX_FILE


def release_by_id(data_dir: Path, release_id: str) -> Release | None:
    if not release_id.isalnum():
        return None
    return read_release(releases_dir(data_dir) / release_id)


def open_release_store(data_dir: Path | None = None) -> EmbeddedStore:
    return EmbeddedStore(ensure_release(data_dir))

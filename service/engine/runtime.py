"""What the app holds while it runs: the open release stores, the name index per release, the
catalogue, and the cache of canned-query answers (keyed by release, so a new release invalidates it)."""
import threading
import time
from collections import OrderedDict
from pathlib import Path

from graph.release import Release
from service.engine.catalogue import CannedQuery, load_catalogue
from service.engine.resolve import NameIndex, name_index
from service.engine.remote import RemoteStore
from service.engine.query import QueryRequest, Slots
from service.engine.store import EmbeddedStore, WorkerPool, ensure_release, release_by_id


class ReleaseNotKept(LookupError):
    """A release id this service does not keep (any more); the API answers 410 Gone."""

    def __init__(self, release_id: str, current_release: str):
        super().__init__(f"release {release_id!r} is not kept on this service")
        self.release_id, self.current_release = release_id, current_release


class AnswerCache:
    """A bounded LRU of serialised answers."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class RemoteRelease:
    """The remote store and the release it holds, looked up again once it is REMOTE_RELEASE_TTL old (so a
    new `lmkg load` is picked up, and a store that was down at start-up is found when it comes back)."""

    def __init__(self, config: dict):
        self.endpoint, self.timeout = config["SPARQL_ENDPOINT"], config["REMOTE_TIMEOUT"]
        self.ttl = config["REMOTE_RELEASE_TTL"]
        self.slots = Slots(config["ISOLATED_WORKERS"], config["QUERY_QUEUE_WAIT"])   # shared by every RemoteStore
        self.current: RemoteStore | None = None
        self.checked = 0.0
        self.lock = threading.Lock()

    def store(self) -> RemoteStore:
        with self.lock:
            if self.current is not None and time.monotonic() - self.checked <= self.ttl:
                return self.current
        fresh = RemoteStore(self.endpoint, self.slots, self.timeout)  # outside the lock: a hung store holds up one request
        with self.lock:
            if self.current is None or self.current.release.id != fresh.release.id:
                self.current = fresh
            self.checked = time.monotonic()
            return self.current


class Runtime:
    """Embedded mode opens the releases kept in DATA_DIR; remote mode (SPARQL_ENDPOINT set) answers from
    the one release loaded into that store, re-reading which one it is every REMOTE_RELEASE_TTL seconds."""

    def __init__(self, config: dict):
        self.config = config
        self.data_dir = Path(config["DATA_DIR"])
        self.catalogue: dict[str, CannedQuery] = load_catalogue(Path(config["QUERIES_DIR"]))
        self.stores: dict[str, EmbeddedStore] = {}
        self.indexes: dict[str, NameIndex] = {}
        self.per_release: dict[tuple, object] = {}   # (release id, what) -> a value computed once
        self.cache = AnswerCache(config["CACHE_SIZE"])
        self.lock = threading.Lock()
        self.remote = RemoteRelease(config) if config.get("SPARQL_ENDPOINT") else None
        # remote mode has no store of its own: saves are checked by a worker that opens none
        self.syntax_pool = (WorkerPool(None, config["ISOLATED_WORKERS"], config["MAX_WORKER_MEMORY"],
                                       config["QUERY_QUEUE_WAIT"]) if self.remote else None)
        if not self.remote:
            self.embedded_release = ensure_release(self.data_dir)
            self.store(self.embedded_release.id)

    @property
    def current(self) -> Release:
        return self.remote.store().release if self.remote else self.embedded_release

    def store(self, release_id: str | None = None) -> EmbeddedStore | RemoteStore:
        """The store of a kept release (the current one by default); 410 for one no longer kept."""
        if self.remote:
            store = self.remote.store()
            if release_id not in (None, store.release.id):
                self.release(release_id)
            return store
        release_id = release_id or self.current.id
        with self.lock:
            if release_id not in self.stores:
                release = self.release(release_id)
                self.stores[release_id] = EmbeddedStore(
                    release, memory_max_triples=self.config["MEMORY_STORE_MAX_TRIPLES"], **self.pool_settings())
            return self.stores[release_id]

    def pool_settings(self) -> dict:
        return {"isolated_workers": self.config["ISOLATED_WORKERS"], "worker_memory": self.config["MAX_WORKER_MEMORY"],
                "busy_wait": self.config["QUERY_QUEUE_WAIT"]}

    def check_syntax(self, text: str) -> None:
        """Parse an untrusted text in a query worker under the time limit (see query.check_syntax)."""
        check, timeout = QueryRequest(text, syntax_only=True), self.config["QUERY_TIMEOUT"]
        if self.remote:
            with self.remote.slots.held():   # counted with the remote queries: together they stay below the threads
                self.syntax_pool.run(check, timeout)
        else:
            self.store().pool.run(check, timeout)

    def release(self, release_id: str) -> Release:
        if release_id == self.current.id:
            return self.current
        release = None if self.remote else release_by_id(self.data_dir, release_id)
        if release is None:
            raise ReleaseNotKept(release_id, self.current.id)
        return release

    def index(self, release_id: str | None = None) -> NameIndex:
        """The name index of a release (read or built on first use)."""
        store = self.store(release_id)
        with self.lock:
            key = store.release.id
            if key not in self.indexes:
                self.indexes[key] = name_index(store)
            return self.indexes[key]

    def once_per_release(self, release_id: str, what: str, compute):
        """A value that depends only on the release (home-page counts, charts), computed on first use;
        the few kept releases each have their own."""
        key = (release_id, what)
        with self.lock:
            if key in self.per_release:
                return self.per_release[key]
        value = compute()
        with self.lock:
            return self.per_release.setdefault(key, value)

    def close(self) -> None:
        for store in self.stores.values():
            store.close()
        if self.syntax_pool:
            self.syntax_pool.close()

"""Running one query against a pyoxigraph store: the request, the errors, and the worker-process loop.

Kept free of heavy imports so that worker processes start quickly.
"""
import itertools
import resource
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.engine.results import Result, collect
from service.engine.sparql_text import where_group_start


class QueryTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"the query ran longer than the time limit of {seconds:g} s and was stopped")
        self.seconds = seconds


class StoreUnavailable(Exception):
    """The store behind the service cannot be reached or failed (remote mode); the message is safe to show."""


class QueryFailed(Exception):
    """The store rejected the query (syntax or evaluation error); the message is safe to show."""


class QueryBusy(Exception):
    """Every query worker of this process is busy and none came free within the short wait: the client
    hears 503 at once rather than holding a web thread that /health, pages and canned queries need."""


class Slots:
    """At most `size` untrusted queries in flight where no worker pool bounds them (remote mode): a request
    waits `wait` seconds for a slot, then QueryBusy."""

    def __init__(self, size: int, wait: float):
        self.semaphore, self.wait = threading.BoundedSemaphore(max(1, size)), wait

    @contextmanager
    def held(self):
        if not self.semaphore.acquire(timeout=self.wait):
            raise QueryBusy("every slot for untrusted queries is busy; try again shortly")
        try:
            yield
        finally:
            self.semaphore.release()


class WorkerMemoryExceeded(Exception):
    def __init__(self, limit: int):
        super().__init__(f"the query needed more than the memory limit of {limit / 1e6:,.0f} MB and was stopped")
        self.limit = limit


class QueryUnavailable(Exception):
    """Reading the store or a federated endpoint failed (I/O, network). Its cause is logged, never shown:
    an I/O error's text can name files of the server."""


@dataclass(frozen=True)
class QueryRequest:
    text: str
    bindings: dict = field(default_factory=dict)   # variable name -> pyoxigraph term or tuple of terms
                                                   # (never text): see bind_values
    default_graphs: tuple[str, ...] = ()            # with named_graphs: the request's dataset (protocol)
    named_graphs: tuple[str, ...] = ()
    query_dataset: bool = False                     # the text names its own dataset (FROM / FROM NAMED)
    base_iri: str | None = None                     # resolves relative IRIs of the text
    limit: int = 10_000                              # rows or triples before the result is refused
    syntax_only: bool = False                        # check the text (see check_syntax), return nothing


def terms(value) -> tuple:
    """The terms a binding holds: a tuple of several (a name read as several entities), or one term."""
    return value if isinstance(value, tuple) else (value,)


def bind_values(text: str, bindings: dict) -> str:
    """The query with its parameter values joined in first: `VALUES (?a ?b) { (<term> <term>) }` placed at
    the start of the WHERE group; a variable bound to several terms gives one row per term (the rows are
    the product of every variable's terms). Values are pyoxigraph terms written in N-Triples syntax, which
    escapes them, so a value is data in the data block and can never become query text. (Measured faster
    than pyoxigraph's `substitutions` alone on most canned queries, and it works on any store.)"""
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    rows = " ".join("(" + " ".join(map(str, row)) + ")" for row in itertools.product(*map(terms, bindings.values())))
    position = where_group_start(text)
    return f"{text[:position]} VALUES ({names}) {{ {rows} }} {text[position:]}"


def execute(store: ox.Store, request: QueryRequest) -> Result:
    """Run a query against a pyoxigraph store and read its result into memory (capped)."""
    try:
        return collect(store.query(bind_values(request.text, request.bindings), **query_options(request)),
                       request.limit)
    except SyntaxError as error:
        raise QueryFailed(f"SPARQL syntax error: {error}") from None
    except OSError as error:
        raise QueryUnavailable(f"{type(error).__name__}: {error}") from None
    except (ValueError, RuntimeError) as error:
        raise QueryFailed(f"query evaluation failed: {error}") from None


def check_syntax(text: str) -> None:
    """Parse the text. pyoxigraph has no parse-only call: a query on an empty store is parsed, and
    SELECT, CONSTRUCT and DESCRIBE results are lazy, but ASK, ORDER BY, GROUP BY and VALUES are evaluated
    eagerly (a VALUES cross product runs for seconds even with no data), so this runs in a query worker
    under the time limit, like the query itself."""
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        raise QueryFailed(f"SPARQL syntax error: {error}") from None
    except (ValueError, RuntimeError, OSError):
        pass   # parsed: an evaluation error on an empty store says nothing about the text


def query_options(request: QueryRequest) -> dict:
    """pyoxigraph's options for a request; ValueError for a graph name that is no IRI."""
    # The values go in twice: as a VALUES block (the planner then starts from them) and as pyoxigraph
    # substitutions (which carry them into union branches and subqueries the block does not reach).
    # Measured on the catalogue, either alone is up to 10x slower than both on some query. A substitution
    # is one term, so a variable bound to several is left to the VALUES block.
    single = {ox.Variable(k): v for k, v in request.bindings.items() if not isinstance(v, tuple)}
    options = {"base_iri": request.base_iri, "substitutions": single or None}
    if request.default_graphs or request.named_graphs:
        # A dataset given in the request replaces the whole default dataset (SPARQL 1.1 Protocol 2.1.4).
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    elif not request.query_dataset:
        options["use_default_graph_as_union"] = True
    return options


def worker_main(connection, store_path: str | None, memory_limit: int = 0) -> None:
    """A worker process: answers QueryRequests from the connection until it is closed or killed. A query
    may grow its address space by `memory_limit` bytes (0: no cap): past it an allocation fails, which
    aborts pyoxigraph's Rust code (the parent sees SIGABRT) or raises MemoryError in Python."""
    store = ox.Store.read_only(store_path) if store_path else None   # None: a worker that only checks syntax
    if memory_limit:
        # counted from the idle worker: opening the store maps 400-600 MB, and how much depends on the
        # machine, so a cap on the whole address space left queries anything from 0.4 to 0.6 GB (issue #14:
        # under load a worker that had just started was stopped after 0.8 s as "over the memory limit")
        ceiling = idle_address_space() + memory_limit
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        try:
            connection.send(("ok", answer(store, request)))
        except MemoryError:
            connection.send(("error", WorkerMemoryExceeded(memory_limit)))
        except Exception as error:  # sent back whole: the parent decides what the client sees
            connection.send(("error", error))


def idle_address_space() -> int:
    """This process's address space now, in bytes (Linux: VmSize in /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmSize in /proc/self/status")


def answer(store: ox.Store | None, request: QueryRequest) -> Result | None:
    if request.syntax_only:
        return check_syntax(request.text)
    return execute(store, request)

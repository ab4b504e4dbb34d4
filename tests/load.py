"""Load: concurrent clients send a mix of canned, ad-hoc and saved-query requests to the service under
`lmkg serve` on loopback, for a fixed time; every answer must be the expected one (0 errors), and the
server's memory (RSS of the server, its workers and their query workers) is reported before and after.

    .venv/bin/python -m tests.load --seconds 60 --clients 8          # the full run (builds a release if none)
    .venv/bin/python -m tests.load --seconds 60 --url http://127.0.0.1:8000   # against a running service

tests/test_load.py runs a short version of the same in the suite. Bounded: the run stops after
`--seconds` (or `--max-requests`), and each request has a timeout.
"""
import argparse
import json
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.live import http_request, running_server

AD_HOC = [
    "PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?drug ?label WHERE { ?drug a lmkg:Drug ; rdfs:label ?label } ORDER BY ?label LIMIT 50",
    "ASK { ?s a <https://w3id.org/lungmet-kg/ontology#ClinicalStudy> }",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/lungmet-kg/graph/seeds> { ?s ?p ?o } }",
    "CONSTRUCT { ?d ?p ?o } WHERE { BIND(<https://w3id.org/lungmet-kg/id/drug/osimertinib> AS ?d) ?d ?p ?o }",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?label WHERE { ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), \"tinib\")) } LIMIT 100",
]
ACCEPTS = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml", "text/tab-separated-values"]
REQUEST_TIMEOUT = 30.0


@dataclass
class Tally:
    latencies: dict = field(default_factory=lambda: {"canned": [], "ad-hoc": [], "saved": []})
    errors: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int | None, expected: set, seconds: float, what: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[status] += 1
            if status not in expected:
                self.errors.append(f"{kind} {what}: {status}")

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def canned_requests(base_url: str) -> list[tuple[str, str]]:
    """The URL and query form of every declared example of every canned query (answers known to exist)."""
    from urllib.parse import urlencode
    catalogue = http_request(base_url, "GET", "/queries").json()["queries"]
    return [(f"/queries/{q['name']}?{urlencode(example)}", q["form"])
            for q in catalogue for example in q["examples"] or [{}]]


def timed(kind: str, tally: Tally, expected: set, method: str, base_url: str, path: str, **kwargs):
    started = time.monotonic()
    try:
        reply = http_request(base_url, method, path, timeout=REQUEST_TIMEOUT, **kwargs)
    except OSError as error:
        tally.record(kind, None, expected, time.monotonic() - started, f"{path[:80]} ({error})")
        return None
    tally.record(kind, reply.status, expected, time.monotonic() - started, path[:80])
    return reply


def one_request(base_url: str, canned: list[str], rng: random.Random, tally: Tally) -> None:
    kind = rng.choices(["canned", "ad-hoc", "saved"], weights=[5, 3, 2])[0]
    accept = {"Accept": rng.choice(ACCEPTS)}
    if kind == "canned":
        url, form = rng.choice(canned)
        if form == "CONSTRUCT":
            accept = {"Accept": "text/turtle"}
        timed(kind, tally, {200}, "GET", base_url, url, headers=accept)
    elif kind == "ad-hoc":
        from urllib.parse import quote
        query = rng.choice(AD_HOC)
        if query.startswith("CONSTRUCT"):
            accept = {"Accept": "text/turtle"}
        timed(kind, tally, {200}, "POST", base_url, "/sparql", body="query=" + quote(query),
              headers={**accept, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        # a small pool of texts: most saves find their query already there, as real permalinks do
        query = f"{rng.choice(AD_HOC[:3])} # load {rng.randrange(50)}"
        saved = timed(kind, tally, {201}, "POST", base_url, "/saved", body=json.dumps({"query": query}),
                      headers={"Content-Type": "application/json"})
        if saved is not None and saved.status == 201:
            timed(kind, tally, {200}, "GET", base_url, f"/saved/{saved.json()['id']}", headers=accept)


class MemoryWatch:
    """Samples the server's RSS once a second while a run lasts."""

    def __init__(self, pid: int):
        self.pid, self.samples, self.stopped = pid, [], threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self) -> None:
        while not self.stopped.wait(1.0):
            self.samples.append(server_rss(self.pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()


def drive(base_url: str, clients: int, seconds: float, max_requests: int, seed: int = 1) -> Tally:
    canned = canned_requests(base_url)
    tally = Tally()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.monotonic() < deadline and tally.count < max_requests:
            one_request(base_url, canned, rng, tally)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def server_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    import psutil
    root = psutil.Process(pid)
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def summary(tally: Tally, seconds: float, clients: int, rss_before: int | None, rss_after: int | None) -> dict:
    def ms(values, q):
        return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1) if len(values) >= 2 else None
    every = [v for values in tally.latencies.values() for v in values]
    report = {
        "clients": clients, "seconds": round(seconds, 1), "requests": tally.count,
        "requests_per_second": round(tally.count / seconds, 1) if seconds else None,
        "errors": len(tally.errors), "first_errors": tally.errors[:10],
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items(), key=str)},
        "by_kind": {kind: {"requests": len(v), "p50_ms": ms(v, 50), "p95_ms": ms(v, 95),
                           "max_ms": round(max(v) * 1000, 1) if v else None} for kind, v in tally.latencies.items()},
        "p50_ms": ms(every, 50), "p95_ms": ms(every, 95),
    }
    if rss_before is not None:
        report.update(rss_before_mb=round(rss_before / 2**20, 1), rss_after_mb=round(rss_after / 2**20, 1),
                      rss_growth_mb=round((rss_after - rss_before) / 2**20, 1))
    return report


def run(data_dir: Path, seconds: float, clients: int = 8, warmup: float = 5.0, max_requests: int = 1_000_000,
        workers: int = 2, threads: int = 2) -> dict:
    """Start `lmkg serve` over a copy of `data_dir`'s releases, warm it up, then load it and measure."""
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(Path(data_dir) / "releases", Path(scratch) / "releases")
        with running_server(scratch, workers=workers, threads=threads, env={"LMKG_RATE_LIMIT": "off"}) as server:
            warm = drive(server.url, clients, warmup, max_requests)  # starts query workers, fills caches
            before = server_rss(server.process.pid)
            started = time.monotonic()
            with MemoryWatch(server.process.pid) as memory:
                tally = drive(server.url, clients, seconds, max_requests, seed=2)
            elapsed = time.monotonic() - started
            after = server_rss(server.process.pid)
    report = summary(tally, elapsed, clients, before, after)
    step = max(1, len(memory.samples) // 12)
    report["rss_every_%d_s_mb" % step] = [round(v / 2**20, 1) for v in memory.samples[::step]]
    report["warmup"] = {"seconds": warmup, "requests": warm.count, "errors": len(warm.errors)}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--url", help="load a service that is already running instead of starting `lmkg serve`")
    parser.add_argument("--data-dir", type=Path, default=None, help="releases to serve (default: LMKG_DATA_DIR or data/)")
    args = parser.parse_args(argv)
    if args.url:
        tally = drive(args.url.rstrip("/"), args.clients, args.seconds, args.max_requests)
        report = summary(tally, args.seconds, args.clients, None, None)
    else:
        from lmkg.paths import data_dir
        from service.engine.store import ensure_release
        folder = args.data_dir or data_dir()
        ensure_release(folder)
        report = run(folder, args.seconds, args.clients, args.warmup, args.max_requests)
    print(json.dumps(report, indent=2))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())

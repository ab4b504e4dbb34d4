"""`lmkg bench`: one run, same data, same queries — in-process query time, build time and memory, HTTP
throughput and latency of our service against `oxigraph serve`, rdflib-endpoint and grlc, and growth on
synthetic data. Results go to a folder as results.json, report.md and growth.png."""
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lmkg.bench import anchors, report
from lmkg.bench.http_load import run_wrk
from lmkg.bench.servers import lmkg_server, oxigraph_server
from lmkg.bench.synthetic import synthetic_release
from lmkg.paths import QUERIES_DIR

BENCH_QUERY = "trials-for-drug"   # one parameter that takes many values: every drug of the graph
REPEATED_DRUG = "osimertinib"     # the repeated URL: the drug with the most arms
SOLUTIONS_JSON = "application/sparql-results+json"
OXIGRAPH = "oxigraph serve-read-only"          # the baseline of the ratios: the same on-disk store as ours
OXIGRAPH_MEMORY = "oxigraph serve (in memory)"  # the release loaded into an in-memory oxigraph server
NO_CACHE = {"LMKG_CACHE_SIZE": "0", "LMKG_FRONT_CACHE_BYTES": "0"}   # every request a miss
# synthetic data multiplies some answers (every brain-metastasis option of every copy): the row cap is a
# deployment setting, raised here so that every canned query answers at every size; and every size is read
# from the on-disk store (small releases are otherwise served from memory), so that the curve shows the
# effect of size, not of a change of store
GROWTH_ENV = {**NO_CACHE, "LMKG_MAX_ROWS": "10000000", "LMKG_MEMORY_STORE_MAX_TRIPLES": "0"}
DRUGS = """PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?drug ?label WHERE { ?drug a lmkg:Drug ; rdfs:label ?label } ORDER BY ?label"""


@dataclass
class Settings:
    out: Path
    cache: Path
    smoke: bool = False
    seconds: float = 10.0           # per load scenario
    connections: int = 8
    sizes: list[int] = field(default_factory=lambda: [100_000, 1_000_000, 10_000_000])
    repeats: int = 20               # in-process and growth timings per query
    anchors: bool = True            # rdflib-endpoint and grlc (own virtual environments)
    parts: tuple[str, ...] = ("inprocess", "build", "http", "growth")


def smoke_settings(out: Path, cache: Path) -> Settings:
    """Seconds, not minutes: every part but the build (which the test session does anyway) runs, at tiny
    sizes and durations, so the harness cannot rot."""
    return Settings(out=out, cache=cache, smoke=True, seconds=2, connections=2, sizes=[80_000, 160_000],
                    repeats=2, parts=("inprocess", "http", "growth"))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- in-process: the floor ------------------------------------------------------------------------------

def inprocess_times(release, repeats: int) -> dict[str, dict[str, float]]:
    """Median ms per canned query (over its declared expectations' parameters), pyoxigraph in-process,
    with the release read from its on-disk store and copied into memory (the service's two modes)."""
    return {"disk": store_times(release, repeats, memory=False), "memory": store_times(release, repeats, memory=True)}


def store_times(release, repeats: int, memory: bool) -> dict[str, float]:
    from service.engine.catalogue import load_catalogue, run_canned
    from service.engine.resolve import name_index
    from service.engine.store import EmbeddedStore
    store = EmbeddedStore(release, memory_max_triples=sum(release.triples.values()) if memory else 0)
    index = name_index(store)
    times = {}
    for query in load_catalogue(QUERIES_DIR).values():
        samples = []
        for expectation in query.expect:
            for _ in range(repeats):
                started = time.perf_counter()
                run_canned(store, index, query, expectation.get("params", {}))
                samples.append((time.perf_counter() - started) * 1000)
        times[query.name] = round(statistics.median(samples), 2)
    store.close()
    return times


def profile_uncached(release, out: Path, requests: int = 60) -> str:
    """Where the time of uncached canned queries goes inside the service (pyinstrument over the Flask app,
    caches off): the benchmark's distinct-drug stream, and the slowest canned query; written to
    profile.txt beside the report."""
    from pyinstrument import Profiler
    from service import create_app
    app = create_app({"DATA_DIR": str(Path(release.folder).parent.parent), "CACHE_SIZE": 0, "FRONT_CACHE_BYTES": 0})
    client = app.test_client()
    slowest = "/queries/treatment-options?" + urllib.parse.urlencode({"alteration": "ALK fusion", "site": "brain"})
    sections = []
    for title, paths, count in ((f"GET /queries/{BENCH_QUERY}, distinct drugs", lmkg_paths(drugs(release)), requests),
                                (f"GET {slowest}", [slowest], requests // 6)):
        for path in paths:
            client.get(path, headers={"Accept": SOLUTIONS_JSON})      # warm: name index, first plans
        profiler = Profiler(interval=0.0005)
        with profiler:
            for n in range(count):
                client.get(paths[n % len(paths)], headers={"Accept": SOLUTIONS_JSON})
        sections.append(f"# {count} uncached {title} (pyinstrument)\n" + profiler.output_text(unicode=True, show_all=False))
    app.extensions["lmkg"].close()
    (out / "profile.txt").write_text("\n".join(sections))
    return str(out / "profile.txt")


# -- build --------------------------------------------------------------------------------------------

def build_profile(workdir: Path) -> dict:
    """Wall time and peak RSS of `lmkg build` of the full graph, in a fresh data folder."""
    started = time.monotonic()
    process = subprocess.Popen([str(Path(sys.executable).parent / "lmkg"), "--data-dir", str(workdir), "build"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise RuntimeError(f"lmkg build failed: {process.stderr.read().decode()[-2000:]}")
    return {"seconds": round(time.monotonic() - started, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024)}


# -- HTTP: us against the others ---------------------------------------------------------------------

@dataclass
class Target:
    name: str
    base_url: str
    repeated: list[str]
    distinct: list[str]
    headers: dict


def bench_query_text() -> str:
    text = (QUERIES_DIR / f"{BENCH_QUERY}.rq").read_text()
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+"))


def drugs(release) -> list[tuple[str, str]]:
    """(IRI, label) of every drug, the repeated one first."""
    store = ox.Store.read_only(str(release.store_path))
    found = [(row["drug"].value, row["label"].value) for row in store.query(DRUGS, use_default_graph_as_union=True)]
    return sorted(found, key=lambda drug: drug[1] != REPEATED_DRUG)


def lmkg_paths(drug_list) -> list[str]:
    return [f"/queries/{BENCH_QUERY}?" + urllib.parse.urlencode({"drug": label}) for _, label in drug_list]


def sparql_paths(endpoint_path: str, drug_list) -> list[str]:
    """The canned query with each drug bound client-side the way our remote mode binds it."""
    from service.engine.query import bind_values
    text = bench_query_text()
    return [f"{endpoint_path}?" + urllib.parse.urlencode({"query": bind_values(text, {"drug": ox.NamedNode(iri)})})
            for iri, _ in drug_list]


def grlc_paths(drug_list) -> list[str]:
    return [f"/api-local/{BENCH_QUERY}?" + urllib.parse.urlencode({"drug": iri}) for iri, _ in drug_list]


def rows_answered(target: Target) -> int | None:
    """Rows of the first request's answer (a check that every target answers the same question)."""
    request = urllib.request.Request(target.base_url + target.repeated[0], headers=target.headers)
    with urllib.request.urlopen(request, timeout=300) as response:
        body = response.read()
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


def answer_status(target: Target) -> str:
    request = urllib.request.Request(target.base_url + target.repeated[0], headers=target.headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return str(response.status)
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.read()[:300]!r}"
    except OSError as error:
        return repr(error)


def measure_target(target: Target, settings: Settings, scenarios=("repeated", "distinct")) -> dict:
    result = {"target": target.name, "rows": rows_answered(target)}
    for scenario in scenarios:
        paths = getattr(target, scenario)
        # warm-up on every connection, so each server worker has built its name index before timing
        run_wrk(target.base_url, paths, target.headers, 2, settings.connections)
        load = run_wrk(target.base_url, paths, target.headers, settings.seconds, settings.connections)
        result[scenario] = asdict(load)
        log(f"{target.name} {scenario}: {load.rps:.0f} req/s p50 {load.p50_ms:.2f} ms "
            f"p99 {load.p99_ms:.2f} ms errors {load.errors}")
        if load.errors:
            log(f"{target.name}: after the load, one request answers {answer_status(target)}")
    return result


def http_comparison(release, settings: Settings, workdir: Path) -> list[dict]:
    data_dir = Path(release.folder).parent.parent
    drug_list = drugs(release)
    ours = lmkg_paths(drug_list)
    results = []
    json_accept = {"Accept": SOLUTIONS_JSON}
    with contextlib.ExitStack() as stack:
        store_url = stack.enter_context(oxigraph_server(workdir / "oxigraph-rw", union_default_graph=True))
        from graph.load import load_release
        load_release(release, f"{store_url}/update", progress=lambda line: None)
        readonly_url = stack.enter_context(oxigraph_server(release.store_path, read_only=True,
                                                           union_default_graph=True))
        oxigraph_paths = sparql_paths("/query", drug_list)
        results.append(measure_target(Target(OXIGRAPH, readonly_url, oxigraph_paths[:1], oxigraph_paths,
                                             json_accept), settings))
        with oxigraph_server(None, union_default_graph=True) as memory_url:
            load_release(release, f"{memory_url}/update", progress=lambda line: None)
            results.append(measure_target(Target(OXIGRAPH_MEMORY, memory_url, oxigraph_paths[:1], oxigraph_paths,
                                                 json_accept), settings))
        with lmkg_server(data_dir) as cached, lmkg_server(data_dir, env=NO_CACHE) as uncached:
            results.append(measure_two("lmkg embedded", cached, uncached, ours, json_accept, settings))
        empty = workdir / "remote-data"
        endpoint = f"{store_url}/query"
        with lmkg_server(empty, endpoint=endpoint) as cached, \
                lmkg_server(empty, endpoint=endpoint, env=NO_CACHE) as uncached:
            results.append(measure_two("lmkg remote → oxigraph serve", cached, uncached, ours, json_accept, settings))
        if settings.anchors:
            # grlc gets a store of its own (the read-only server above), so nothing our remote mode did
            # to the read-write one can count against it
            results += anchor_results(release, settings, workdir, readonly_url, drug_list, json_accept)
    return with_ratios(results)


def measure_two(name: str, cached_url: str, uncached_url: str, paths: list[str], headers: dict,
                settings: Settings) -> dict:
    """Repeated URL against the service as deployed (answer cache on); distinct values with the cache off,
    so that every request is a miss."""
    repeated = measure_target(Target(name, cached_url, paths[:1], paths, headers), settings, ("repeated",))
    distinct = measure_target(Target(name, uncached_url, paths[:1], paths, headers), settings, ("distinct",))
    return {**repeated, "distinct": distinct["distinct"]}


def anchor_results(release, settings, workdir, store_url, drug_list, json_accept) -> list[dict]:
    results = []
    bin_dir = anchors.anchor_venv("rdflib-endpoint", settings.cache, log)
    trig = workdir / "dataset.trig"
    ox.Store.read_only(str(release.store_path)).dump(str(trig), ox.RdfFormat.TRIG)
    with anchors.rdflib_endpoint(bin_dir, trig) as url:
        results.append(measure_target(Target("rdflib-endpoint", url, sparql_paths("/", drug_list)[:1],
                                             sparql_paths("/", drug_list), json_accept), settings))
    bin_dir = anchors.anchor_venv("grlc", settings.cache, log)
    query = anchors.grlc_query((QUERIES_DIR / f"{BENCH_QUERY}.rq").read_text(), "drug")
    with anchors.grlc_server(bin_dir, workdir / "grlc", f"{store_url}/query", {BENCH_QUERY: query}) as url:
        results.append(measure_target(Target("grlc → oxigraph serve", url, grlc_paths(drug_list)[:1],
                                             grlc_paths(drug_list), {"Accept": "application/json"}), settings))
    return results


def with_ratios(results: list[dict]) -> list[dict]:
    """Each target's throughput as a multiple of `oxigraph serve-read-only` over the same on-disk store, and
    of `oxigraph serve` holding the release in memory, measured in the same run."""
    by_name = {r["target"]: r for r in results}
    for result in results:
        for scenario in ("repeated", "distinct"):
            for key, baseline in (("ratio_to_oxigraph", OXIGRAPH), ("ratio_to_oxigraph_memory", OXIGRAPH_MEMORY)):
                result[scenario][key] = round(result[scenario]["rps"] / by_name[baseline][scenario]["rps"], 3)
    return results


# -- growth -----------------------------------------------------------------------------------------

def process_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


class Abandoned(Exception):
    """A canned query did not answer in time: the server may still be running it (a pyoxigraph query
    cannot be stopped), so the next query would queue behind it."""


def canned_latency(base_url: str, query, repeats: int, budget_seconds: float = 20.0,
                   timeout: float = 60.0) -> tuple[float, int] | None:
    """(median ms, answer size) of a canned query over HTTP, with its first declared parameters (answer
    cache off): `repeats` runs, or fewer once it has used its time budget (at least one); None for an
    error. The size (rows, or triples of a graph) shows which queries' answers grow with the data."""
    url = f"{base_url}/queries/{query.name}?" + urllib.parse.urlencode(query.expect[0].get("params", {}))
    samples, size = [], 0
    while len(samples) < repeats and sum(samples) < budget_seconds * 1000:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                body, media_type = response.read(), response.headers.get_content_type()
        except TimeoutError:
            raise Abandoned(f"{query.name}: no answer within {timeout:g} s") from None
        except urllib.error.HTTPError as error:
            log(f"{query.name}: {error.code} {error.read()[:300]!r}")
            return None
        samples.append((time.perf_counter() - started) * 1000)
        size = answer_size(body, media_type)
    return round(statistics.median(samples), 2), size


def answer_size(body: bytes, media_type: str) -> int:
    if media_type == "application/sparql-results+json":
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.from_media_type(media_type)))


WARM_UP = "/queries/therapies-for-site?site=brain"   # a cheap canned query: builds the name index


def growth_latencies(folder: Path, repeats: int) -> tuple[dict, dict, dict]:
    """Median ms and answer size per canned query (None: no answer within the time limit) and the server's figures
    (start-up seconds, first request seconds, worker RSS). After a query that did not answer, the
    server is restarted, so that the next query is not measured queued behind the abandoned one."""
    from service.engine.catalogue import load_catalogue
    latencies, sizes, figures = {}, {}, {}
    queries = list(load_catalogue(QUERIES_DIR).values())
    while len(latencies) < len(queries):
        started = time.monotonic()
        with lmkg_server(folder, workers=1, env=GROWTH_ENV) as url:
            startup = round(time.monotonic() - started, 2)
            first = time.monotonic()
            with urllib.request.urlopen(url + WARM_UP, timeout=3600) as response:
                response.read()
            figures.setdefault("startup_seconds", startup)
            figures.setdefault("first_request_seconds", round(time.monotonic() - first, 2))
            for query in queries[len(latencies):]:
                try:
                    latencies[query.name], sizes[query.name] = canned_latency(url, query, repeats) or (None, None)
                except Abandoned as abandoned:
                    log(str(abandoned))
                    latencies[query.name] = sizes[query.name] = None
                    break
            figures["worker_rss_mb"] = max(figures.get("worker_rss_mb", 0),
                                           round(sum(process_rss_mb(pid) for pid in children(url.process.pid)), 1))
    return latencies, sizes, figures


def growth(release, settings: Settings, workdir: Path) -> list[dict]:
    rows = []
    for size in settings.sizes:
        folder = workdir / f"synthetic-{size}"
        synthetic, load_seconds, derive_seconds = synthetic_release(release, size, folder)
        triples = sum(synthetic.triples.values())
        log(f"synthetic {triples} triples written in {load_seconds} s (derived graph {derive_seconds} s)")
        latencies, sizes, figures = growth_latencies(folder, settings.repeats)
        rss = figures["worker_rss_mb"]
        rows.append({"triples": triples, "load_seconds": load_seconds, "derive_seconds": derive_seconds, **figures,
                     "bytes_per_triple": round(rss * 1024 * 1024 / triples), "latency_ms": latencies, "answer_rows": sizes})
        answered = [ms for ms in latencies.values() if ms is not None]
        log(f"{triples} triples: start {figures['startup_seconds']} s, RSS {rss:.0f} MB, "
            f"{len(answered)} of {len(latencies)} answered, median {statistics.median(answered or [0]):.1f} ms")
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    return rows


MEASURED_PARTS = ("inprocess_ms", "build", "http", "growth")


def merge_previous(path: Path, results: dict) -> dict:
    """A run of some parts keeps the other parts of the previous run in the same folder (same release),
    each with the date it was measured."""
    if not path.exists():
        return results
    previous = json.loads(path.read_text())
    if previous.get("release") != results["release"]:
        return results
    dates = {part: previous["date"] for part in MEASURED_PARTS if part in previous}
    dates.update(previous.get("parts_dates", {}))
    dates.update({part: results["date"] for part in MEASURED_PARTS if part in results})
    return {**previous, **results, "parts_dates": dates}


# -- the run --------------------------------------------------------------------------------------------

def run(settings: Settings, release=None) -> dict:
    """Measure everything on `release` (default: the latest, built if there is none)."""
    from service.engine.store import ensure_release
    release = release or ensure_release()
    settings.out.mkdir(parents=True, exist_ok=True)
    results = {"date": time.strftime("%Y-%m-%d %H:%M"), "release": release.id, "smoke": settings.smoke,
               "triples": sum(release.triples.values()), "settings": {k: str(v) for k, v in asdict(settings).items()},
               "cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="lmkg-bench-") as tmp:
        workdir = Path(tmp)
        if "inprocess" in settings.parts:
            log("in-process query times")
            results["inprocess_ms"] = inprocess_times(release, settings.repeats)
            log(f"profile of uncached canned queries: {profile_uncached(release, settings.out)}")
        if "build" in settings.parts:
            log("lmkg build")
            results["build"] = build_profile(workdir / "build")
        if "http" in settings.parts:
            log("HTTP throughput and latency")
            results["http"] = http_comparison(release, settings, workdir)
        if "growth" in settings.parts:
            log("growth on synthetic data")
            results["growth"] = growth(release, settings, workdir)
    results = merge_previous(settings.out / "results.json", results)
    (settings.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    report.write(results, settings.out)
    log(f"wrote {settings.out}/report.md, results.json and growth.png")
    return results

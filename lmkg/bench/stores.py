"""Remote mode on each store: `python -m lmkg.bench.stores [--data-dir DIR] [--repeat N]` loads the latest
release into Oxigraph server (SPARQL Update) and Virtuoso (Graph Store Protocol), then times every canned
query's declared examples through the service (Flask in-process, caches off) over each store and over the
embedded one: the load time, and the median of N runs per query, in ms. A table for the README."""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from graph.load import load_release
from lmkg.bench.servers import oxigraph_server, virtuoso_server
from lmkg.paths import QUERIES_DIR, data_dir as default_data_dir
from service import create_app
from service.engine.catalogue import load_catalogue
from service.engine.store import ensure_release

SETTINGS = {"TESTING": True, "CACHE_SIZE": 0, "FRONT_CACHE_BYTES": 0, "RATE_LIMIT": "off"}


def latencies(client, repeat: int) -> dict[str, float]:
    """Median ms per canned query over its declared examples (each run `repeat` times, after one warm-up)."""
    medians = {}
    for query in load_catalogue(QUERIES_DIR).values():
        runs = []
        for expectation in query.expect:
            url = f"/queries/{query.name}"
            params, accept = expectation.get("params", {}), {"Accept": "application/sparql-results+json"}
            if query.form == "CONSTRUCT":
                accept = {"Accept": "application/n-triples"}
            if client.get(url, query_string=params, headers=accept).status_code != 200:   # warm-up
                runs = [float("nan")]   # not answered (the store refused it or timed out): not timed again
                break
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url, query_string=params, headers=accept)
                runs.append((time.perf_counter() - started) * 1000)
        medians[query.name] = statistics.median(runs)
    return medians


def measure(folder: Path, repeat: int) -> tuple[dict, dict]:
    release = ensure_release(folder)
    loads, columns = {}, {"embedded": latencies(create_app({**SETTINGS, "DATA_DIR": str(folder)}).test_client(), repeat)}
    with tempfile.TemporaryDirectory() as scratch:
        stores = {"oxigraph serve": (oxigraph_server(Path(scratch) / "oxigraph"), "/update", "/query", {}),
                  "virtuoso 7": (virtuoso_server(Path(scratch) / "virtuoso"), None, "/sparql",
                                 {"graph_store": "/sparql-graph-crud-auth", "credentials": ("dba", "dba")})}
        for name, (server, update, query, options) in stores.items():
            with server as base:
                if "graph_store" in options:
                    options = {**options, "graph_store": base + options["graph_store"]}
                report = load_release(release, base + update if update else None, progress=lambda line: None, **options)
                loads[name] = report
                app = create_app({**SETTINGS, "DATA_DIR": str(folder), "SPARQL_ENDPOINT": base + query})
                columns[name] = latencies(app.test_client(), repeat)
    return loads, columns


def table(loads: dict, columns: dict) -> str:
    lines = ["| store | load s (requests) |", "|---|---:|"]
    lines += [f"| {name} | {report.seconds} ({report.requests}) |" for name, report in loads.items()]
    names = list(columns)
    lines += ["", "| canned query (median ms) | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for query in columns["embedded"]:
        lines.append(f"| {query} | " + " | ".join(f"{columns[n][query]:.1f}" for n in names) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(table(*measure(args.data_dir or default_data_dir(), args.repeat)))


if __name__ == "__main__":
    main()

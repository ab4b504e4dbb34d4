"""The tools we are compared with that cannot share our environment (their pins differ from ours):
rdflib-endpoint and grlc, each installed from PyPI into a virtual environment of its own under the bench
cache, and started on loopback."""
import subprocess
import sys
from pathlib import Path

from lmkg.bench.servers import free_port, serving
from service.engine.sparql_text import where_group_start

ANCHORS = {
    "rdflib-endpoint": ["rdflib-endpoint[cli]==0.6.3"],
    "grlc": ["grlc==1.3.11", "gunicorn>=22"],
}


def anchor_venv(name: str, cache: Path, log=print) -> Path:
    """The bin/ folder of the anchor's own virtual environment, created on first use."""
    venv = cache.resolve() / "venvs" / name
    marker = venv / ".installed"
    if not marker.exists():
        log(f"installing {name} into {venv} ...")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *ANCHORS[name]], check=True)
        marker.write_text(" ".join(ANCHORS[name]))
    return venv / "bin"


def rdflib_endpoint(bin_dir: Path, dataset_file: Path):
    """`rdflib-endpoint serve` over a TriG file (its default in-memory rdflib store, union default graph);
    its SPARQL endpoint is the root path."""
    port = free_port()
    command = [str(bin_dir / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
               str(dataset_file)]
    return serving(command, port, "/?query=ASK%7B%7D", startup_timeout=300)


def grlc_query(text: str, parameter: str) -> str:
    """Our canned query in grlc's form: grlc substitutes `?_<name>_iri` with the value's text, so the value
    enters through a BIND placed first in the WHERE group (our header is left out; grlc reads its own)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    position = where_group_start(body)
    return f"{body[:position]} BIND(?_{parameter}_iri AS ?{parameter}) {body[position:]}"


def grlc_server(bin_dir: Path, workdir: Path, endpoint: str, queries: dict[str, str], workers: int = 2,
                threads: int = 1):
    """grlc under gunicorn serving local .rq files (`/api-local/<name>`) over `endpoint`. One thread per
    worker: with more, concurrent requests fail inside rdflib's SPARQL parser (400 "Param.postParse2()
    missing 1 required positional argument: 'tokenList'"), so every answer under load was an error."""
    port = free_port()
    folder = workdir / "grlc-queries"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in queries.items():
        (folder / f"{name}.rq").write_text(text)
    (workdir / "config.ini").write_text(
        f"[defaults]\nsparql_endpoint = {endpoint}\nserver_name = 127.0.0.1:{port}\ndebug = False\n"
        f"[local]\nlocal_sparql_dir = {folder}/\n")
    command = [str(bin_dir / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "grlc.server:app"]
    return serving(command, port, "/api-local/", cwd=str(workdir))

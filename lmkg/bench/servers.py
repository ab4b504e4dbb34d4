"""Servers on loopback for the integration tests and the benchmark: each a context manager that starts a
process, waits until its URL answers, yields the base URL and stops the process (and its children)."""
import contextlib
import os
import shutil
import signal
import string
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT = 120.0
VIRTUOSO_INI = Path(__file__).with_name("virtuoso.ini")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def venv_command(name: str) -> str:
    """A console script of this interpreter's environment (oxigraph, lmkg...)."""
    script = Path(sys.executable).parent / name
    if not script.exists():
        raise FileNotFoundError(f"{script} is not installed (run `make install`)")
    return str(script)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 400
    except urllib.error.HTTPError:
        return False
    except OSError:
        return False


@contextlib.contextmanager
def running(command: list[str], ready_url, env: dict | None = None, cwd: str | None = None,
            startup_timeout: float = STARTUP_TIMEOUT):
    """Run `command` until the block ends; yields the process once `ready_url` answers 2xx/3xx (or, for a
    server that speaks no HTTP, once the callable `ready_url` returns true)."""
    ready = ready_url if callable(ready_url) else lambda: answers(ready_url)
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
        try:
            deadline = time.monotonic() + startup_timeout
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"`{' '.join(command)}` did not start (exit {process.poll()}):\n"
                                       + log.read()[-4000:])
                time.sleep(0.1)
            yield process
        finally:
            stop_group(process)


def stop_group(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM to the process group (server and its workers), SIGKILL if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


class Server(str):
    """A running server's base URL (a str), with its process."""
    process: subprocess.Popen


@contextlib.contextmanager
def serving(command: list[str], port: int, ready_path: str, **options):
    base = Server(f"http://127.0.0.1:{port}")
    with running(command, base + ready_path, **options) as process:
        base.process = process
        yield base


def oxigraph_server(location: Path | None, read_only: bool = False, union_default_graph: bool = False,
                    port: int | None = None):
    """`oxigraph serve` (or `serve-read-only`) from PyPI's oxigraph package; its SPARQL endpoints are
    /query and /update of the base URL."""
    port = port or free_port()
    command = [venv_command("oxigraph"), "serve-read-only" if read_only else "serve", "--bind", f"127.0.0.1:{port}"]
    if location:
        command += ["--location", str(location)]
    if union_default_graph:
        command.append("--union-default-graph")
    return serving(command, port, "/query?query=ASK%7B%7D")


def virtuoso_server(directory: Path, port: int | None = None):
    """Virtuoso 7 (Debian's `virtuoso-opensource`) with a database of its own in `directory` (created on
    first start, about 15 s), from the repo's virtuoso.ini; its SPARQL endpoint is /sparql, its Graph Store
    Protocol endpoint /sparql-graph-crud-auth (user dba, password dba in a fresh database)."""
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    settings = string.Template(VIRTUOSO_INI.read_text()).substitute(
        directory=directory, sql_port=free_port(), http_port=port)
    (directory / "virtuoso.ini").write_text(settings)
    command = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", str(directory / "virtuoso.ini")]
    return serving(command, port, "/sparql?query=ASK%7B%7D", cwd=str(directory))


def lmkg_server(data_dir: Path, endpoint: str | None = None, workers: int = 2, threads: int = 2,
                env: dict | None = None, startup_timeout: float = STARTUP_TIMEOUT):
    """`lmkg serve` (granian, as in production: see the README) over the embedded store of `data_dir` or
    (with `endpoint`) a remote one."""
    port = free_port()
    env = {"LMKG_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **(env or {})}
    command = [venv_command("lmkg"), "--data-dir", str(data_dir), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    if endpoint:
        command += ["--endpoint", endpoint]
    return serving(command, port, "/health", env=env, startup_timeout=startup_timeout)

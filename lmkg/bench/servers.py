"""Servers on loopback for the integration tests and the benchmark: each a context manager that starts a
process, waits until its URL answers, yields the base URL and stops the process (and its children)."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

STARTUP_TIMEOUT = 120.0


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
def running(command: list[str], ready_url: str, env: dict | None = None, cwd: str | None = None,
            startup_timeout: float = STARTUP_TIMEOUT):
    """Run `command` until the block ends; yields the process once `ready_url` answers 2xx/3xx."""
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})}, cwd=cwd, start_new_session=True)
        try:
            deadline = time.monotonic() + startup_timeout
            while not answers(ready_url):
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

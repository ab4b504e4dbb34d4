"""A live LungMet KG service for tests that speak real HTTP: `lmkg --data-dir DATA serve` in a subprocess.

    from tests.live import live_server  # noqa: F401   (the session fixture; yields the base URL)

or, outside pytest:

    with running_service(data_dir) as base_url:
        ...

Plus a small raw HTTP client (`http_request`) built on http.client, so that a test controls exactly
which headers are sent (urllib adds a form Content-Type to every POST body, which the protocol tests
must be able to leave out).
"""
import contextlib
import http.client
import json
import os
import signal
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lmkg.bench.servers import lmkg_server

STARTUP_TIMEOUT = 60.0   # seconds until /health must answer 200
STOP_TIMEOUT = 10.0      # seconds to wait for a clean exit before escalating
REQUEST_TIMEOUT = 60.0   # seconds for one HTTP exchange with the live server


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL to the whole server at once: the server, its workers and their query workers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def running_server(data_dir: Path | str, workers: int = 2, threads: int = 2, env: dict | None = None,
                   startup_timeout: float = STARTUP_TIMEOUT):
    """`lmkg serve` over the latest release of `data_dir` on a free port (lmkg.bench.servers), with a
    handle that can SIGKILL it."""
    with lmkg_server(Path(data_dir), workers=workers, threads=threads, env=env,
                     startup_timeout=startup_timeout) as server:
        yield LiveServer(str(server), server.process)


@contextlib.contextmanager
def running_service(data_dir: Path | str, startup_timeout: float = STARTUP_TIMEOUT):
    """The base URL (no trailing slash) of `lmkg serve` over the latest release of `data_dir`."""
    with running_server(data_dir, startup_timeout=startup_timeout) as server:
        yield server.url


@pytest.fixture(scope="session")
def live_server(release):
    """Base URL of `lmkg serve` running over the session's release (see tests/conftest.py)."""
    data_dir = Path(release.folder).parent.parent
    with running_service(data_dir) as base_url:
        yield base_url


# -- raw HTTP -----------------------------------------------------------------------------------------

@dataclass(repr=False)
class Reply:
    """One HTTP exchange, kept whole so that a failing assertion can show the request and the response."""
    method: str
    url: str
    request_headers: dict
    request_body: bytes | None
    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes
    notes: list = field(default_factory=list)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")

    @property
    def mimetype(self) -> str | None:
        """The media type of the answer without parameters, lower-cased."""
        value = self.content_type
        return value.split(";", 1)[0].strip().lower() if value else None

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        return self.body.decode("utf-8")

    def __str__(self) -> str:
        sent = "\n".join(f"    {k}: {v}" for k, v in self.request_headers.items())
        got = "\n".join(f"    {k}: {v}" for k, v in self.headers.items())
        body = self.request_body if self.request_body is None else self.request_body[:2000]
        return (f"\n--- request ---\n{self.method} {self.url}\n{sent}\n    body: {body!r}"
                f"\n--- response ---\n{self.status} {self.reason}\n{got}\n    body: {self.body[:2000]!r}\n")

    __repr__ = __str__


def http_request(base_url: str, method: str, path: str, body: bytes | str | None = None,
                 headers: dict | None = None, timeout: float = REQUEST_TIMEOUT, source: str | None = None) -> Reply:
    """Send exactly this request (http.client adds only Host, Accept-Encoding and Content-Length), from the
    local address `source` if given (any of 127.0.0.0/8: a client of its own to the server's limits)."""
    parts = urllib.parse.urlsplit(base_url)
    headers = dict(headers or {})
    if isinstance(body, str):
        body = body.encode("utf-8")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        try:
            connection.request(method, path, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass   # the server answered before reading the whole body (a 413) and closed: read its answer
        response = connection.getresponse()
        data = response.read()
        return Reply(method, base_url + path, headers, body, response.status, response.reason,
                     response.headers, data)
    finally:
        connection.close()

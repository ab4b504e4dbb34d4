"""Whole answers of release-bound pages kept in front of Flask: a repeated request for a canned query or
an entity page is answered from memory without routing, negotiation or parameter resolution.

The key is (release id, path, query string, Accept), so a new release invalidates by construction and
every representation is kept apart. Only plain GETs of the listed path prefixes are kept, and only 200
answers that carry the release header; conditional requests, credentials and cookies go to the app.
"""
import threading
from collections import OrderedDict

CACHED_PREFIXES = ("/queries/", "/id/", "/charts/")
BYPASS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_AUTHORIZATION", "HTTP_COOKIE")


class FrontCache:
    """WSGI middleware; `current_release()` names the release being served (raises if it cannot)."""

    def __init__(self, app, current_release, max_bytes: int):
        self.app, self.current_release, self.max_bytes = app, current_release, max_bytes
        self.entries: OrderedDict = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        key = self.key(environ)
        if key is None:
            return self.app(environ, start_response)
        with self.lock:
            hit = self.entries.get(key)
            if hit:
                self.entries.move_to_end(key)
        if hit:
            status, headers, body = hit
            start_response(status, headers + [("X-LMKG-Cache", "hit")])
            return [body]
        return self.fill(key, environ, start_response)

    def key(self, environ):
        if environ.get("REQUEST_METHOD") != "GET" or any(environ.get(h) for h in BYPASS):
            return None
        path = environ.get("PATH_INFO", "")
        if not path.startswith(CACHED_PREFIXES):
            return None
        try:
            release = self.current_release()
        except Exception:  # the app answers (e.g. 503 when a remote store is down)
            return None
        return release, path, environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", "")

    def fill(self, key, environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen.update(status=status, headers=list(headers))
            return start_response(status, headers, exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        if self.keepable(seen, body):
            self.put(key, (seen["status"], seen["headers"], body))
        return [body]

    def keepable(self, seen: dict, body: bytes) -> bool:
        names = {name.lower() for name, _ in seen.get("headers", [])}
        return (seen.get("status", "").startswith("200 ") and "x-lmkg-release" in names
                and "set-cookie" not in names and len(body) <= self.max_bytes // 16)

    def put(self, key, entry) -> None:
        size = len(entry[2])
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, _, old) = self.entries.popitem(last=False)
                self.bytes -= len(old)

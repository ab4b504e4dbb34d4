"""Whole answers of release-bound pages kept in front of Flask: a repeated request for a canned query, an
entity page, a chart, the VoID description or a release diff is answered from memory without routing,
negotiation or parameter resolution.

The key is (release id, path, query string, Accept), so a new release invalidates by construction and
every representation is kept apart; entity pages and charts read no parameter but `release`, so other
parameters do not make new entries. Pages name no host of the client's choosing (the app answers under
PUBLIC_BASE_URL, service/api/public_url.py), so one client's Host cannot reach another's page. Only GETs of
the listed path prefixes are kept (a HEAD is answered from a kept GET), only 200 answers that carry the
release header, and only under MAX_KEY_BYTES of key; conditional requests, credentials and cookies go to
the app. The budget counts everything kept: keys, headers and bodies.
"""
import threading
from collections import OrderedDict

CACHED_PREFIXES = ("/queries/", "/id/", "/charts/", "/.well-known/void", "/releases/")
RELEASE_ONLY = ("/id/", "/charts/")   # these read no parameter but `release`
MAX_KEY_BYTES = 8_192                 # longer paths, query strings and Accept headers are not kept
ENTRY_OVERHEAD = 400                  # bytes of Python objects around each entry, roughly
BYPASS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_AUTHORIZATION", "HTTP_COOKIE")


class FrontCache:
    """WSGI middleware; `current_release()` names the release being served (raises if it cannot)."""

    def __init__(self, app, current_release, max_bytes: int, max_accept: int):
        self.app, self.current_release, self.max_bytes, self.max_accept = app, current_release, max_bytes, max_accept
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
            status, headers, body, _ = hit
            start_response(status, headers + [("X-LMKG-Cache", "hit")])
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        if environ["REQUEST_METHOD"] == "HEAD":   # kept from a GET only: a HEAD answer has no body to keep
            return self.app(environ, start_response)
        return self.fill(key, environ, start_response)

    def key(self, environ):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or any(environ.get(h) for h in BYPASS):
            return None
        path, accept = environ.get("PATH_INFO", ""), environ.get("HTTP_ACCEPT", "")
        query = parameters(path, environ.get("QUERY_STRING", ""))
        if not path.startswith(CACHED_PREFIXES) or len(accept) > self.max_accept \
                or len(path) + len(query) + len(accept) > MAX_KEY_BYTES:
            return None   # an Accept over the limit is the app's 431
        try:
            release = self.current_release()
        except Exception:  # the app answers (e.g. 503 when a remote store is down)
            return None
        return release, path, query, accept

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
            size = ENTRY_OVERHEAD + sum(map(len, key)) + len(body) + sum(len(n) + len(v) for n, v in seen["headers"])
            self.put(key, (seen["status"], seen["headers"], body, size))
        return [body]

    def keepable(self, seen: dict, body: bytes) -> bool:
        names = {name.lower() for name, _ in seen.get("headers", [])}
        return (seen.get("status", "").startswith("200 ") and "x-lmkg-release" in names
                and "set-cookie" not in names and len(body) <= self.max_bytes // 16)

    def put(self, key, entry) -> None:
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.bytes += entry[3]
            while self.bytes > self.max_bytes:
                _, (_, _, _, size) = self.entries.popitem(last=False)
                self.bytes -= size


def parameters(path: str, query: str) -> str:
    """The part of the query string the answer depends on."""
    if path.startswith(RELEASE_ONLY):
        return "&".join(part for part in query.split("&") if part.startswith("release="))
    return query

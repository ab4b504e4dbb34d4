"""gzip for text answers, negotiated by Accept-Encoding: pages, scripts (the editor's is 1 MB), CSV, JSON,
RDF. A WSGI middleware outside the front cache (service/api/front_cache.py), so that the cache keeps one
plain copy whatever the client accepts, and a client that does not accept gzip never gets it.

Only bodies of known length are compressed: a streamed answer (a large SPARQL result) stays streamed.
A compressed body gets a weak ETag (W/"…"), as it is no longer byte-identical to the plain one.
"""
import gzip

MIN_BYTES = 1024                   # smaller bodies gain less than the header costs
MAX_BYTES = 32 * 1024 * 1024       # larger ones are not held in memory to compress
LEVEL = 6
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/sparql-results",
              "application/ld+json", "application/n-triples", "application/n-quads", "application/trig",
              "application/rdf+xml", "application/xml", "application/problem+json", "image/svg+xml",
              "application/sparql-query", "application/vnd.oai.openapi")


class Gzip:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", "").lower() or environ["REQUEST_METHOD"] == "HEAD":
            return self.app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None   # the legacy write() callable: unused by Flask

        body = self.app(environ, capture)
        headers = dict((k.lower(), v) for k, v in captured["headers"])
        if not compressible(captured["status"], headers):
            start_response(captured["status"], captured["headers"], captured["exc_info"])
            return body
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        packed = gzip.compress(data, LEVEL, mtime=0)
        start_response(captured["status"], rewrite(captured["headers"], len(packed)), captured["exc_info"])
        return [packed]


def compressible(status: str, headers: dict) -> bool:
    length = headers.get("content-length")
    return (status.startswith("200") and length is not None and MIN_BYTES <= int(length) <= MAX_BYTES
            and "content-encoding" not in headers
            and headers.get("content-type", "").startswith(TEXT_TYPES))


def rewrite(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    kept = []
    vary = "Accept-Encoding"
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            continue
        if lower == "vary":
            vary = f"{value}, Accept-Encoding"
            continue
        if lower == "etag" and not value.startswith("W/"):
            value = "W/" + value
        kept.append((name, value))
    return kept + [("Content-Encoding", "gzip"), ("Content-Length", str(length)), ("Vary", vary)]

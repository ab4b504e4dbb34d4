"""Headers every answer carries: the release id (header and ETag), caching, CORS for reads without
credentials, and security headers; conditional GETs answered 304."""
import hashlib

from flask import Flask, request

from service.api.problems import Problem

RELEASE_HEADER = "X-LMKG-Release"
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def answer_headers(response, release_id: str, cacheable: bool = True) -> None:
    """Release id, ETag and Cache-Control of a data answer (same URL + release + format = same ETag)."""
    response.headers[RELEASE_HEADER] = release_id
    if not cacheable:
        response.headers["Cache-Control"] = "no-store"
        return
    tag = hashlib.sha256(f"{release_id} {request.full_path} {response.mimetype}".encode()).hexdigest()[:24]
    response.set_etag(f"{release_id}-{tag}")
    pinned = "release" in request.args
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if pinned else "public, max-age=300"
    response.vary.update(["Accept"])
    response.make_conditional(request)


def register(app: Flask) -> None:
    @app.before_request
    def bounded_headers():
        # parsing a very long Accept costs seconds of CPU (and would make a front-cache key)
        if len(request.headers.get("Accept", "")) > app.config["MAX_ACCEPT_LENGTH"]:
            raise Problem(431, "Request header too large",
                          f"an Accept header may have at most {app.config['MAX_ACCEPT_LENGTH']} characters",
                          slug="header-too-large")

    @app.after_request
    def common_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = f"{RELEASE_HEADER}, ETag, X-LMKG-Query, Link"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match"
            response.headers["Access-Control-Max-Age"] = "86400"
        # pages get the page policy; data and problems a policy that lets nothing run if a browser
        # renders them anyway
        policy = app.config["CONTENT_SECURITY_POLICY"] if response.mimetype == "text/html" else DATA_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

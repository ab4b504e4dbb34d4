"""Per-client limits on the endpoints that run untrusted queries, `/sparql` and `/saved`: a coarse cap on
requests (flask-limiter), one allowance per client shared by all requests to both, and the query-time
budget and concurrency cap of service/api/query_budget.py on the queries they run.

RATE_LIMIT          e.g. "600/minute", or several: "600/minute;10000/hour"; "off" (or empty) switches every
                    per-client limit off (the query-time budget and concurrency cap too)
RATE_LIMIT_STORAGE  where counts are kept: "memory://" (each service process counts alone) or a shared
                    store such as "redis://host:6379" so that all service workers count together
TRUSTED_PROXIES     how many reverse proxies in front of the service append to X-Forwarded-For; 0 means
                    the peer address is the client (a client could otherwise choose its own address)

A client over its limit gets 429 with a problem document and Retry-After (see problems.py).
"""
from flask import Flask, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

OFF = {"", "off", "none", "false", "0", "no"}
LIMITED_METHODS = ["GET", "HEAD", "POST"]   # not OPTIONS: a CORS preflight is not a query


def enabled(rate) -> bool:
    return bool(rate) and str(rate).strip().lower() not in OFF


def remember_retry_after(response):
    if "Retry-After" in response.headers:
        g.lmkg_retry_after = response.headers["Retry-After"]
    return response


def restore_retry_after(response):
    """flask-limiter sets Retry-After on every answer of a limited route to the end of its window: a 429 of
    the query budget that said 1 s, or a busy 503 that said 2 s, would say up to 60. The service's own is kept."""
    own = g.pop("lmkg_retry_after", None)
    if own is not None:
        response.headers["Retry-After"] = own
    return response


def register(app: Flask, blueprints) -> Limiter | None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    rate = app.config.get("RATE_LIMIT")
    if not enabled(rate):
        return None
    from service.api import query_budget
    app.extensions["lmkg-budget"] = query_budget.configured(app.config)
    app.after_request(restore_retry_after)   # after-request functions run last-registered first: after the limiter's
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATE_LIMIT_STORAGE"],
                      headers_enabled=True, key_prefix="lmkg")
    app.after_request(remember_retry_after)   # before the limiter's
    shared = limiter.shared_limit(str(rate), scope="untrusted-queries", methods=LIMITED_METHODS)
    for blueprint in blueprints:  # one allowance per client across all of them
        shared(blueprint)
    return limiter

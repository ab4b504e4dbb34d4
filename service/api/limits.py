"""Per-client rate limits on the endpoints that run untrusted queries, `/sparql` and `/saved` (flask-limiter):
one allowance per client, shared by all requests to both.

RATE_LIMIT          e.g. "60/minute", or several: "60/minute;1000/hour"; "off" (or empty) switches limits off
RATE_LIMIT_STORAGE  where counts are kept: "memory://" (each service process counts alone) or a shared
                    store such as "redis://host:6379" so that all service workers count together
TRUSTED_PROXIES     how many reverse proxies in front of the service append to X-Forwarded-For; 0 means
                    the peer address is the client (a client could otherwise choose its own address)

A client over its limit gets 429 with a problem document and Retry-After (see problems.py).
"""
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

OFF = {"", "off", "none", "false", "0", "no"}
LIMITED_METHODS = ["GET", "HEAD", "POST"]   # not OPTIONS: a CORS preflight is not a query


def enabled(rate) -> bool:
    return bool(rate) and str(rate).strip().lower() not in OFF


def register(app: Flask, blueprints) -> Limiter | None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    rate = app.config.get("RATE_LIMIT")
    if not enabled(rate):
        return None
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATE_LIMIT_STORAGE"],
                      headers_enabled=True, key_prefix="lmkg")
    shared = limiter.shared_limit(str(rate), scope="untrusted-queries", methods=LIMITED_METHODS)
    for blueprint in blueprints:  # one allowance per client across all of them
        shared(blueprint)
    return limiter

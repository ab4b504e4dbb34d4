"""The Flask service over the built graph: `create_app()` and its blueprints."""
import atexit
import os

from flask import Flask, jsonify

from lmkg.paths import QUERIES_DIR, data_dir

DEFAULTS = {
    "QUERIES_DIR": str(QUERIES_DIR),
    "QUERY_TIMEOUT": 10.0,          # seconds before an ad-hoc query is stopped (503)
    "MAX_ROWS": 10_000,             # rows or triples before a result is refused (422)
    "MAX_QUERY_LENGTH": 100_000,    # characters of SPARQL text accepted (413 beyond)
    "MAX_CONTENT_LENGTH": 1_000_000,  # bytes of request body (413 beyond)
    "MAX_ACCEPT_LENGTH": 4_096,     # characters of Accept header (431 beyond)
    "PUBLIC_BASE_URL": "http://localhost",  # scheme://host[:port] every link and redirect names (never the Host header)
    "ISOLATED_WORKERS": 1,          # worker processes for ad-hoc queries and save checks, per service process:
                                    # the untrusted queries in flight; keep it below the web threads
    "QUERY_QUEUE_WAIT": 0.5,        # seconds a request waits for a busy query worker before its 503
    "MAX_WORKER_MEMORY": 1_000_000_000,  # bytes a query may add to an idle worker's address space (0: no cap); 422 beyond
    "MEMORY_STORE_MAX_TRIPLES": 500_000,  # releases up to this size are served from memory (see store.py)
    "CACHE_SIZE": 4096,             # canned-query answers kept in memory
    "FRONT_CACHE_BYTES": 64_000_000,  # whole answers of canned queries and pages kept before routing (0: off)
    "FEDERATION_ENDPOINTS": [],     # SERVICE endpoints queries may call (URL prefixes); none by default
    "SAVED_CLIENT_BYTES": 1_000_000,  # bytes of new saved queries per client per day (429 beyond)
    "SAVED_TOTAL_BYTES": 200_000_000,  # bytes of saved queries in all (507 beyond)
    "SAVED_WRITE_TOKEN": None,      # when set, POST /saved needs "Authorization: Bearer <token>"
    "RATE_LIMIT": "600/minute",     # requests per client on /sparql and /saved, a coarse cap against abuse
                                    # ("off" switches every per-client limit off); see service/api/limits.py
    "RATE_LIMIT_STORAGE": "memory://",  # or redis://…: request counts and query budgets shared by instances
    "QUERY_TIME_BUDGET": 60.0,      # seconds of query time per client per minute (0: none); service/api/query_budget.py
    "QUERY_CONCURRENCY": 5,         # ad-hoc queries per client running at once (0: no cap)
    "SAVED_DATABASE_URL": None,     # postgresql://… keeps saved queries there (default: saved.sqlite3 in DATA_DIR)
    "TRUSTED_PROXIES": 0,           # reverse proxies whose X-Forwarded-For names the client
    "SPARQL_ENDPOINT": None,        # remote mode: a SPARQL 1.1 query endpoint holding a loaded release
    "REMOTE_TIMEOUT": 30.0,         # seconds to wait for the remote store on trusted (canned, page) queries
    "REMOTE_RELEASE_TTL": 10.0,     # seconds before remote mode asks the store again which release it holds
    "CONTENT_SECURITY_POLICY": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'none'",
}


def create_app(test_config: dict | None = None) -> Flask:
    # the pages own the templates and static files; their URLs stay /static/…
    app = Flask(__name__, template_folder="pages/templates", static_folder="pages/static", static_url_path="/static")
    app.config.from_mapping(DEFAULTS, DATA_DIR=str(data_dir()))
    app.config.from_prefixed_env("LMKG")
    read_as_text(app, "SAVED_WRITE_TOKEN")
    if test_config:
        app.config.from_mapping(test_config)

    from service.api import diffs, downloads, explain, http, limits, openapi, problems, saved, sparql
    from service.api import queries as queries_api
    from service.pages import editor, views as pages
    from service.engine.runtime import Runtime
    runtime = Runtime(app.config)
    app.extensions["lmkg"] = runtime
    atexit.register(runtime.close)

    problems.register(app)
    http.register(app)
    limits.register(app, (sparql.bp, saved.bp))
    for blueprint in (sparql.bp, queries_api.bp, saved.bp, openapi.bp, explain.bp, pages.bp, editor.bp, downloads.bp,
                      diffs.bp):
        app.register_blueprint(blueprint)

    if app.config["FRONT_CACHE_BYTES"]:
        from service.api.front_cache import FrontCache
        app.wsgi_app = FrontCache(app.wsgi_app, lambda: runtime.current.id, app.config["FRONT_CACHE_BYTES"],
                                  app.config["MAX_ACCEPT_LENGTH"])
    from service.api.compression import Gzip
    app.wsgi_app = Gzip(app.wsgi_app)   # outside the front cache: it keeps one plain copy
    from service.api.public_url import PublicUrl
    app.wsgi_app = PublicUrl(app.wsgi_app, app.config["PUBLIC_BASE_URL"])   # outermost: every layer sees one host

    @app.get("/health")
    def health():
        return jsonify(status="ok", release=runtime.current.id, pid=os.getpid())

    return app


def read_as_text(app: Flask, name: str) -> None:
    """from_prefixed_env reads values as JSON: a token `5e1234` would become a float equal to `inf`, and
    `0`, `false` or `null` would switch the check off. A secret is text, whatever it looks like."""
    value = os.environ.get(f"LMKG_{name}")
    if value is not None:
        app.config[name] = value

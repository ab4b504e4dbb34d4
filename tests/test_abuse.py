"""Abuse controls: per-client rate limits on /sparql and /saved, security headers, CORS without
credentials, no stack trace or server path in any error, and a token for /saved writes."""
import pytest

from service import DEFAULTS
from service.api.limits import enabled

SELECT = "SELECT ?l WHERE { <https://w3id.org/lungmet-kg/id/drug/osimertinib> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
LEAKS = ("Traceback", 'File "', ".py", "/tmp/", "/work/", "/root/", "site-packages", "line ")


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# -- rate limits -----------------------------------------------------------------------------------------

def test_rate_limits_are_on_by_default():
    assert enabled(DEFAULTS["RATE_LIMIT"])


def test_a_client_over_its_limit_gets_429_with_a_problem_and_retry_after(make_app):
    app = make_app(RATE_LIMIT="3/minute")
    client = client_at(app, "192.0.2.1")
    assert [client.get("/sparql", query_string={"query": SELECT}).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/sparql", query_string={"query": SELECT})
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["status"] == 429 and "3 per 1 minute" in body["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.post("/sparql", data={"query": SELECT}).status_code == 429  # POST counts too
    # another client, the canned queries and the pages are not held back
    assert client_at(app, "192.0.2.2").get("/sparql", query_string={"query": SELECT}).status_code == 200
    assert client.get("/queries/drugs-by-target?target=EGFR").status_code == 200
    assert client.get("/health").status_code == 200


def test_sparql_and_saved_share_one_allowance_per_client(make_app):
    app = make_app(RATE_LIMIT="3/minute")
    client = client_at(app, "192.0.2.3")
    statuses = [client.post("/saved", json={"query": f"{SELECT} # {n}"}).status_code for n in range(2)]
    statuses.append(client.get("/sparql", query_string={"query": SELECT}).status_code)
    statuses.append(client.get("/saved/000000000000").status_code)
    statuses.append(client.post("/saved", json={"query": SELECT}).status_code)
    assert statuses == [201, 201, 200, 429, 429]


def test_a_cors_preflight_is_not_counted(make_app):
    app = make_app(RATE_LIMIT="1/minute")
    client = client_at(app, "192.0.2.4")
    for _ in range(3):
        assert client.options("/sparql", headers={"Origin": "https://example.org",
                                                  "Access-Control-Request-Method": "POST"}).status_code == 200
    assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200


def test_forwarded_for_counts_only_behind_a_trusted_proxy(make_app):
    direct = client_at(make_app(RATE_LIMIT="1/minute"), "192.0.2.5")
    assert direct.get("/sparql", query_string={"query": SELECT}, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    # without a trusted proxy a client cannot choose its address to get a fresh allowance
    assert direct.get("/sparql", query_string={"query": SELECT}, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429
    proxied = client_at(make_app(RATE_LIMIT="1/minute", TRUSTED_PROXIES=1), "192.0.2.6")
    for address in ("198.51.100.1", "198.51.100.2"):
        assert proxied.get("/sparql", query_string={"query": SELECT}, headers={"X-Forwarded-For": address}).status_code == 200
    assert proxied.get("/sparql", query_string={"query": SELECT}, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429


def test_limits_can_be_switched_off(make_app):
    client = client_at(make_app(RATE_LIMIT="off"), "192.0.2.7")
    assert all(client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200 for _ in range(70))


# -- headers ---------------------------------------------------------------------------------------------

PAGES = ["/", "/queries", "/ontology", "/id/drug/osimertinib", "/api"]
DATA = ["/sparql?query=ASK%7B%7D", "/queries/drugs-by-target?target=EGFR", "/openapi.json", "/health",
        "/queries/drugs-by-target.rq", "/nowhere", "/queries/nothing"]


@pytest.mark.parametrize("path", PAGES)
def test_html_pages_carry_a_content_security_policy(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self'" in policy
    assert_security_headers(response)


@pytest.mark.parametrize("path", DATA)
def test_data_and_errors_carry_security_headers_too(client, path):
    response = client.get(path, headers={"Origin": "https://example.org", "Cookie": "session=x"})
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert_security_headers(response)


def assert_security_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_cors_preflight_allows_reads_without_credentials(client):
    response = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "Content-Type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers


# -- errors show nothing of the server -------------------------------------------------------------------

ERRORS = [
    ("GET", "/nowhere", {}, 404),
    ("PUT", "/sparql", {}, 405),
    ("GET", "/sparql", {"query_string": {"query": "SELECT * WHERE {"}}, 400),
    ("GET", "/sparql", {"query_string": {"query": "SELECT * WHERE { ?s ?p ?o FILTER(?o = <a b>) }"}}, 400),
    ("GET", "/sparql", {"query_string": {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "not an iri"}}, 400),
    ("GET", "/sparql", {"query_string": {"query": SELECT}, "headers": {"Accept": "image/png"}}, 406),
    ("GET", "/sparql", {"query_string": {"query": SELECT, "release": "../../etc"}}, 410),
    ("POST", "/sparql", {"data": "ASK {}", "content_type": "text/plain"}, 415),
    ("POST", "/sparql", {"data": "ASK {}" + " " * 2_000_000, "content_type": "application/sparql-query"}, 413),
    ("POST", "/saved", {"data": "{not json", "content_type": "application/json"}, 400),
    ("POST", "/saved", {"json": {"query": "SELECT * WHERE {"}}, 400),
    ("GET", "/saved/../../saved.sqlite3", {}, 404),
    ("GET", "/queries/drugs-by-target", {"query_string": {"target": "EGRF"}}, 404),
    ("GET", "/queries/../../etc/passwd", {}, 404),
    ("GET", "/id/drug/a%20b", {}, 404),
    ("GET", "/id/drug/%3E", {}, 404),
]


@pytest.mark.parametrize("method,path,kwargs,status", ERRORS)
def test_errors_are_problems_without_a_trace_of_the_server(client, data_dir, method, path, kwargs, status):
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert_no_leak(response.get_data(as_text=True), data_dir)


def assert_no_leak(body: str, data_dir) -> None:
    for marker in (*LEAKS, str(data_dir)):
        assert marker not in body, f"{marker!r} in {body}"


def test_an_unexpected_exception_is_a_500_problem_without_a_trace(make_app, data_copy):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError(f"failed reading {data_copy}/secret.py, line 12")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Internal Server Error"
    assert_no_leak(response.get_data(as_text=True), data_copy)


def test_a_store_io_error_is_a_503_problem_without_a_trace(make_app, data_copy, monkeypatch):
    from service.engine.query import execute
    app = make_app()
    app.extensions["lmkg"].index()  # read while the disk was still there
    store = app.extensions["lmkg"].store()
    monkeypatch.setattr(store, "run", lambda request: execute(DiskGone(data_copy), request))
    response = app.test_client().get("/queries/drugs-by-target?target=EGFR")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"]
    assert_no_leak(response.get_data(as_text=True), data_copy)


class DiskGone:
    """A pyoxigraph store whose files have gone: every query raises the OSError pyoxigraph raises then."""

    def __init__(self, folder):
        self.folder = folder

    def query(self, *args, **kwargs):
        raise OSError(f"IO error: {self.folder}/releases/x/store/000012.sst: No such file or directory")


# -- a token for writes ----------------------------------------------------------------------------------

def test_a_write_token_guards_saves_but_not_reads(make_app):
    app = make_app(SAVED_WRITE_TOKEN="s3cret")
    client = app.test_client()
    refused = client.post("/saved", json={"query": SELECT})
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "s3cret" not in refused.get_data(as_text=True)
    saved = client.post("/saved", json={"query": SELECT}, headers={"Authorization": "Bearer s3cret"})
    assert saved.status_code == 201
    assert client.get(saved.headers["Location"]).status_code == 200  # anyone may run a saved query
    document = client.get("/openapi.json").get_json()
    assert document["paths"]["/saved"]["post"]["security"] == [{"savedWriteToken": []}]
    assert document["components"]["securitySchemes"]["savedWriteToken"]["scheme"] == "bearer"

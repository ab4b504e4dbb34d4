"""Slow and huge requests: a pathological query is stopped at the time limit and answered 503 (a problem
document, within the limit + 1 s, also when it had to wait for a worker); its worker is killed and the
next request is served normally; results over the row cap are refused, never cut; request bodies over
the size limit get 413."""
import multiprocessing
import threading
import time

import pytest

from tests.live import http_request, live_server  # noqa: F401  (the session fixture)

LIMIT = 1.0
PATHOLOGICAL = {
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "property path over everything": "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:none>)* ?o . ?x ?y ?z }",
    "path closure from every node": "SELECT ?s ?o WHERE { ?s (<http://www.w3.org/2000/01/rdf-schema#subClassOf>|^a|a)+ ?o "
                                    ". ?o ?p ?q } ORDER BY ?q",
}
QUICK = "ASK { ?s a <https://w3id.org/lungmet-kg/ontology#Drug> }"


@pytest.fixture(scope="module")
def strict_app(data_dir):
    from service import create_app
    app = create_app({"DATA_DIR": str(data_dir), "QUERY_TIMEOUT": LIMIT, "MAX_ROWS": 50, "ISOLATED_WORKERS": 1,
                      "MAX_CONTENT_LENGTH": 64_000, "MAX_QUERY_LENGTH": 10_000})
    app.test_client().get("/sparql", query_string={"query": QUICK})  # start the worker
    yield app
    app.extensions["lmkg"].close()


def workers_alive() -> int:
    return len(multiprocessing.active_children())


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_query_is_stopped_at_the_limit(strict_app, name):
    client = strict_app.test_client()
    alive = workers_alive()
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": PATHOLOGICAL[name]})
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["time_limit_seconds"] == LIMIT and response.headers["Retry-After"]
    assert elapsed < LIMIT + 1.0
    assert workers_alive() == alive - 1  # the overrunning worker was killed, not left computing
    answer = client.get("/sparql", query_string={"query": QUICK})
    assert answer.status_code == 200 and answer.get_json()["boolean"] is True
    assert workers_alive() == alive


def test_a_query_waiting_for_a_busy_worker_also_hears_within_the_limit(strict_app):
    """Two slow queries and one worker: the second waits, but its answer still comes within the limit + 1 s."""
    results = []

    def send():
        started = time.monotonic()
        response = strict_app.test_client().get("/sparql", query_string={"query": PATHOLOGICAL["cartesian product"]})
        results.append((response.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [503, 503]
    assert max(elapsed for _, elapsed in results) < LIMIT + 1.0
    assert strict_app.test_client().get("/sparql", query_string={"query": QUICK}).status_code == 200


@pytest.mark.parametrize("query,accept", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 51", "application/sparql-results+json"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 51", "text/turtle"),
    ("DESCRIBE ?s WHERE { ?s a <https://w3id.org/lungmet-kg/ontology#Drug> }", "text/turtle"),
])
def test_result_caps_are_explicit(strict_app, query, accept):
    response = strict_app.test_client().get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["row_limit"] == 50 and "50" in body["detail"]


def test_the_limits_are_published_in_the_api_description(strict_app):
    sparql = strict_app.test_client().get("/openapi.json").get_json()["paths"]["/sparql"]["get"]
    assert "at most 50 rows" in sparql["description"] and "1 s" in sparql["description"]


@pytest.mark.parametrize("request_args", [
    {"path": "/sparql", "method": "POST", "data": "ASK {}" + " " * 70_000, "content_type": "application/sparql-query"},
    {"path": "/sparql", "method": "POST", "data": {"query": "ASK {}" + " " * 70_000}},
    {"path": "/sparql", "method": "GET", "query_string": {"query": "ASK {}" + " " * 20_000}},
    {"path": "/saved", "method": "POST", "json": {"query": "ASK {}" + " " * 70_000}},
    {"path": "/saved", "method": "POST", "json": {"query": "ASK {}" + " " * 20_000}},
    {"path": "/saved", "method": "POST", "json": {"query": "ASK {}", "title": "t" * 1_000}},
])
def test_oversized_requests_get_413(strict_app, request_args):
    response = strict_app.test_client().open(**request_args)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 413


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(live_server):
    """A body sent in chunks announces no length; it is still refused once it passes MAX_CONTENT_LENGTH."""
    piece = b"ASK {}" + b" " * 100_000
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece)] * 15 + [b"0\r\n\r\n"]  # 1.5 MB, over the default 1 MB
    reply = http_request(live_server, "POST", "/sparql", body=iter(chunks),
                         headers={"Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"})
    assert reply.status == 413 and reply.mimetype == "application/problem+json", reply


def test_a_worker_that_dies_mid_query_gives_503_and_the_next_is_served(data_dir):
    """A query worker killed from outside (the kernel's OOM killer, a crash) while it runs a query."""
    from service import create_app
    app = create_app({"DATA_DIR": str(data_dir), "QUERY_TIMEOUT": 30.0, "ISOLATED_WORKERS": 1})
    try:
        client = app.test_client()
        others = set(multiprocessing.active_children())
        assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200
        [worker] = set(multiprocessing.active_children()) - others
        answers = []
        thread = threading.Thread(target=lambda: answers.append(
            client.get("/sparql", query_string={"query": PATHOLOGICAL["cartesian product"]})))
        thread.start()
        time.sleep(0.5)
        worker.kill()
        thread.join(timeout=30)
        [response] = answers
        assert response.status_code == 503 and response.get_json()["type"].endswith("/unavailable")
        assert "Traceback" not in response.get_data(as_text=True)
        assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200
    finally:
        app.extensions["lmkg"].close()


HOSTILE_TEXTS = {
    "unterminated strings": '"\\' * 50_000,
    "unterminated single-quoted strings": "'\\" * 50_000,
    "names without a colon": "a." * 50_000,
    "unterminated long strings": "\'\'\'" + "''x" * 33_000,
    "angle brackets": "<a" * 50_000,
}


@pytest.mark.parametrize("name", list(HOSTILE_TEXTS))
def test_a_hostile_query_text_is_refused_in_seconds(client, name):
    """Texts built to make a backtracking scanner take minutes; the endpoint reads each in one pass."""
    text = ("SELECT * WHERE { " + HOSTILE_TEXTS[name])[:100_000]
    started = time.monotonic()
    response = client.post("/sparql", data=text, content_type="application/sparql-query")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert time.monotonic() - started < 10  # the scanner this replaced took 80-135 s on these

"""Remote mode: a release pushed by `lmkg load` into the Oxigraph server (PyPI `oxigraph`, on a loopback
port), and the same service, catalogue and URLs answering from it through SPARQLWrapper."""
import os
import signal
import time

import pyoxigraph as ox
import pytest

from graph.load import load_release
from lmkg.bench.servers import oxigraph_server
from service import create_app
from service.catalogue import expectation_failures, load_catalogue
from service.query import bind_values
from service.results import collect, collect_triples
from lmkg.paths import QUERIES_DIR
from tests.conftest import same_answer

CATALOGUE = load_catalogue(QUERIES_DIR)
EXPECTATIONS = [(q, e) for q in CATALOGUE.values() for e in q.expect]
OSIMERTINIB = "https://w3id.org/lungmet-kg/id/drug/osimertinib"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, release):
    """An Oxigraph server holding the session's release, loaded in small batches."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        report = load_release(release, f"{base}/update", batch_size=20_000, progress=lambda line: None)
        yield base, report


@pytest.fixture(scope="module")
def remote_client(oxigraph, data_dir):
    base, _ = oxigraph
    app = create_app({"DATA_DIR": str(data_dir), "SPARQL_ENDPOINT": f"{base}/query", "TESTING": True})
    return app.test_client()


def answer(response, form: str):
    assert response.status_code == 200, response.get_data(as_text=True)
    if form == "CONSTRUCT":
        triples = (q.triple for q in ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))
        return collect_triples(triples, 1_000_000)
    return collect(ox.parse_query_results(response.data, format=ox.QueryResultsFormat.JSON), 1_000_000)


def canned(client, query, params):
    accept = "application/n-triples" if query.form == "CONSTRUCT" else "application/sparql-results+json"
    return answer(client.get(f"/queries/{query.name}", query_string=params, headers={"Accept": accept}),
                  query.form)


def test_load_puts_every_triple_of_the_release_in_the_store(oxigraph, release):
    _, report = oxigraph
    assert report.triples == sum(release.triples.values()) + report_meta_triples(release)
    assert report.graphs == len(release.triples) + 1


def report_meta_triples(release) -> int:
    store = ox.Store.read_only(str(release.store_path))
    return len(list(store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/lungmet-kg/graph/meta"))))


def test_remote_mode_serves_the_loaded_release(remote_client, release):
    health = remote_client.get("/health")
    assert health.json["release"] == release.id
    assert remote_client.get("/queries/trials-for-drug?drug=osimertinib").headers["X-LMKG-Release"] == release.id


@pytest.mark.parametrize("query,expectation", EXPECTATIONS,
                         ids=[f"{q.name}-{i}" for q in CATALOGUE.values() for i, _ in enumerate(q.expect)])
def test_every_canned_answer_is_the_same_over_the_remote_store(remote_client, client, query, expectation):
    params = expectation.get("params", {})
    remote = canned(remote_client, query, params)
    assert expectation_failures(remote, expectation) == []
    embedded = canned(client, query, params)
    if query.form == "CONSTRUCT":
        assert {str(t) for t in remote.triples if not has_blank(t)} == {str(t) for t in embedded.triples if not has_blank(t)}
    else:   # the embedded store serves the release from memory: joined lists may come in another order
        assert same_answer(remote) == same_answer(embedded)


def has_blank(triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def test_endpoint_and_pages_in_remote_mode(remote_client):
    count = remote_client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert count.status_code == 200 and int(count.json["results"]["bindings"][0]["n"]["value"]) > 80_000
    graphs = remote_client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
    assert {"https://w3id.org/lungmet-kg/graph/seeds"} <= {b["g"]["value"] for b in graphs.json["results"]["bindings"]}
    page = remote_client.get("/id/drug/osimertinib", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"osimertinib" in page.data


def test_store_errors_become_problems(remote_client):
    bad = remote_client.get("/sparql", query_string={"query": "SELECT * WHERE {"})
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert "error" in bad.json["detail"]
    assert remote_client.get("/queries/trials-for-drug?drug=osimertinib&release=0000000000000000").status_code == 410


def test_unreachable_store_is_a_503_problem(data_dir):
    from lmkg.bench.servers import free_port
    app = create_app({"DATA_DIR": str(data_dir), "SPARQL_ENDPOINT": f"http://127.0.0.1:{free_port()}/query",
                      "TESTING": True})
    response = app.test_client().get("/queries/trials-for-drug?drug=osimertinib")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("value", ['a"b', "x} UNION { ?s ?p ?o", 'q"""\n#', "\\u0022 <http://e/>"])
def test_bound_values_reach_the_remote_store_as_data(value):
    text = "SELECT ?x WHERE { ?s ?p ?x }"
    bound = bind_values(text, {"x": ox.Literal(value)})
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(OSIMERTINIB), ox.NamedNode("http://e/p"), ox.Literal(value)))
    store.add(ox.Quad(ox.NamedNode(OSIMERTINIB), ox.NamedNode("http://e/p"), ox.Literal("other")))
    assert [row["x"].value for row in store.query(bound)] == [value]


# -- faults of the backing store ---------------------------------------------------------------------

FAULT_TIMEOUT = 2.0   # REMOTE_TIMEOUT and QUERY_TIMEOUT of the service under test, seconds


@pytest.fixture()
def fault_setup(tmp_path, release, data_dir):
    """A store of our own (its process is stopped and restarted by the tests) and a service over it."""
    from lmkg.bench.servers import free_port
    port, location = free_port(), tmp_path / "oxigraph"
    with oxigraph_server(location, port=port) as base:
        load_release(release, f"{base}/update", progress=lambda line: None)
    app = create_app({"DATA_DIR": str(data_dir), "SPARQL_ENDPOINT": f"http://127.0.0.1:{port}/query",
                      "REMOTE_TIMEOUT": FAULT_TIMEOUT, "QUERY_TIMEOUT": FAULT_TIMEOUT, "REMOTE_RELEASE_TTL": 0,
                      "CACHE_SIZE": 0, "TESTING": True})
    return app.test_client(), port, location


REQUESTS = ["/queries/trials-for-drug?drug=osimertinib", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "/health"]


def timed(client, path):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_a_stopped_store_gives_503_quickly_and_the_service_recovers(fault_setup):
    client, port, location = fault_setup
    with oxigraph_server(location, port=port):
        assert client.get(REQUESTS[0]).status_code == 200
    for path in REQUESTS[:2]:                                   # the store is down
        response, seconds = timed(client, path)
        assert response.status_code == 503 and response.mimetype == "application/problem+json", path
        assert seconds < FAULT_TIMEOUT + 1, path
    with oxigraph_server(location, port=port):                 # back, same port: no restart of the service
        for path in REQUESTS:
            assert client.get(path).status_code == 200, path


def test_a_hung_store_gives_503_at_the_time_limit_and_the_service_recovers(fault_setup):
    client, port, location = fault_setup
    with oxigraph_server(location, port=port) as base:
        assert client.get(REQUESTS[0]).status_code == 200
        os.kill(base.process.pid, signal.SIGSTOP)                 # accepts connections, never answers
        try:
            for path in REQUESTS[:2]:
                response, seconds = timed(client, path)
                assert response.status_code == 503 and response.mimetype == "application/problem+json", path
                assert seconds < 2 * FAULT_TIMEOUT + 1, path      # release check and query each wait at most the limit
        finally:
            os.kill(base.process.pid, signal.SIGCONT)
        for path in REQUESTS:
            assert client.get(path).status_code == 200, path


def test_untrusted_queries_in_flight_are_bounded_in_remote_mode(tmp_path, release, data_dir):
    """Waiting for the remote store holds a web thread: beyond ISOLATED_WORKERS at once, 503 at once."""
    import threading
    from lmkg.bench.servers import free_port
    port, location = free_port(), tmp_path / "oxigraph"
    with oxigraph_server(location, port=port) as base:
        load_release(release, f"{base}/update", progress=lambda line: None)
        app = create_app({"DATA_DIR": str(data_dir), "SPARQL_ENDPOINT": f"{base}/query", "QUERY_TIMEOUT": 3.0,
                          "ISOLATED_WORKERS": 1, "QUERY_QUEUE_WAIT": 0.2, "TESTING": True})
        slow = threading.Thread(target=lambda: app.test_client().get(
            "/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"}))
        slow.start()
        time.sleep(0.5)
        response, seconds = timed(app.test_client(), REQUESTS[1])
        assert response.status_code == 503 and response.get_json()["type"].endswith("/busy")
        assert seconds < 2.0                                   # generous: the wait is 0.2 s, the slow query 3 s
        assert app.test_client().get("/health").status_code == 200
        slow.join()

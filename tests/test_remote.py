"""Remote mode: a release pushed by `lmkg load` into the Oxigraph server (PyPI `oxigraph`, on a loopback
port), and the same service, catalogue and URLs answering from it through SPARQLWrapper."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.load import load_release
from lmkg.bench.servers import oxigraph_server, venv_command
from service import create_app
from service.engine.catalogue import expectation_failures, load_catalogue
from service.engine.query import Slots, bind_values
from service.engine.results import Result, collect, collect_triples
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
    assert comparable(remote) == comparable(canned(client, query, params))


@pytest.mark.parametrize("params", [{"alteration": "ALK", "site": "brain"}, {"alteration": "EGFR", "site": "LMD"}])
def test_a_name_bound_to_several_values_answers_the_same_over_the_remote_store(remote_client, client, params):
    """A gene binds all its alterations: several VALUES rows, the only binding a remote store gets."""
    query = CATALOGUE["treatment-options"]
    remote = canned(remote_client, query, params)
    assert remote.rows and same_answer(remote) == same_answer(canned(client, query, params))



def comparable(result) -> list:
    """Rows compared order-free (`same_answer`), an empty joined list ("") as no value (GROUP_CONCAT of
    nothing is unbound in pyoxigraph, "" in Virtuoso); triples with every blank node written `_:b` (its
    label is the store's own)."""
    if result.form != "CONSTRUCT":
        rows = [tuple(None if isinstance(t, ox.Literal) and t.value == "" else t for t in row) for row in result.rows]
        return same_answer(Result(result.form, variables=result.variables, rows=rows))
    return sorted(" ".join("_:b" if isinstance(term, ox.BlankNode) else str(term)
                           for term in (triple.subject, triple.predicate, triple.object))
                  for triple in result.triples)


def test_endpoint_and_pages_in_remote_mode(remote_client):
    count = remote_client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert count.status_code == 200 and int(count.json["results"]["bindings"][0]["n"]["value"]) > 80_000
    graphs = remote_client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
    assert {"https://w3id.org/lungmet-kg/graph/seeds"} <= {b["g"]["value"] for b in graphs.json["results"]["bindings"]}
    page = remote_client.get("/id/drug/osimertinib", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"osimertinib" in page.data


def test_explanations_are_the_same_in_remote_mode(remote_client, client):
    remote = remote_client.get("/explain?entity=osimertinib")
    assert remote.status_code == 200 and remote.json == client.get("/explain?entity=osimertinib").json
    assert any(r["kind"] == "property chain" for f in remote.json["facts"] for r in f["reasons"])


# -- a store bulk-loaded from the published dump: every URL of the embedded service ---------------------

@pytest.fixture(scope="module")
def bulk_client(tmp_path_factory, release, data_dir):
    """Oxigraph bulk-loaded by its own loader from dataset.nq.gz, given the meta graph by `lmkg load
    --meta-only` (the README's one extra step), served by a service with no release folder of its own."""
    location = tmp_path_factory.mktemp("bulk")
    subprocess.run([venv_command("oxigraph"), "load", "--location", str(location),
                    "--file", str(Path(release.folder) / "dataset.nq.gz")], check=True, capture_output=True)
    with oxigraph_server(location) as base:
        subprocess.run([venv_command("lmkg"), "--data-dir", str(data_dir), "load", "--meta-only",
                        "--endpoint", f"{base}/update"], check=True, capture_output=True)
        app = create_app({"DATA_DIR": str(tmp_path_factory.mktemp("empty")), "SPARQL_ENDPOINT": f"{base}/query",
                          "TESTING": True})
        yield app.test_client()


def every_url(release) -> list[str]:
    """A GET of each route of the service."""
    return ["/", "/health", "/sparql", "/.well-known/void", "/api", "/openapi.json", "/charts/intracranial-outcomes",
            "/downloads", f"/downloads/{release.id}", "/downloads/latest", "/downloads/latest/dataset.nq.gz",
            f"/downloads/{release.id}/dataset.nq.gz", "/id/drug/osimertinib", "/ontology", "/queries",
            "/queries/trials-for-drug?drug=crizotinib", "/queries/trials-for-drug.rq", f"/release/{release.id}",
            "/search?q=osimertinib", "/static/site.css", "/vendor/yasgui/yasgui.min.js"]


def test_every_url_answers_over_a_bulk_loaded_store(bulk_client, client, release):
    for url in every_url(release):
        remote, embedded = bulk_client.get(url), client.get(url)
        assert remote.status_code < 400, (url, remote.get_data(as_text=True)[:300])
        assert remote.status_code == embedded.status_code or url.endswith(".gz"), url


def test_a_bulk_loaded_store_gives_the_same_answers(bulk_client, client):
    for query, expectation in EXPECTATIONS[::4]:
        params = expectation.get("params", {})
        assert comparable(canned(bulk_client, query, params)) == comparable(canned(client, query, params)), query.name


def test_downloads_over_a_store_name_the_published_files(bulk_client, release):
    listing = bulk_client.get("/downloads").json
    assert listing["latest"] == release.id
    files = {d["file"]: d["url"] for d in listing["releases"][0]["distributions"]}
    assert files["dataset.nq.gz"] == f"https://w3id.org/lungmet-kg/downloads/{release.id}/dataset.nq.gz"
    redirect = bulk_client.get(f"/downloads/{release.id}/dataset.nq.gz")
    assert redirect.status_code == 302 and redirect.location == files["dataset.nq.gz"]


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-quads", "application/trig", "application/ld+json"])
def test_the_service_description_over_a_store(bulk_client, client, accept):
    remote, embedded = bulk_client.get("/sparql", headers={"Accept": accept}), client.get("/sparql", headers={"Accept": accept})
    assert remote.status_code == embedded.status_code == 200 and remote.mimetype == accept
    assert len(remote.data) > 10_000


def test_void_names_the_canonical_iris_and_where_this_deployment_serves_them(client, release):
    void = ox.Store()
    void.load(client.get("/.well-known/void").data, format=ox.RdfFormat.TURTLE)
    endpoints = {str(row["e"].value) for row in void.query(
        "SELECT ?e { ?d <http://rdfs.org/ns/void#sparqlEndpoint> ?e }")}
    assert endpoints == {"https://w3id.org/lungmet-kg/sparql", "http://localhost/sparql"}
    dcat = "http://www.w3.org/ns/dcat#"
    local = {row["u"].value for row in void.query(f"SELECT ?u {{ ?d <{dcat}accessURL> ?u }}")}
    canonical = {row["u"].value for row in void.query(f"SELECT ?u {{ ?d <{dcat}downloadURL> ?u }}")}
    assert f"http://localhost/downloads/{release.id}/dataset.nq.gz" in local
    assert f"https://w3id.org/lungmet-kg/downloads/{release.id}/dataset.nq.gz" in canonical


def test_public_base_url_names_the_deployment(data_dir):
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True, "PUBLIC_BASE_URL": "https://kg.example.org/"})
    body = app.test_client().get("/sparql", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert "<https://kg.example.org/sparql>" in body and "<http://localhost/sparql>" not in body


def test_requests_are_those_every_store_answers():
    """GET, or a form-encoded POST when long (Virtuoso never answers application/sparql-query), and no
    `format=` (Virtuoso answers format=xml with 406)."""
    from graph.release import Release
    from service.engine.query import QueryRequest
    from service.engine.remote import RemoteStore
    store = RemoteStore("http://127.0.0.1:9/sparql", Slots(1, 0.5),
                        release=Release("0" * 16, "2026-01-01", "", {"urn:g": 1}, 0.0))
    for text, method in (("ASK {}", "GET"), ("ASK {} #" + "x" * 5000, "POST")):
        sent = store.client(text, "ASK", QueryRequest(text), 5)._createRequest()
        assert sent.get_method() == method
        assert "format=" not in sent.full_url + (sent.data or b"").decode()
        assert method == "GET" or sent.get_header("Content-type") == "application/x-www-form-urlencoded"


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

"""/sparql: the protocol's query operation through the Flask test client (the W3C suite runs against a
live server in test_protocol_w3c.py)."""
import time

import pytest

SELECT = "SELECT ?label WHERE { <https://w3id.org/lungmet-kg/id/drug/osimertinib> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/lungmet-kg/id/drug/osimertinib> AS ?s) ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_get_post_form_and_post_direct_agree(client):
    get = client.get("/sparql", query_string={"query": SELECT})
    form = client.post("/sparql", data={"query": SELECT})
    direct = client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert get.status_code == form.status_code == direct.status_code == 200
    assert get.get_json() == form.get_json() == direct.get_json()
    assert get.get_json()["results"]["bindings"][0]["label"] == {"type": "literal", "value": "osimertinib", "xml:lang": "en"}


@pytest.mark.parametrize("accept,expected", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+json;q=0.9", "application/sparql-results+json"),
    ("text/csv;q=0.9, application/sparql-results+json;q=0.5", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_negotiation_with_q_values(client, accept, expected):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == expected


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "application/rdf+xml",
                                    "application/ld+json", "application/n-quads", "application/trig"])
def test_construct_in_every_rdf_format(client, accept):
    from rdflib import Dataset
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    formats = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
               "application/ld+json": "json-ld", "application/n-quads": "nquads", "application/trig": "trig"}
    parsed = Dataset().parse(data=response.data, format=formats[accept])
    assert len(parsed) > 5


def test_describe_and_ask(client):
    describe = client.get("/sparql", query_string={"query": "DESCRIBE <https://w3id.org/lungmet-kg/id/drug/osimertinib>"},
                          headers={"Accept": "text/turtle"})
    assert describe.status_code == 200 and b"osimertinib" in describe.data
    ask = client.get("/sparql", query_string={"query": "ASK { ?s a <https://w3id.org/lungmet-kg/ontology#Drug> }"},
                     headers={"Accept": "application/sparql-results+xml"})
    assert ask.status_code == 200 and b"<boolean>true</boolean>" in ask.data


def test_nothing_acceptable_is_406(client):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406 and response.mimetype == "application/problem+json"


def test_default_and_named_graph_uris_select_graphs(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    onto = client.get("/sparql", query_string={"query": count, "default-graph-uri": "https://w3id.org/lungmet-kg/graph/ontology"})
    union = client.get("/sparql", query_string={"query": count})
    n_onto = int(onto.get_json()["results"]["bindings"][0]["n"]["value"])
    n_all = int(union.get_json()["results"]["bindings"][0]["n"]["value"])
    assert 500 < n_onto < n_all
    graphs = client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                                 "named-graph-uri": "https://w3id.org/lungmet-kg/graph/seeds"})
    assert [b["g"]["value"] for b in graphs.get_json()["results"]["bindings"]] == ["https://w3id.org/lungmet-kg/graph/seeds"]


@pytest.mark.parametrize("request_args,status", [
    ({"method": "GET", "path": "/sparql?query="}, 400),
    ({"method": "GET", "path": "/sparql?query=SELECT%20*%20WHERE%20%7B"}, 400),
    ({"method": "GET", "path": "/sparql?query=ASK%7B%7D&query=ASK%7B%7D"}, 400),
    ({"method": "GET", "path": "/sparql?default-graph-uri=x"}, 400),
    ({"method": "GET", "path": "/sparql?query=ASK%7B%7D&timeout=99"}, 400),
    ({"method": "PUT", "path": "/sparql", "data": "ASK {}"}, 405),
    ({"method": "DELETE", "path": "/sparql"}, 405),
    ({"method": "POST", "path": "/sparql", "data": "ASK {}", "content_type": "text/plain"}, 415),
    ({"method": "POST", "path": "/sparql", "data": "query=ASK%7B%7D"}, 415),
    ({"method": "POST", "path": "/sparql", "data": b"ASK { ?s ?p \"\xff\" }", "content_type": "application/sparql-query"}, 400),
    ({"method": "POST", "path": "/sparql", "data": {"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}}, 403),
    ({"method": "POST", "path": "/sparql", "data": "DELETE WHERE { ?s ?p ?o }", "content_type": "application/sparql-update"}, 403),
    ({"method": "GET", "path": "/sparql?query=INSERT%20DATA%20%7B%3Ca:a%3E%20%3Ca:b%3E%20%3Ca:c%3E%7D"}, 400),
    ({"method": "POST", "path": "/sparql", "data": {"query": "DROP ALL"}}, 400),
    ({"method": "POST", "path": "/sparql", "data": {"query": "LOAD <http://127.0.0.1:9/x>"}}, 400),
    ({"method": "GET", "path": "/sparql?query=SELECT%20*%20%7B%20SERVICE%20%3Chttp://127.0.0.1:1/%3E%20%7B%20?s%20?p%20?o%20%7D%20%7D"}, 403),
])
def test_bad_requests_get_problems(client, request_args, status):
    response = client.open(**request_args)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and "Traceback" not in response.get_data(as_text=True)


def test_405_names_the_allowed_methods(client):
    assert set(client.put("/sparql").headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_service_description_with_void(client, release):
    from rdflib import Graph, Namespace
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = Graph().parse(data=response.data, format="turtle")
    sd, void = Namespace("http://www.w3.org/ns/sparql-service-description#"), Namespace("http://rdfs.org/ns/void#")
    assert (None, sd.endpoint, None) in g
    assert len(list(g.objects(None, sd.namedGraph))) == len(release.triples) + 1  # and the meta graph
    assert release.id in {str(o) for o in g.objects(None, __import__("rdflib").namespace.DCTERMS.identifier)}
    assert sum(int(o) for s, o in g.subject_objects(void.triples) if str(s).startswith("https://w3id.org/lungmet-kg/graph/")) \
        == sum(release.triples.values())


def test_cors_and_security_headers(client):
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in client.get("/", headers={"Accept": "text/html"}).headers


def test_health(client, release):
    assert client.get("/health").get_json()["release"] == release.id


@pytest.fixture(scope="module")
def strict_client(data_dir):
    from service import create_app
    app = create_app({"DATA_DIR": str(data_dir), "QUERY_TIMEOUT": 1.0, "MAX_ROWS": 50, "ISOLATED_WORKERS": 1})
    yield app.test_client()
    app.extensions["lmkg"].close()


def test_slow_query_is_stopped_with_503_and_the_next_is_served(strict_client):
    strict_client.get("/sparql", query_string={"query": "ASK {}"})  # start the worker
    started = time.monotonic()
    response = strict_client.get("/sparql", query_string={"query": HEAVY})
    assert response.status_code == 503 and response.get_json()["time_limit_seconds"] == 1.0
    assert time.monotonic() - started < 2.0
    assert strict_client.get("/sparql", query_string={"query": SELECT}).status_code == 200


def test_result_over_the_row_cap_is_refused_not_truncated(strict_client):
    response = strict_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 51"})
    assert response.status_code == 422 and response.get_json()["row_limit"] == 50
    assert strict_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"}).status_code == 200


def test_oversized_request_body_is_413(client):
    response = client.post("/sparql", data="ASK {}" + " " * 2_000_000, content_type="application/sparql-query")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"

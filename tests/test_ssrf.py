"""No server-side request forgery: nothing a client sends makes the service contact a host of the client's
choosing. A loopback listener stands for that host and must receive nothing; federation reaches only the
endpoints of the FEDERATION_ENDPOINTS allow-list (empty by default)."""
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api.federation import allowed_endpoints, is_allowed
from service.engine.sparql_text import analyse
from tests.listener import ANSWER_IRI, Listener

ALL = "{ ?s ?p ?o }"


def attacks(url: str) -> list[tuple[str, dict, int]]:
    """(description, request for the test client, expected status) aimed at `url`."""
    host = url.split("//")[1].rstrip("/")
    service = f"SELECT * WHERE {{ SERVICE <{url}> {ALL} }}"
    query = lambda text, **extra: {"method": "GET", "path": "/sparql", "query_string": {"query": text, **extra}}
    form = lambda **data: {"method": "POST", "path": "/sparql", "data": data}
    direct = lambda text, kind="application/sparql-query": {"method": "POST", "path": "/sparql", "data": text,
                                                           "content_type": kind}
    return [
        ("SERVICE by GET", query(service), 403),
        ("SERVICE by POST form", form(query=service), 403),
        ("SERVICE by POST direct", direct(service), 403),
        ("service in lower case", query(service.replace("SERVICE", "service")), 403),
        ("SERVICE SILENT", query(f"SELECT * WHERE {{ SERVICE SILENT <{url}> {ALL} }}"), 403),
        ("SERVICE to a prefixed name", query(f"PREFIX e: <{url}> SELECT * WHERE {{ SERVICE e:x {ALL} }}"), 403),
        ("SERVICE to a variable", query(f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {ALL} }}"), 403),
        ("SERVICE after a comment ended by CR", query(f"SELECT * WHERE {{ #x\rSERVICE <{url}> {ALL} }}"), 403),
        ("SERVICE glued to a variable", query(f"SELECT * WHERE {{ ?s ?p ?o.SERVICE <{url}> {ALL} }}"), 403),
        ("SERVICE to a relative IRI under BASE", query(f"BASE <{url}> SELECT * WHERE {{ SERVICE <x> {ALL} }}"), 403),
        ("SERVICE relative to a forged Host", {**query(f"SELECT * WHERE {{ SERVICE <sparql> {ALL} }}"),
                                               "headers": {"Host": host}}, 403),
        ("SERVICE in a saved query", {"method": "POST", "path": "/saved", "json": {"query": service}}, 403),
        ("FROM", query(f"SELECT * FROM <{url}> WHERE {ALL}"), 200),
        ("FROM NAMED", query(f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {ALL} }}"), 200),
        ("CONSTRUCT FROM", query(f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {ALL}",
                                 format="ttl"), 200),
        ("default-graph-uri", query(f"SELECT * WHERE {ALL}", **{"default-graph-uri": url}), 200),
        ("named-graph-uri", query(f"SELECT * WHERE {{ GRAPH ?g {ALL} }}", **{"named-graph-uri": url}), 200),
        ("DESCRIBE of its IRI", query(f"DESCRIBE <{url}>", format="ttl"), 200),
        ("IRI() of its address", query(f'SELECT (IRI("{url}") AS ?x) WHERE {{}}'), 200),
        ("LOAD as a query", query(f"LOAD <{url}>"), 400),
        ("LOAD INTO GRAPH by form update", form(update=f"LOAD <{url}> INTO GRAPH <urn:g>"), 403),
        ("LOAD by direct update", direct(f"LOAD SILENT <{url}>", "application/sparql-update"), 403),
        ("INSERT WHERE SERVICE", direct(f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {ALL} }}",
                                        "application/sparql-update"), 403),
        ("COPY", form(update=f"COPY <{url}> TO DEFAULT"), 403),
        ("ADD", query(f"ADD <{url}> TO DEFAULT"), 400),
        ("CLEAR", query(f"CLEAR GRAPH <{url}>"), 400),
        ("CREATE", query(f"CREATE GRAPH <{url}>"), 400),
        ("canned query parameter", {"method": "GET", "path": "/queries/describe", "query_string": {"entity": url}}, 404),
        ("entity page", {"method": "GET", "path": "/id/" + url}, 404),
    ]


def test_no_request_reaches_a_host_of_the_clients_choosing(client):
    with Listener() as listener:
        for description, request, status in attacks(listener.url):
            response = client.open(**request)
            assert response.status_code == status, (description, response.get_data(as_text=True))
            if status >= 400:
                assert response.mimetype == "application/problem+json", description
        listener.settle()
        assert listener.connections == []


def test_saved_queries_with_a_foreign_dataset_fetch_nothing(data_dir, tmp_path):
    import shutil
    from service import create_app
    shutil.copytree(data_dir / "releases", tmp_path / "releases")
    app = create_app({"DATA_DIR": str(tmp_path), "ISOLATED_WORKERS": 1})
    try:
        client = app.test_client()
        with Listener() as listener:
            saved = client.post("/saved", json={"query": f"SELECT * FROM <{listener.url}> WHERE {ALL}"})
            assert saved.status_code == 201
            assert client.get(f"/saved/{saved.get_json()['id']}").status_code == 200
            listener.settle()
            assert listener.connections == []
    finally:
        app.extensions["lmkg"].close()


@pytest.fixture(scope="module")
def allowed():
    with Listener() as listener:
        yield listener


@pytest.fixture(scope="module")
def federating_client(data_dir, allowed):
    from service import create_app
    app = create_app({"DATA_DIR": str(data_dir), "ISOLATED_WORKERS": 1, "FEDERATION_ENDPOINTS": [allowed.url + "sparql"]})
    yield app.test_client()
    app.extensions["lmkg"].close()


def test_an_allowed_endpoint_is_called(federating_client, allowed):
    before = len(allowed.requests)
    response = federating_client.get("/sparql", query_string={
        "query": f"SELECT ?s WHERE {{ SERVICE <{allowed.url}sparql> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [b["s"]["value"] for b in response.get_json()["results"]["bindings"]] == [ANSWER_IRI]
    method, path, body = allowed.requests[before]
    assert (method, path) == ("POST", "/sparql") and "?s ?p ?o" in body


@pytest.mark.parametrize("target", [
    "{other}",                                   # not on the list
    "{allowed}sparql2",                          # the list names an endpoint, not a prefix
    "{allowed}other",
    "http://127.0.0.1:{port}@127.0.0.2:{port}/sparql",   # user info
    "https://127.0.0.1:{port}/sparql",           # another scheme
    "http://localhost:{port}/sparql",            # another host name for the same machine
])
def test_an_endpoint_not_on_the_list_is_refused_and_not_called(federating_client, allowed, target):
    with Listener() as other:
        url = target.format(other=other.url, allowed=allowed.url, port=other.port)
        before = len(allowed.connections)
        response = federating_client.get("/sparql", query_string={"query": f"SELECT * WHERE {{ SERVICE <{url}> {ALL} }}"})
        assert response.status_code == 403 and response.get_json()["refused"] == [url]
        other.settle()
        assert other.connections == [] and len(allowed.connections) == before


def test_one_unlisted_service_refuses_the_whole_query(federating_client, allowed):
    with Listener() as other:
        text = f"SELECT * WHERE {{ SERVICE <{allowed.url}sparql> {ALL} SERVICE ?x {ALL} SERVICE <{other.url}> {ALL} }}"
        response = federating_client.get("/sparql", query_string={"query": text})
        assert response.status_code == 403
        assert len(response.get_json()["refused"]) == 2
        other.settle()
        assert other.connections == []


@pytest.mark.parametrize("setting,expected", [
    (None, []), ("", []), ([], []),
    ('["https://a.example/sparql", "https://b.example/"]', ["https://a.example/sparql", "https://b.example/"]),
    ("https://a.example/sparql https://b.example/", ["https://a.example/sparql", "https://b.example/"]),
    ("https://a.example/sparql,https://b.example/", ["https://a.example/sparql", "https://b.example/"]),
])
def test_allow_list_setting(setting, expected):
    assert allowed_endpoints(setting) == expected


@pytest.mark.parametrize("target,allowed_by", [
    ("https://a.example/sparql", True), ("https://A.EXAMPLE:443/sparql", True), ("https://a.example/sparql?x=1", True),
    ("https://b.example/any/path", True), ("https://b.example/", True),
    ("https://a.example/sparql/", False), ("https://a.example.evil/sparql", False), ("http://a.example/sparql", False),
    ("https://a.example:8443/sparql", False), ("https://x@a.example/sparql", False), ("ftp://a.example/sparql", False),
    (None, False), ("not a url", False),
])
def test_allow_list_matching(target, allowed_by):
    assert is_allowed(target, ["https://a.example/sparql", "https://b.example/"]) is allowed_by


# -- the lexical check agrees with the store ---------------------------------------------------------

# pieces that are valid inside a group pattern, and pieces that could hide what follows them from a
# lexer that gets a terminal wrong: comments, line ends, quotes, dots glued to names
PIECES = [
    "", " ", "\n", "\r", "\r\n", "\t", "#", "#x", "#'", '#"', "#<", "# SERVICE", ".",
    "?s ?p ?o .", "?s ?p ?o.", "$s $p $o.", "?s ?p 's' .", '?s ?p "s" .', "?s ?p '''s\n''' .", '?s ?p """s\r""" .',
    "?s ?p <urn:o> .", "?s ?p e:x.", "?s ?p _:b.", "?s ?p 1.5 .", "?s ?p 's'@en .", "?s ?p 's'^^e:t .",
    "FILTER(?s<?o)", "FILTER(?s != ?o)", "{ }", "'", '"', "\\", "<", ">",
    "?s ?p e:.", "?s ?p :.", "?s ?p e:x\\..", "?s a.", "?s e:p-.", "?s ?p _:b-.",
]
NOISE = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)


@pytest.fixture(scope="module")
def engine():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    with Listener() as listener:
        yield store, listener


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=NOISE, after=NOISE, keyword=st.sampled_from(["SERVICE", "service", "SeRvIcE"]),
       silent=st.booleans(), prefixed=st.booleans())
def test_whatever_the_store_reads_as_service_the_check_sees(engine, before, after, keyword, silent, prefixed):
    """Text around a SERVICE call, built from the lexical pieces that could hide it (comments, line ends,
    quotes, dots): whenever the store would call the endpoint, the lexical check has seen SERVICE."""
    store, listener = engine
    target = "e:x" if prefixed else f"<{listener.url}>"
    text = (f"PREFIX e: <{listener.url}> SELECT * WHERE {{ {before}{keyword}{' SILENT' if silent else ''} "
            f"{target} {{ ?s ?p ?o }} {after} }}")
    called = len(listener.connections)
    try:
        list(store.query(text))
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    if len(listener.connections) > called:
        assert analyse(text).uses_service, repr(text)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s a sd:Service }",
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * WHERE { ?s ?p <http://example.org/SERVICE> }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { }",
    "PREFIX service: <http://x/> SELECT * WHERE { ?s service:p ?o }",
])
def test_service_in_a_name_string_or_comment_is_not_a_call(text):
    assert not analyse(text).uses_service

"""Fuzzing: property-based tests (hypothesis) of parameter binding and content negotiation, and
schemathesis against the served /openapi.json. Never a 5xx, never a response the document does not
describe, never a 200 that carries an error, never a stack trace or a server path in a body.

Bounded: a few hundred generated cases in all, well under a minute on the project machine."""
import json
import shutil

import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis import strategies as st
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from lmkg.paths import QUERIES_DIR
from service.engine.catalogue import ParameterError, load_catalogue
from service.engine.results import available_types

CATALOGUE = load_catalogue(QUERIES_DIR)
PARAMETERS = [param for query in CATALOGUE.values() for param in query.params.values()]
FIXTURES = [HealthCheck.function_scoped_fixture]
LEAKS = ("Traceback", 'File "', "/site-packages/", ".py\"", "/work/", "/tmp/", "/root/")


def assert_no_leak(body: str) -> None:
    for marker in LEAKS:
        assert marker not in body, f"{marker!r} in an answer: {body[:500]}"


# -- parameter binding ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index(app):
    return app.extensions["lmkg"].index()


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(param=st.sampled_from(PARAMETERS), raw=st.one_of(
    st.text(max_size=250), st.from_regex(r"-?\d{0,40}(\.\d{0,40})?([eE][-+]?\d{1,12})?", fullmatch=True),
    st.sampled_from(["NaN", "-Infinity", "sNaN", "1_000", " 42 ", "0x1F", "١٢٣"])))
def test_binding_any_text_gives_one_term_or_a_4xx(index, param, raw):
    import pyoxigraph as ox
    try:
        term = param.bind(raw, index)
    except ParameterError as error:
        assert 400 <= error.status < 500
        return
    assert isinstance(term, (ox.NamedNode, ox.Literal))
    if param.type in ("decimal", "integer"):
        assert "E" not in term.value.upper() and len(term.value) <= 80  # plain notation, bounded


CANNED_NAMES = sorted(CATALOGUE)


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURES)
@given(name=st.sampled_from(CANNED_NAMES), data=st.data())
def test_any_canned_parameter_values_get_a_result_or_a_problem(client, name, data):
    query = CATALOGUE[name]
    keys = st.sampled_from([*query.params, "format", "release", "explain", "x"])
    args = data.draw(st.dictionaries(keys, st.text(max_size=60), max_size=3))
    response = client.get(f"/queries/{name}", query_string=args)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == response.status_code
    assert_no_leak(response.get_data(as_text=True))


QUERIES = ["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
           "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3", "DESCRIBE <https://w3id.org/lungmet-kg/id/drug/osimertinib>"]


@settings(max_examples=100, deadline=None, suppress_health_check=FIXTURES)
@given(query=st.one_of(st.sampled_from(QUERIES), st.text(max_size=80)), data=st.data(),
       method=st.sampled_from(["GET", "POST"]))
def test_any_protocol_request_gets_a_result_or_a_problem(client, query, data, method):
    """Any values of the protocol's parameters (graph IRIs that are no IRIs, unknown formats and releases,
    parameters it does not know) get an answer or a 4xx problem, by GET and by POST."""
    args = data.draw(st.dictionaries(
        st.sampled_from(["default-graph-uri", "named-graph-uri", "format", "output", "release", "timeout"]),
        st.one_of(st.text(max_size=40), st.sampled_from(["https://w3id.org/lungmet-kg/graph/seeds", "urn:x", "a b", ""])),
        max_size=3))
    if method == "GET":
        response = client.get("/sparql", query_string={"query": query, **args})
    else:
        response = client.post("/sparql", data={"query": query, **args})
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
    assert_no_leak(response.get_data(as_text=True))


# -- content negotiation --------------------------------------------------------------------------------

MEDIA_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
               "text/tab-separated-values", "application/json", "text/turtle", "application/n-triples",
               "application/rdf+xml", "application/ld+json", "text/html", "text/plain", "image/png", "*/*", "text/*",
               "application/*", "application/xml", "text/xml", "application/problem+json", "x/y", "nonsense", ""]
ACCEPT_ENTRY = st.tuples(st.sampled_from(MEDIA_TYPES),
                         st.one_of(st.none(), st.sampled_from(["0", "0.1", "0.5", "1", "1.0", "2", "-1", "x", ""])),
                         st.sampled_from(["", ";charset=utf-8", ";profile=x", ";level=1", ";q"]))
ACCEPT = st.one_of(
    st.lists(ACCEPT_ENTRY, max_size=4).map(
        lambda entries: ", ".join(f"{m}{extra}" + (f";q={q}" if q is not None else "") for m, q, extra in entries)),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
RESOURCES = {
    "sparql select": ("/sparql", {"query": "SELECT ?l WHERE { <https://w3id.org/lungmet-kg/id/drug/osimertinib> "
                                           "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"}, available_types("SELECT")),
    "sparql construct": ("/sparql", {"query": "CONSTRUCT WHERE { <https://w3id.org/lungmet-kg/id/drug/osimertinib> ?p ?o }"},
                         available_types("CONSTRUCT")),
    # a canned query also has its page for people (service/pages/query_page.py)
    "canned select": ("/queries/drugs-by-target", {"target": "EGFR"}, available_types("SELECT") + ["text/html"]),
    "canned graph": ("/queries/describe", {"entity": "osimertinib"}, available_types("CONSTRUCT") + ["text/html"]),
}


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(resource=st.sampled_from(sorted(RESOURCES)), accept=ACCEPT)
def test_negotiation_answers_an_acceptable_type_or_406(client, resource, accept):
    path, args, offered = RESOURCES[resource]
    response = client.get(path, query_string=args, headers={"Accept": accept})
    assert response.status_code in (200, 406), (accept, response.status_code, response.get_data(as_text=True))
    parsed = parse_accept_header(accept, MIMEAccept)
    acceptable = [m for m in offered if parsed.quality(m) > 0] if parsed else offered
    if response.status_code == 406:
        assert not acceptable and response.mimetype == "application/problem+json"
    else:
        assert response.mimetype in acceptable, accept


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
@given(resource=st.sampled_from(sorted(RESOURCES)), name=st.text(max_size=12))
def test_any_format_name_gives_that_format_or_406(client, resource, name):
    path, args, offered = RESOURCES[resource]
    response = client.get(path, query_string={**args, "format": name})
    assert response.status_code in (200, 406), response.get_data(as_text=True)
    if response.status_code == 200:
        assert response.mimetype in offered


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURES)
@given(accept=ACCEPT, path=st.sampled_from(["/", "/queries", "/ontology", "/id/drug/osimertinib", "/api", "/health",
                                             "/openapi.json", "/sparql"]))
def test_pages_and_documents_never_fail_on_a_strange_accept(client, accept, path):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code in (200, 406), (accept, response.status_code)
    assert_no_leak(response.get_data(as_text=True))


# -- schemathesis against the served OpenAPI document ------------------------------------------------------

@pytest.fixture(scope="module")
def fuzzed_app(data_dir, tmp_path_factory):
    """The service over a copy of the data (schemathesis saves queries), with a small time limit."""
    from service import create_app
    copy = tmp_path_factory.mktemp("fuzzed")
    shutil.copytree(data_dir / "releases", copy / "releases")
    app = create_app({"DATA_DIR": str(copy), "ISOLATED_WORKERS": 1, "QUERY_TIMEOUT": 5.0})
    yield app
    app.extensions["lmkg"].close()


# Besides schemathesis's defaults, a request the document rules out may also be refused with 410 (a
# release that is not kept) or 413 (a query over the length limit).
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 410, 413, 415, 422, 428, 429]
"""


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    from schemathesis.config import SchemathesisConfig
    return schemathesis.openapi.from_wsgi("/openapi.json", fuzzed_app, config=SchemathesisConfig.from_str(CONFIG))


@schemathesis.check
def no_error_in_a_success(ctx, response, case):
    """A 2xx never carries a problem document, and no answer shows a stack trace or a server path."""
    text = response.content.decode("utf-8", "replace")
    assert_no_leak(text)
    if response.status_code < 300:
        media_type = (response.headers.get("Content-Type") or [""])[0].split(";")[0]
        assert media_type != "application/problem+json", "a 2xx carries a problem document"
        if media_type.endswith("json") and text:
            body = json.loads(text)
            assert not (isinstance(body, dict) and {"type", "title", "status", "detail"} <= set(body)), \
                "a 2xx carries an error"


# SPARQL text cannot be described in JSON Schema: a schema-valid string that is no query gets 400
FREE_TEXT = {"GET /sparql", "POST /sparql", "POST /saved"}
SCHEMATHESIS_EXAMPLES = 8   # per operation and generation mode: about 400 requests in all


def operations(schema) -> list:
    found = []
    for result in schema.get_all_operations():
        found.append(result.ok())
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_the_service_does_what_its_openapi_document_says(api_schema, mode):
    """Every operation of the document, with data that fits it (valid) and data that does not (invalid)."""
    calls = []
    for operation in operations(api_schema):
        @settings(max_examples=SCHEMATHESIS_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        @given(case=operation.as_strategy(mode))
        def check(case):
            excluded = [positive_data_acceptance] if operation.label in FREE_TEXT else []
            # schemathesis's WSGI transport asks for gzip but does not decode it: ask for the plain bodies
            case.call_and_validate(headers={"Accept-Encoding": "identity"},
                                   additional_checks=[no_error_in_a_success], excluded_checks=excluded)
            calls.append(operation.label)

        try:
            check()
        except Unsatisfiable:  # every value is valid (a free-text path segment): nothing invalid to send
            assert mode == GenerationMode.NEGATIVE
    print(f"\nschemathesis: {len(calls)} {mode.value} requests over {len(set(calls))} operations")

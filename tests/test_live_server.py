"""The live service (`lmkg serve`, see tests/live.py) through SPARQLWrapper, as a client would use it:
every result format for every query form, by GET, URL-encoded POST and direct POST; a canned query by
URL; updates refused; malformed SPARQL answered with a problem document."""
import csv
import io
import json
import urllib.error
import warnings

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML,
                           SPARQLWrapper)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.live import http_request, live_server  # noqa: F401

OSIMERTINIB = "https://w3id.org/lungmet-kg/id/drug/osimertinib"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LMKG = "https://w3id.org/lungmet-kg/ontology#"
LABEL_TRIPLE = (URIRef(OSIMERTINIB), URIRef(RDFS_LABEL), Literal("osimertinib", lang="en"))

SELECT_LABEL = f"SELECT ?l WHERE {{ <{OSIMERTINIB}> <{RDFS_LABEL}> ?l }}"
ASK_TRUE = f"ASK {{ <{OSIMERTINIB}> a <{LMKG}Drug> }}"
ASK_FALSE = f"ASK {{ <{OSIMERTINIB}> a <{LMKG}Gene> }}"
CONSTRUCT = f"CONSTRUCT {{ <{OSIMERTINIB}> ?p ?o }} WHERE {{ <{OSIMERTINIB}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{OSIMERTINIB}>"

# how a request is sent: SPARQLWrapper method and request method
SENDING = {
    "GET": (GET, URLENCODED),
    "POST-form": (POST, URLENCODED),
    "POST-direct": (POST, POSTDIRECTLY),
}
PROBLEM = "application/problem+json"

# SPARQLWrapper 2.0.0 parses JSON-LD into an rdflib ConjunctiveGraph, which rdflib 7 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def endpoint(live_server):
    return live_server + "/sparql"


def wrapper(endpoint: str, query: str, sending: str, return_format: str | None = None,
            accept: str | None = None) -> SPARQLWrapper:
    """A SPARQLWrapper for `query`; with `accept`, content negotiation only, with that Accept header."""
    sw = SPARQLWrapper(endpoint)
    method, request_method = SENDING[sending]
    sw.setMethod(method)
    sw.setRequestMethod(request_method)
    sw.setQuery(query)
    if return_format:
        sw.setReturnFormat(return_format)
    if accept:
        sw.setOnlyConneg(True)
        sw.addCustomHttpHeader("Accept", accept)
    return sw


def describe_request(sw: SPARQLWrapper) -> str:
    request = sw._createRequest()
    headers = "\n".join(f"    {k}: {v}" for k, v in request.header_items())
    return f"{request.get_method()} {request.full_url}\n{headers}\n    body: {request.data!r}"


def run(sw: SPARQLWrapper):
    """sw.query(), turning an HTTP error into a failure that shows the request and the answer."""
    try:
        return sw.query()
    except urllib.error.HTTPError as error:
        failure = (f"\n--- request ---\n{describe_request(sw)}\n--- response ---\n{error.code} {error.reason}\n"
                   f"{error.headers}    body: {error.read()!r}")
    pytest.fail(failure)


def converted(result):
    """result.convert(), where SPARQLWrapper's warning that the answer is not in the requested format fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        return result.convert()


def mimetype(result) -> str:
    return result.info()["content-type"].split(";")[0].strip()


def values(rows: list[dict], name: str) -> list[str]:
    return [row[name] for row in rows]


# -- SELECT --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sending", SENDING)
def test_select_json(endpoint, sending):
    result = run(wrapper(endpoint, SELECT_LABEL, sending, JSON))
    assert mimetype(result) == "application/sparql-results+json"
    doc = converted(result)
    assert doc["head"]["vars"] == ["l"]
    assert doc["results"]["bindings"] == [{"l": {"type": "literal", "value": "osimertinib", "xml:lang": "en"}}]


@pytest.mark.parametrize("sending", SENDING)
def test_select_xml(endpoint, sending):
    result = run(wrapper(endpoint, SELECT_LABEL, sending, XML))
    assert mimetype(result) == "application/sparql-results+xml"
    dom = converted(result)
    assert [v.getAttribute("name") for v in dom.getElementsByTagName("variable")] == ["l"]
    literals = dom.getElementsByTagName("literal")
    assert [(n.firstChild.data, n.getAttribute("xml:lang")) for n in literals] == [("osimertinib", "en")]


@pytest.mark.parametrize("sending", SENDING)
def test_select_csv(endpoint, sending):
    result = run(wrapper(endpoint, SELECT_LABEL, sending, CSV))
    assert mimetype(result) == "text/csv"
    table = list(csv.reader(io.StringIO(converted(result).decode("utf-8"))))
    assert table == [["l"], ["osimertinib"]]


@pytest.mark.parametrize("sending", SENDING)
def test_select_tsv(endpoint, sending):
    result = run(wrapper(endpoint, SELECT_LABEL, sending, TSV))
    assert mimetype(result) == "text/tab-separated-values"
    lines = converted(result).decode("utf-8").rstrip("\n").split("\n")
    assert lines == ["?l", '"osimertinib"@en']


def test_select_drugs_of_a_class(endpoint):
    """A query over the data (not only one label): the third-generation EGFR-TKIs include osimertinib."""
    query = (f"SELECT ?drug WHERE {{ ?drug a <{LMKG}ThirdGenerationEGFRTKI> }}")
    doc = converted(run(wrapper(endpoint, query, "GET", JSON)))
    assert OSIMERTINIB in [b["drug"]["value"] for b in doc["results"]["bindings"]]


# -- ASK -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sending", SENDING)
@pytest.mark.parametrize("query,expected", [(ASK_TRUE, True), (ASK_FALSE, False)], ids=["true", "false"])
def test_ask_json(endpoint, sending, query, expected):
    result = run(wrapper(endpoint, query, sending, JSON))
    assert mimetype(result) == "application/sparql-results+json"
    assert converted(result)["boolean"] is expected


@pytest.mark.parametrize("sending", SENDING)
@pytest.mark.parametrize("query,expected", [(ASK_TRUE, True), (ASK_FALSE, False)], ids=["true", "false"])
def test_ask_xml(endpoint, sending, query, expected):
    result = run(wrapper(endpoint, query, sending, XML))
    assert mimetype(result) == "application/sparql-results+xml"
    dom = converted(result)
    assert [n.firstChild.data for n in dom.getElementsByTagName("boolean")] == [str(expected).lower()]


# -- CONSTRUCT and DESCRIBE ------------------------------------------------------------------------------

# format name -> (SPARQLWrapper return format, Accept header for conneg only or None, media type, rdflib format)
GRAPH_FORMATS = {
    "turtle": (TURTLE, None, "text/turtle", "turtle"),
    "n-triples": (TURTLE, "application/n-triples", "application/n-triples", "nt"),  # no SPARQLWrapper constant
    "rdf-xml": (RDFXML, None, "application/rdf+xml", "xml"),
    "json-ld": (JSONLD, None, "application/ld+json", "json-ld"),
}


def parsed_graph(result, rdflib_format: str) -> Graph:
    """What SPARQLWrapper made of the answer, as an rdflib Graph parsed in the expected format."""
    value = converted(result)
    if isinstance(value, Graph):  # RDF/XML and JSON-LD: SPARQLWrapper parsed it with rdflib already
        return value
    return Graph().parse(data=value, format=rdflib_format)


@pytest.mark.parametrize("sending", SENDING)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_graph_results(endpoint, query, fmt, sending):
    return_format, accept, media_type, rdflib_format = GRAPH_FORMATS[fmt]
    result = run(wrapper(endpoint, query, sending, return_format, accept))
    assert mimetype(result) == media_type
    g = parsed_graph(result, rdflib_format)
    assert LABEL_TRIPLE in g
    assert (URIRef(OSIMERTINIB), None, URIRef(f"{LMKG}ThirdGenerationEGFRTKI")) in g
    assert all(s == URIRef(OSIMERTINIB) for s in g.subjects()) or query == DESCRIBE


@pytest.mark.parametrize("accept,media_type,rdflib_format", [
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
def test_graph_results_by_accept_header_only(endpoint, query, accept, media_type, rdflib_format):
    """The same through content negotiation alone (no format= parameter)."""
    sw = wrapper(endpoint, query, "GET", accept=accept)
    result = run(sw)
    assert mimetype(result) == media_type
    g = Graph().parse(data=result.response.read(), format=rdflib_format)
    assert LABEL_TRIPLE in g


def test_construct_with_sparqlwrapper_defaults(endpoint):
    """SPARQLWrapper's default return format is XML, which for CONSTRUCT means RDF/XML (it sends
    format=xml and Accept: application/rdf+xml, and parses the answer as RDF/XML)."""
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(CONSTRUCT)
    result = run(sw)
    assert mimetype(result) == "application/rdf+xml"
    assert LABEL_TRIPLE in converted(result)


# -- canned query --------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept", [None, "application/sparql-results+json"], ids=["no-accept", "accept-json"])
def test_canned_query_by_url(live_server, accept):
    reply = http_request(live_server, "GET", "/queries/drugs-by-target?target=EGFR",
                         headers={"Accept": accept} if accept else {})
    assert reply.status == 200, str(reply)
    assert reply.mimetype == "application/sparql-results+json", str(reply)
    assert reply.headers.get("X-LMKG-Query") == "drugs-by-target", str(reply)
    doc = reply.json()
    assert "drug_label" in doc["head"]["vars"]
    labels = {b["drug_label"]["value"] for b in doc["results"]["bindings"]}
    assert {"osimertinib", "gefitinib", "erlotinib"} <= labels
    drugs = {b["drug"]["value"] for b in doc["results"]["bindings"]}
    assert OSIMERTINIB in drugs


# -- updates are refused -------------------------------------------------------------------------------

INSERT = 'INSERT DATA { <https://example.org/s> <https://example.org/p> "written by a test" }'
PROBE = 'ASK { ?s ?p "written by a test" }'


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY], ids=["update-form", "sparql-update"])
def test_update_through_sparqlwrapper_is_403(endpoint, request_method):
    sw = SPARQLWrapper(endpoint)
    sw.setMethod(POST)
    sw.setRequestMethod(request_method)
    sw.setQuery(INSERT)
    assert sw.isSparqlUpdateRequest()
    with pytest.raises(urllib.error.HTTPError) as raised:
        sw.query()
    error = raised.value
    assert error.code == 403, describe_request(sw)
    assert error.headers.get_content_type() == PROBLEM
    problem = json.loads(error.read())
    assert problem["status"] == 403 and problem["type"].endswith("/problems/read-only")
    assert converted(run(wrapper(endpoint, PROBE, "GET", JSON)))["boolean"] is False


def test_update_form_parameter_is_403(live_server):
    """The protocol's update= form parameter, sent by hand."""
    from urllib.parse import urlencode
    reply = http_request(live_server, "POST", "/sparql", urlencode({"update": INSERT}),
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 403 and reply.mimetype == PROBLEM, str(reply)
    assert reply.json()["status"] == 403


# -- malformed SPARQL ----------------------------------------------------------------------------------

MALFORMED = "SELECT ?s WHERE { ?s ?p "


@pytest.mark.parametrize("sending", SENDING)
def test_malformed_query_through_sparqlwrapper_is_400(endpoint, sending):
    sw = wrapper(endpoint, MALFORMED, sending, JSON)
    with pytest.raises(QueryBadFormed) as raised:
        sw.query()
    body = str(raised.value)
    assert "malformed-query" in body and '"status":400' in body.replace(" ", "")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_malformed_query_is_400_problem_json(live_server, method):
    from urllib.parse import quote
    if method == "GET":
        reply = http_request(live_server, "GET", "/sparql?query=" + quote(MALFORMED, safe=""),
                             headers={"Accept": "application/sparql-results+json"})
    else:
        reply = http_request(live_server, "POST", "/sparql", MALFORMED,
                             {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert reply.status == 400, str(reply)
    assert reply.mimetype == PROBLEM, str(reply)
    problem = reply.json()
    assert problem["status"] == 400 and problem["title"] and problem["detail"], str(reply)
    assert problem["type"] == "https://w3id.org/lungmet-kg/problems/malformed-query", str(reply)
    assert problem["instance"] == "/sparql", str(reply)
    assert "Traceback" not in reply.text() and "/work/" not in reply.text(), str(reply)


# -- service description -------------------------------------------------------------------------------

def test_get_without_query_is_the_service_description_in_turtle(live_server):
    reply = http_request(live_server, "GET", "/sparql")
    assert reply.status == 200 and reply.mimetype == "text/turtle", str(reply)
    g = Graph().parse(data=reply.body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoints = {str(o) for o in g.objects(None, URIRef(sd + "endpoint"))}
    assert endpoints == {live_server + "/sparql"}
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g

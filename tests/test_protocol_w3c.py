"""The W3C SPARQL 1.1 Protocol test suite, run as real HTTP against `lmkg serve` (tests/live.py).

Source: w3c/rdf-tests, sparql/sparql11/protocol/manifest.ttl (34 entries, approved 2012-11-20). Every
entry has a test here named after it, with the entry's mf:name in its docstring:

* the query entries (query_*, bad_query_*, bad_multiple_queries) send the manifest's request and check
  the manifest's expected status, media type and result;
* the update entries (update_*, bad_update_*, bad_multiple_updates) send the manifest's request
  verbatim; this endpoint is read-only, so a well-formed update must be refused with 403, a malformed
  one with a 4xx, and the store must be unchanged afterwards.

Requests go to /sparql (the manifest's /sparql/ is a placeholder for the endpoint path).

The manifest's dataset tests name graphs on the web (http://kasei.us/2009/09/sparql/data/dataN.rdf,
each holding one `<dataN.rdf> a foaf:Document` triple). This service never fetches graphs, so those
tests use named graphs of the store instead, each with a resource typed in that graph only:

    data1.rdf -> graph/seeds     <id/drug/osimertinib>         a owl:NamedIndividual
    data2.rdf -> graph/ontology  <ontology#highPenetration>    a owl:NamedIndividual
    data3.rdf -> graph/b3db      <id/b3db/280> (gefitinib)     a lmkg:BBBPermeabilityRecord

Where a request's result does not depend on the dataset (`ASK {}`, `SELECT (1 AS ?value) {}`, …) it
is also sent verbatim, with the web IRI, which the service must answer without fetching anything.

A few further tests come from the SPARQL 1.2 revision of this suite (sparql11/protocol/requirements.md
and sparql12-protocol-test.md in w3c/rdf-tests), whose manifest is not in the repository: their
requests are reconstructed from those descriptions and marked "1.2 revision" below. The version-
parameter tests of sparql/sparql12/protocol/manifest.ttl are SPARQL 1.2 only and not run here.
"""
import csv
import io
import urllib.parse
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset

from tests.live import http_request, live_server  # noqa: F401

ENDPOINT = "/sparql"
GRAPH = "https://w3id.org/lungmet-kg/graph/"
SEEDS, ONTOLOGY, B3DB, INFERRED, DERIVED, META = (GRAPH + name for name in ("seeds", "ontology", "b3db", "inferred", "derived", "meta"))
KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA0 = KASEI + "data0.rdf"

# stand-ins for data1.rdf, data2.rdf and data3.rdf (see the module docstring)
DATA1 = "<https://w3id.org/lungmet-kg/id/drug/osimertinib>"
DATA2 = "<https://w3id.org/lungmet-kg/ontology#highPenetration>"
DATA3 = "<https://w3id.org/lungmet-kg/id/b3db/280>"
STILL_THERE = 'ASK { <https://w3id.org/lungmet-kg/id/drug/osimertinib> <http://www.w3.org/2000/01/rdf-schema#label> "osimertinib"@en }'

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
PROBLEM = "application/problem+json"

BOOLEAN_TYPES = {"application/sparql-results+xml", "application/sparql-results+json"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/tab-separated-values", "text/csv"}
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "application/n-quads": "nquads", "application/trig": "trig"}
SRX = "{http://www.w3.org/2005/sparql-results#}"


# -- requests -----------------------------------------------------------------------------------------

def qs(*pairs) -> str:
    """A percent-encoded query string (spaces as %20, as in the manifest), keeping repeated keys."""
    return "&".join(f"{key}={urllib.parse.quote(value, safe='')}" for key, value in pairs)


def path(*pairs) -> str:
    return ENDPOINT + ("?" + qs(*pairs) if pairs else "")


def get(base, *pairs, headers=None):
    return http_request(base, "GET", path(*pairs), headers=headers)


def post_form(base, form_pairs, url_pairs=(), headers=None):
    return http_request(base, "POST", path(*url_pairs), qs(*form_pairs), {"Content-Type": FORM, **(headers or {})})


def post_direct(base, text, url_pairs=(), headers=None, content_type=DIRECT):
    return http_request(base, "POST", path(*url_pairs), text, {"Content-Type": content_type, **(headers or {})})


# -- responses ----------------------------------------------------------------------------------------

def check_success(reply, media_types):
    """2xx (the service answers 200) with one of the media types the manifest allows, in UTF-8."""
    assert reply.status == 200, str(reply)
    assert reply.mimetype in media_types, str(reply)
    charset = reply.headers.get_content_charset()
    assert charset in (None, "utf-8"), str(reply)


def boolean(reply) -> bool:
    check_success(reply, BOOLEAN_TYPES)
    if reply.mimetype == "application/sparql-results+json":
        value = reply.json()["boolean"]
        assert isinstance(value, bool), str(reply)
        return value
    node = ET.fromstring(reply.body).find(SRX + "boolean")
    assert node is not None and node.text in ("true", "false"), str(reply)
    return node.text == "true"


def solutions(reply) -> tuple[list[str], list[dict]]:
    """Variables and rows (variable -> lexical value) of a tabular answer in any of the four formats."""
    check_success(reply, TABULAR_TYPES)
    if reply.mimetype == "application/sparql-results+json":
        doc = reply.json()
        rows = [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
        return doc["head"]["vars"], rows
    if reply.mimetype == "application/sparql-results+xml":
        root = ET.fromstring(reply.body)
        names = [v.get("name") for v in root.iter(SRX + "variable")]
        rows = [{b.get("name"): "".join(b.itertext()).strip() for b in r.iter(SRX + "binding")}
                for r in root.iter(SRX + "result")]
        return names, rows
    if reply.mimetype == "text/csv":
        table = list(csv.reader(io.StringIO(reply.text())))
        return table[0], [dict(zip(table[0], row)) for row in table[1:]]
    lines = reply.text().rstrip("\n").split("\n")
    names = [n.lstrip("?") for n in lines[0].split("\t")]
    return names, [dict(zip(names, line.split("\t"))) for line in lines[1:]]


def graph_of(reply) -> Dataset:
    check_success(reply, RDF_TYPES)
    return Dataset().parse(data=reply.body, format=RDF_TYPES[reply.mimetype])


def check_refused(reply, *statuses):
    """A 4xx (one of `statuses` when given) answered as an RFC 9457 problem document."""
    assert 400 <= reply.status < 500, str(reply)
    if statuses:
        assert reply.status in statuses, str(reply)
    assert reply.mimetype == PROBLEM, str(reply)
    problem = reply.json()
    assert problem["status"] == reply.status and problem.get("title") and problem.get("type"), str(reply)
    assert "Traceback" not in reply.text(), str(reply)


def ask(base, query, *pairs) -> bool:
    return boolean(get(base, ("query", query), *pairs))


def graphs_seen(base, *pairs) -> set[str]:
    _, rows = solutions(get(base, ("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"), *pairs))
    return {row["g"] for row in rows}


# -- the stand-in data ---------------------------------------------------------------------------------

def test_stand_in_data_is_where_the_dataset_tests_expect_it(live_server):
    """Not a manifest entry: checks the substitution above (dataN.rdf -> a named graph of the store)."""
    where = "SELECT DISTINCT ?g ?type WHERE { GRAPH ?g { %s a ?type } }"
    placed = {}
    for name, subject in (("data1", DATA1), ("data2", DATA2), ("data3", DATA3)):
        _, rows = solutions(get(live_server, ("query", where % subject)))
        placed[name] = {(row["g"], row["type"]) for row in rows}
    named_individual = "http://www.w3.org/2002/07/owl#NamedIndividual"
    assert (SEEDS, named_individual) in placed["data1"]
    assert {g for g, _ in placed["data1"]} <= {SEEDS, INFERRED}
    assert placed["data2"] == {(ONTOLOGY, named_individual),
                               (ONTOLOGY, "https://w3id.org/lungmet-kg/ontology#BBBPenetrationLevel")}
    assert placed["data3"] == {(B3DB, "https://w3id.org/lungmet-kg/ontology#BBBPermeabilityRecord")}


# -- query operation: manifest entries ----------------------------------------------------------------

DATASET_FREE = pytest.mark.parametrize("graph", [DATA0, SEEDS], ids=["manifest-data0.rdf", "graph-seeds"])


@DATASET_FREE
def test_query_post_form(live_server, graph):
    """query_post_form — "query via URL-encoded POST".

    POST /sparql?default-graph-uri=<data0.rdf>, Content-Type application/x-www-form-urlencoded,
    body query=ASK%20%7B%7D -> 2xx, SPARQL results XML or JSON, true."""
    reply = http_request(live_server, "POST", path(("default-graph-uri", graph)), "query=ASK%20%7B%7D",
                         {"Content-Type": FORM})
    assert boolean(reply) is True


def test_query_dataset_default_graphs_get(live_server):
    """query_dataset_default_graphs_get — "GET query with protocol-specified default graph".

    GET ?query=ASK { <data1.rdf> a ?type . <data2.rdf> a ?type . } with default-graph-uri=data1.rdf
    and default-graph-uri=data2.rdf -> true (data1, data2 -> graph/seeds, graph/ontology)."""
    query = f"ASK {{ {DATA1} a ?type . {DATA2} a ?type . }}"
    reply = get(live_server, ("query", query), ("default-graph-uri", SEEDS), ("default-graph-uri", ONTOLOGY))
    assert boolean(reply) is True


def test_query_dataset_default_graphs_get_sees_only_those_graphs(live_server):
    """Companion of query_dataset_default_graphs_get: a default graph made of one named graph has only
    that graph's triples, so the same ASK is false with either graph alone."""
    query = f"ASK {{ {DATA1} a ?type . {DATA2} a ?type . }}"
    assert ask(live_server, query, ("default-graph-uri", SEEDS)) is False
    assert ask(live_server, query, ("default-graph-uri", ONTOLOGY)) is False
    assert ask(live_server, f"ASK {{ {DATA1} ?p ?o }}", ("default-graph-uri", ONTOLOGY)) is False
    assert ask(live_server, f"ASK {{ {DATA2} ?p ?o }}", ("default-graph-uri", ONTOLOGY)) is True


def test_query_dataset_default_graphs_post(live_server):
    """query_dataset_default_graphs_post — "POST query with protocol-specified default graphs".

    POST ?default-graph-uri=data1.rdf&default-graph-uri=data2.rdf, Content-Type application/sparql-query,
    body ASK { <data1.rdf> a ?type . <data2.rdf> a ?type . } -> true."""
    reply = post_direct(live_server, f"ASK {{ {DATA1} a ?type . {DATA2} a ?type . }}",
                        [("default-graph-uri", SEEDS), ("default-graph-uri", ONTOLOGY)])
    assert boolean(reply) is True


def test_query_dataset_named_graphs_post(live_server):
    """query_dataset_named_graphs_post — "POST query with protocol-specified named graphs".

    POST ?named-graph-uri=data1.rdf&named-graph-uri=data2.rdf, Content-Type application/sparql-query,
    body ASK { GRAPH ?g1 { <data1.rdf> a ?type } GRAPH ?g2 { <data2.rdf> a ?type } } -> true."""
    query = f"ASK {{ GRAPH ?g1 {{ {DATA1} a ?type }} GRAPH ?g2 {{ {DATA2} a ?type }} }}"
    reply = post_direct(live_server, query, [("named-graph-uri", SEEDS), ("named-graph-uri", ONTOLOGY)])
    assert boolean(reply) is True


def test_query_dataset_named_graphs_get(live_server):
    """query_dataset_named_graphs_get — "GET query with protocol-specified named graphs".

    GET ?query=ASK { GRAPH ?g1 { <data1.rdf> a ?type } GRAPH ?g2 { <data2.rdf> a ?type } }
    &named-graph-uri=data1.rdf&named-graph-uri=data2.rdf -> true."""
    query = f"ASK {{ GRAPH ?g1 {{ {DATA1} a ?type }} GRAPH ?g2 {{ {DATA2} a ?type }} }}"
    reply = get(live_server, ("query", query), ("named-graph-uri", SEEDS), ("named-graph-uri", ONTOLOGY))
    assert boolean(reply) is True


def test_query_dataset_named_graphs_restrict_graph_patterns(live_server):
    """Companion of query_dataset_named_graphs_get/_post: GRAPH ?g ranges over exactly the named graphs
    given, so a resource of a graph left out is not found in any GRAPH pattern."""
    named = [("named-graph-uri", SEEDS), ("named-graph-uri", ONTOLOGY)]
    assert graphs_seen(live_server, *named) == {SEEDS, ONTOLOGY}
    assert graphs_seen(live_server, ("named-graph-uri", B3DB)) == {B3DB}
    assert ask(live_server, f"ASK {{ GRAPH ?g {{ {DATA3} ?p ?o }} }}", *named) is False
    assert ask(live_server, f"ASK {{ GRAPH ?g {{ {DATA1} a ?type }} }}", ("named-graph-uri", ONTOLOGY)) is False


def test_query_dataset_full(live_server):
    """query_dataset_full — "query with protocol-specified dataset (both named and default graphs)".

    POST ?default-graph-uri=data3.rdf&named-graph-uri=data1.rdf&named-graph-uri=data2.rdf,
    Content-Type application/sparql-query, body
    ASK { <data3.rdf> a ?type GRAPH ?g1 { <data1.rdf> a ?type } GRAPH ?g2 { <data2.rdf> a ?type } } -> true.
    (No type is shared by graph/b3db and the other two, so data3's stand-in gets its own ?type3.)"""
    query = (f"ASK {{\n  {DATA3} a ?type3\n  GRAPH ?g1 {{ {DATA1} a ?type }}\n"
             f"  GRAPH ?g2 {{ {DATA2} a ?type }}\n}}")
    reply = post_direct(live_server, query, [("default-graph-uri", B3DB), ("named-graph-uri", SEEDS),
                                             ("named-graph-uri", ONTOLOGY)])
    assert boolean(reply) is True


def test_query_dataset_full_keeps_default_and_named_apart(live_server):
    """Companion of query_dataset_full: with that dataset the default graph holds only data3's graph and
    GRAPH ?g sees only data1's and data2's."""
    dataset = [("default-graph-uri", B3DB), ("named-graph-uri", SEEDS), ("named-graph-uri", ONTOLOGY)]
    assert ask(live_server, f"ASK {{ {DATA1} ?p ?o }}", *dataset) is False
    assert ask(live_server, f"ASK {{ {DATA3} ?p ?o }}", *dataset) is True
    assert ask(live_server, f"ASK {{ GRAPH ?g {{ {DATA3} ?p ?o }} }}", *dataset) is False
    assert graphs_seen(live_server, *dataset) == {SEEDS, ONTOLOGY}


def test_query_multiple_dataset(live_server):
    """query_multiple_dataset — "query specifying dataset in both query string and protocol; test for
    use of protocol-specified dataset".

    POST ?named-graph-uri=data1.rdf&named-graph-uri=data2.rdf, Content-Type application/sparql-query,
    body ASK FROM <data3.rdf> { GRAPH ?g1 { <data1.rdf> a ?type } GRAPH ?g2 { <data2.rdf> a ?type } }
    -> true (the query's dataset has no named graphs, so only the protocol's dataset can answer true).
    The manifest's path percent-encodes the second `&named-graph-uri=` (%26…%3D), which would make one
    parameter of both IRIs; the evident intent, two named graphs, is what is sent here."""
    query = (f"ASK FROM <{B3DB}> {{ GRAPH ?g1 {{ {DATA1} a ?type }} "
             f"GRAPH ?g2 {{ {DATA2} a ?type }} }}")
    reply = post_direct(live_server, query, [("named-graph-uri", SEEDS), ("named-graph-uri", ONTOLOGY)])
    assert boolean(reply) is True


def test_query_multiple_dataset_protocol_default_graph_wins(live_server):
    """query_multiple_dataset as first published (rdf-tests commit 645032e):

    POST ?default-graph-uri=data2.rdf, Content-Type application/sparql-query,
    body ASK FROM <data1.rdf> { <data1.rdf> ?p ?o } -> false (the protocol's default graph is used,
    not the query's FROM)."""
    reply = post_direct(live_server, f"ASK FROM <{SEEDS}> {{ {DATA1} ?p ?o }}", [("default-graph-uri", ONTOLOGY)])
    assert boolean(reply) is False


@DATASET_FREE
def test_query_get(live_server, graph):
    """query_get — "query via GET".

    GET ?query=ASK%20%7B%7D&default-graph-uri=<data0.rdf> -> 2xx, SPARQL results XML or JSON, true."""
    assert boolean(get(live_server, ("query", "ASK {}"), ("default-graph-uri", graph))) is True


@DATASET_FREE
def test_query_content_type_select(live_server, graph):
    """query_content_type_select — "query appropriate content type (expect one of: XML, JSON, CSV, TSV)".

    POST ?default-graph-uri=<data0.rdf>, Content-Type application/sparql-query,
    body SELECT (1 AS ?value) {} -> 2xx, application/sparql-results+xml, application/sparql-results+json,
    text/tab-separated-values or text/csv."""
    names, rows = solutions(post_direct(live_server, "SELECT (1 AS ?value) {}", [("default-graph-uri", graph)]))
    assert names == ["value"] and rows == [{"value": "1"}]


@DATASET_FREE
def test_query_content_type_ask(live_server, graph):
    """query_content_type_ask — "query appropriate content type (expect one of: XML, JSON)".

    POST ?default-graph-uri=<data0.rdf>, Content-Type application/sparql-query, body ASK {}
    -> 2xx, application/sparql-results+xml or application/sparql-results+json."""
    assert boolean(post_direct(live_server, "ASK {}", [("default-graph-uri", graph)])) is True


@DATASET_FREE
def test_query_content_type_describe(live_server, graph):
    """query_content_type_describe — "query appropriate content type (expect one of: RDF/XML, Turtle,
    N-Triples, RDFa)".

    POST ?default-graph-uri=<data0.rdf>, Content-Type application/sparql-query,
    body DESCRIBE <http://example.org/> -> 2xx, an RDF media type (application/rdf+xml, text/turtle, …)."""
    described = graph_of(post_direct(live_server, "DESCRIBE <http://example.org/>", [("default-graph-uri", graph)]))
    assert len(described) == 0


@DATASET_FREE
def test_query_content_type_construct(live_server, graph):
    """query_content_type_construct — "query appropriate content type (expect one of: RDF/XML, Turtle,
    N-Triples, RDFa)".

    POST ?default-graph-uri=<data0.rdf>, Content-Type application/sparql-query,
    body CONSTRUCT { <s> <p> 1 } WHERE {} -> 2xx, an RDF media type. The relative IRIs <s> and <p>
    resolve against the service's base IRI (SPARQL 1.1 Protocol: "which MAY be the service endpoint")."""
    constructed = graph_of(post_direct(live_server, "CONSTRUCT { <s> <p> 1 } WHERE {}", [("default-graph-uri", graph)]))
    triples = list(constructed.triples((None, None, None)))
    assert len(triples) == 1
    s, p, o = triples[0]
    assert str(s).endswith("s") and str(p).endswith("p") and o.toPython() == 1
    assert urllib.parse.urlsplit(str(s)).scheme  # an absolute IRI


def test_query_post_direct(live_server):
    """query_post_direct — "query via POST directly".

    POST /sparql, Content-Type application/sparql-query, body ASK {} -> 2xx, SPARQL results XML or JSON, true."""
    assert boolean(post_direct(live_server, "ASK {}")) is True


def test_bad_query_method(live_server):
    """bad_query_method — "invoke query operation with a method other than GET or POST".

    PUT ?query=ASK%20%7B%7D&default-graph-uri=<data0.rdf>, Content-Type application/x-www-form-urlencoded,
    empty body -> 4xx (405 Method Not Allowed, naming GET and POST in Allow)."""
    reply = http_request(live_server, "PUT", path(("query", "ASK {}"), ("default-graph-uri", DATA0)), b"",
                         {"Content-Type": FORM})
    check_refused(reply, 405)
    assert {"GET", "POST"} <= {m.strip() for m in reply.headers.get("Allow", "").split(",")}, str(reply)


def test_bad_multiple_queries(live_server):
    """bad_multiple_queries — "invoke query operation with more than one query string".

    GET ?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D -> 4xx (400)."""
    check_refused(get(live_server, ("query", "ASK {}"), ("query", "SELECT * {}")), 400)


def test_bad_query_wrong_media_type(live_server):
    """bad_query_wrong_media_type — "invoke query operation with a POST with media type that's not
    url-encoded or application/sparql-query".

    POST /sparql, Content-Type text/plain, body ASK {} -> 4xx (415 Unsupported Media Type)."""
    check_refused(post_direct(live_server, "ASK {}", content_type="text/plain"), 415)


def test_bad_query_missing_form_type(live_server):
    """bad_query_missing_form_type — "invoke query operation with url-encoded body, but without
    application/x-www-form-urlencoded media type".

    POST /sparql, no Content-Type, body query=ASK%20%7B%7D -> 4xx (415)."""
    check_refused(http_request(live_server, "POST", ENDPOINT, "query=ASK%20%7B%7D"), 415)


def test_bad_query_missing_direct_type(live_server):
    """bad_query_missing_direct_type — "invoke query operation with SPARQL body, but without
    application/sparql-query media type".

    POST /sparql, no Content-Type, body ASK {} -> 4xx (415)."""
    check_refused(http_request(live_server, "POST", ENDPOINT, "ASK {}"), 415)


def test_bad_query_non_utf8(live_server):
    """bad_query_non_utf8 — "invoke query operation with direct POST, but with a non-UTF8 encoding (UTF-16)".

    POST /sparql, Content-Type application/sparql-query; charset=UTF-16, body ASK {} in UTF-16 with a
    BOM -> 4xx (400 or 415: UTF-8 is the only valid charset of application/sparql-query)."""
    body = "ASK {}".encode("utf-16")
    assert body[:2] in (b"\xff\xfe", b"\xfe\xff") and len(body) == 14
    reply = http_request(live_server, "POST", ENDPOINT, body, {"Content-Type": "application/sparql-query; charset=UTF-16"})
    check_refused(reply, 400, 415)


def test_bad_query_syntax(live_server):
    """bad_query_syntax — "invoke query operation with invalid query syntax (4XX result)".

    GET ?query=ASK%20%7B -> 4xx (400 Bad Request: not a legal SPARQL query)."""
    check_refused(http_request(live_server, "GET", ENDPOINT + "?query=ASK%20%7B"), 400)


# -- query operation: tests of the SPARQL 1.2 revision of the suite -----------------------------------

def test_query_dataset_default_graph(live_server):
    """query_dataset_default_graph (1.2 revision; the single-graph variant of the original suite) —
    protocol-specified default graph.

    POST form query=ASK { <data1.rdf> ?p ?o }&default-graph-uri=data1.rdf -> true."""
    query = f"ASK {{ {DATA1} ?p ?o }}"
    assert boolean(post_form(live_server, [("query", query), ("default-graph-uri", SEEDS)])) is True
    assert boolean(post_form(live_server, [("query", query), ("default-graph-uri", B3DB)])) is False


def test_query_post_form_dataset(live_server):
    """query_post_form_dataset (1.2 revision) — URL-encoded POST with default-graph-uri in the form body
    beside query (Protocol §2.1.2)."""
    query = f"ASK {{ {DATA1} a ?type . {DATA2} a ?type . }}"
    both = [("query", query), ("default-graph-uri", SEEDS), ("default-graph-uri", ONTOLOGY)]
    assert boolean(post_form(live_server, both)) is True
    assert boolean(post_form(live_server, both[:2])) is False


def test_bad_multiple_queries_form(live_server):
    """bad_multiple_queries_form (1.2 revision) — two query= parameters in a URL-encoded POST body -> 4xx."""
    check_refused(post_form(live_server, [("query", "ASK {}"), ("query", "SELECT * {}")]), 400)


@pytest.mark.parametrize("form", ["SELECT", "ASK"])
@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "application/sparql-results+json"],
                         ids=["query_content_negotiation_xml", "query_content_negotiation_json"])
def test_query_content_negotiation(live_server, accept, form):
    """query_content_negotiation_xml / query_content_negotiation_json (1.2 revision) — the Accept header
    chooses the results format (Protocol §2.2.5, content negotiation)."""
    query = "SELECT (1 AS ?value) {}" if form == "SELECT" else "ASK {}"
    reply = get(live_server, ("query", query), headers={"Accept": accept})
    check_success(reply, {accept})
    if form == "ASK":
        assert boolean(reply) is True
    else:
        assert solutions(reply) == (["value"], [{"value": "1"}])


def test_query_base_uri(live_server):
    """query_base_uri (1.2 revision) — relative IRIs of a query resolve against its BASE."""
    query = ('BASE <https://w3id.org/lungmet-kg/id/drug/> '
             'ASK { <osimertinib> <http://www.w3.org/2000/01/rdf-schema#label> "osimertinib"@en }')
    assert boolean(post_direct(live_server, query)) is True


# -- query operation: dataset in the query string (Protocol §2.1.4, no manifest entry) ----------------

def test_spec_dataset_from_the_query_string_is_used(live_server):
    """Not a manifest entry. SPARQL 1.1 Protocol §2.1.4: the dataset may be given in the query string with
    FROM / FROM NAMED; with no default-graph-uri / named-graph-uri, that dataset is the one used
    (SPARQL 1.1 Query §13.2: a dataset description replaces the service's default dataset)."""
    assert ask(live_server, f"ASK FROM <{SEEDS}> {{ {DATA1} ?p ?o }}") is True
    assert ask(live_server, f"ASK FROM <{ONTOLOGY}> {{ {DATA1} ?p ?o }}") is False, (
        "FROM <graph/ontology> was not used: osimertinib (graph/seeds) is found in the default graph")
    assert graphs_seen(live_server) >= {SEEDS, ONTOLOGY, B3DB}
    _, rows = solutions(get(live_server, ("query", f"SELECT DISTINCT ?g FROM NAMED <{B3DB}> "
                                                   "WHERE { GRAPH ?g { ?s ?p ?o } }")))
    assert {row["g"] for row in rows} == {B3DB}


# -- update operation: refused on this read-only endpoint ----------------------------------------------

UPDATE_DATASET_DEFAULT_GRAPH = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document
    }
} ;
INSERT {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""

DROP_AND_INSERT_THREE = """PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {
    GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> { <http://kasei.us/2009/09/sparql/data/data1.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data2.rdf> { <http://kasei.us/2009/09/sparql/data/data2.rdf> a foaf:Document }
    GRAPH <http://kasei.us/2009/09/sparql/data/data3.rdf> { <http://kasei.us/2009/09/sparql/data/data3.rdf> a foaf:Document }
} ;
"""

UPDATE_DATASET_DEFAULT_GRAPHS = DROP_AND_INSERT_THREE + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    ?s a foaf:Document
}"""

UPDATE_DATASET_NAMED_GRAPHS = DROP_AND_INSERT_THREE + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> {
        ?s a dc:BibliographicResource
    }
}
WHERE {
    GRAPH ?g {
        ?s a foaf:Document
    }
}"""

UPDATE_DATASET_FULL = DROP_AND_INSERT_THREE + """INSERT {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        ?s <http://example.org/in> ?in
    }
}
WHERE {
    {
        GRAPH ?g { ?s a foaf:Document }
        BIND(?g AS ?in)
    }
    UNION
    {
        ?s a foaf:Document .
        BIND("default" AS ?in)
    }
}"""

CHECK_DEFAULT_GRAPH = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource>
    }
}"""


def check_graphs_check(test_graph: str) -> str:
    return f"""ASK {{
    GRAPH <{test_graph}> {{
        <http://kasei.us/2009/09/sparql/data/data1.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
    }}
    FILTER NOT EXISTS {{
        GRAPH <{test_graph}> {{
            <http://kasei.us/2009/09/sparql/data/data3.rdf> a <http://purl.org/dc/terms/BibliographicResource> .
        }}
    }}
}}"""


CHECK_FULL = """ASK {
    GRAPH <http://example.org/protocol-update-dataset-full-test/> {
        <http://kasei.us/2009/09/sparql/data/data1.rdf> <http://example.org/in> "default" .
        <http://kasei.us/2009/09/sparql/data/data2.rdf> <http://example.org/in> <http://kasei.us/2009/09/sparql/data/data2.rdf> .
    }
    FILTER NOT EXISTS {
        GRAPH <http://example.org/protocol-update-dataset-full-test/> {
            <http://kasei.us/2009/09/sparql/data/data3.rdf> ?p ?o
        }
    }
}"""


def check_unchanged(base):
    """The refused update changed nothing: the data is all there and nothing of the update is."""
    assert ask(base, STILL_THERE) is True
    assert ask(base, "ASK { GRAPH ?g { <http://kasei.us/2009/09/sparql/data/data1.rdf> ?p ?o } }") is False
    assert graphs_seen(base) == {SEEDS, ONTOLOGY, B3DB, INFERRED, DERIVED, META}


@pytest.mark.parametrize("url_pairs,update,check", [
    pytest.param([("using-graph-uri", KASEI + "data1.rdf")],
                 UPDATE_DATASET_DEFAULT_GRAPH, CHECK_DEFAULT_GRAPH, id="update_dataset_default_graph"),
    pytest.param([("using-graph-uri", KASEI + "data1.rdf"), ("using-graph-uri", KASEI + "data2.rdf")],
                 UPDATE_DATASET_DEFAULT_GRAPHS,
                 check_graphs_check("http://example.org/protocol-update-dataset-graphs-test/"),
                 id="update_dataset_default_graphs"),
    pytest.param([("using-named-graph-uri", KASEI + "data1.rdf"), ("using-named-graph-uri", KASEI + "data2.rdf")],
                 UPDATE_DATASET_NAMED_GRAPHS,
                 check_graphs_check("http://example.org/protocol-update-dataset-named-graphs-test/"),
                 id="update_dataset_named_graphs"),
    pytest.param([("using-graph-uri", KASEI + "data1.rdf"), ("using-named-graph-uri", KASEI + "data2.rdf")],
                 UPDATE_DATASET_FULL, CHECK_FULL, id="update_dataset_full"),
])
def test_update_dataset(live_server, url_pairs, update, check):
    """update_dataset_default_graph — "update with protocol-specified default graph";
    update_dataset_default_graphs — "update with protocol-specified default graphs";
    update_dataset_named_graphs — "update with protocol-specified named graphs";
    update_dataset_full — "update with protocol-specified dataset (both named and default graphs)".

    POST ?using-graph-uri=… / using-named-graph-uri=…, Content-Type application/sparql-update, body
    CLEAR/DROP ALL ; INSERT DATA … ; INSERT … WHERE … (manifest: 2xx), then POST the manifest's ASK
    (manifest: true). Read-only endpoint: the update is 403 and the follow-up ASK is false."""
    check_refused(post_direct(live_server, update, url_pairs, content_type=UPDATE), 403)
    assert boolean(post_direct(live_server, check)) is False
    check_unchanged(live_server)


def test_update_post_form(live_server):
    """update_post_form — "update via URL-encoded POST".

    POST /sparql, Content-Type application/x-www-form-urlencoded, body update=CLEAR+ALL (manifest: 2xx).
    Read-only endpoint: 403, nothing cleared."""
    check_refused(http_request(live_server, "POST", ENDPOINT, "update=CLEAR+ALL", {"Content-Type": FORM}), 403)
    check_unchanged(live_server)


def test_update_post_direct(live_server):
    """update_post_direct — "update via POST directly".

    POST /sparql, Content-Type application/sparql-update, body CLEAR ALL (manifest: 2xx).
    Read-only endpoint: 403, nothing cleared."""
    check_refused(post_direct(live_server, "CLEAR ALL", content_type=UPDATE), 403)
    check_unchanged(live_server)


def test_update_base_uri(live_server):
    """update_base_uri — "test for service-defined BASE URI ("which MAY be the service endpoint")".

    POST application/sparql-update CLEAR GRAPH <…protocol-base-test/> ; INSERT DATA { GRAPH … { <s> <p> <test> } }
    (manifest: 2xx), then POST application/sparql-query SELECT ?o WHERE { GRAPH <…protocol-base-test/> { … } }
    (manifest: one result). Read-only endpoint: 403, then a 2xx SELECT with no result."""
    update = ("CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
              "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
              "{ <http://example.org/s> <http://example.org/p> <test> } }")
    check_refused(post_direct(live_server, update, content_type=UPDATE), 403)
    select = ("SELECT ?o WHERE {\n    GRAPH <http://example.org/protocol-base-test/> {\n"
              "        <http://example.org/s> <http://example.org/p> ?o\n    }\n}")
    assert solutions(post_direct(live_server, select)) == (["o"], [])


def test_bad_update_get(live_server):
    """bad_update_get — "invoke update operation with GET".

    GET ?update=CLEAR%20ALL -> 4xx."""
    check_refused(http_request(live_server, "GET", ENDPOINT + "?update=CLEAR%20ALL"))
    check_unchanged(live_server)


def test_bad_multiple_updates(live_server):
    """bad_multiple_updates — "invoke update operation with more than one update string".

    POST form update=CLEAR%20NAMED&update=CLEAR%20DEFAULT -> 4xx."""
    check_refused(http_request(live_server, "POST", ENDPOINT, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
                               {"Content-Type": FORM}))


def test_bad_update_wrong_media_type(live_server):
    """bad_update_wrong_media_type — "invoke update operation with a POST with media type that's not
    url-encoded or application/sparql-update".

    POST Content-Type text/plain, body CLEAR NAMED -> 4xx."""
    check_refused(post_direct(live_server, "CLEAR NAMED", content_type="text/plain"))


def test_bad_update_missing_form_type(live_server):
    """bad_update_missing_form_type — "invoke update operation with url-encoded body, but without
    application/x-www-form-urlencoded media type".

    POST, no Content-Type, body update=CLEAR%20NAMED -> 4xx."""
    check_refused(http_request(live_server, "POST", ENDPOINT, "update=CLEAR%20NAMED"))


def test_bad_update_non_utf8(live_server):
    """bad_update_non_utf8 — "invoke update operation with direct POST, but with a non-UTF8 encoding".

    POST Content-Type application/sparql-update; charset=UTF-16, body CLEAR NAMED in UTF-16 with a BOM -> 4xx."""
    body = "CLEAR NAMED".encode("utf-16")
    assert len(body) == 24
    check_refused(http_request(live_server, "POST", ENDPOINT, body,
                               {"Content-Type": "application/sparql-update; charset=UTF-16"}))


def test_bad_update_syntax(live_server):
    """bad_update_syntax — "invoke update operation with invalid update syntax".

    POST form update=CLEAR%20XYZ -> 4xx."""
    check_refused(http_request(live_server, "POST", ENDPOINT, "update=CLEAR%20XYZ", {"Content-Type": FORM}))


def test_bad_update_dataset_conflict(live_server):
    """bad_update_dataset_conflict — "invoke update with both using-graph-uri/using-named-graph-uri
    parameter and USING/WITH clause".

    POST ?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople, Content-Type application/sparql-update,
    body WITH <http://example/addresses> DELETE … INSERT … WHERE … -> 4xx."""
    update = ("PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
              "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
              "WHERE {\n    ?person foaf:givenName 'Bill'\n}")
    check_refused(post_direct(live_server, update, [("using-named-graph-uri", "http://example/people")],
                              content_type=UPDATE))

"""Linked-data pages: entity IRIs (`/id/…`) and the ontology (`/ontology`) dereference here, as HTML for
browsers and as RDF by content negotiation; and the home page."""
from flask import Blueprint, Response, current_app, render_template, request

from graph.vocab import BASE, GRAPH_ONTOLOGY
from service.http import answer_headers
from service.problems import Problem, query_problems
from service.query import QueryRequest
from service.results import GRAPH_TYPES, content_type, serialize

bp = Blueprint("pages", __name__)
PAGE_TYPES = ["text/html", *GRAPH_TYPES]

NEIGHBOURHOOD = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
CONSTRUCT { ?entity ?p ?o . ?o rdfs:label ?o_label . ?s ?q ?entity . ?s rdfs:label ?s_label .
            ?s prov:wasDerivedFrom ?source . ?source rdfs:label ?source_label }
WHERE {
  { ?entity ?p ?o OPTIONAL { ?o rdfs:label ?o_label } }
  UNION { ?s ?q ?entity OPTIONAL { ?s rdfs:label ?s_label }
          OPTIONAL { ?s prov:wasDerivedFrom ?source OPTIONAL { ?source rdfs:label ?source_label } } }
}"""
ROWS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?direction ?p ?p_label ?o ?o_label WHERE {
  { ?entity ?p ?o BIND("out" AS ?direction) } UNION { ?o ?p ?entity BIND("in" AS ?direction) }
  OPTIONAL { ?p rdfs:label ?p_label FILTER(LANG(?p_label) = "en") }
  OPTIONAL { ?o rdfs:label ?o_label FILTER(LANG(?o_label) = "en" || LANG(?o_label) = "") }
} ORDER BY ?direction ?p ?o LIMIT 2000"""


def runtime():
    return current_app.extensions["lmkg"]


def exists(store, iri: str) -> bool:
    import pyoxigraph as ox
    try:
        node = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all (a space, a `>`): nothing in the graph has that name
        return False
    result = store.run(QueryRequest("ASK { { ?entity ?p ?o } UNION { ?s ?q ?entity } }", bindings={"entity": node}))
    return result.boolean


def rdf_answer(store, text: str, bindings: dict, media_type: str) -> Response:
    with query_problems():
        result = store.run(QueryRequest(text, bindings=bindings, limit=100_000))
    response = Response(serialize(result, media_type), content_type=content_type(media_type))
    answer_headers(response, store.release.id)
    return response


@bp.get("/")
def home():
    store = runtime().store()
    counts = store.run(QueryRequest(COUNTS)).dicts()[0]
    return render_template("home.html", counts={k: int(v.value) for k, v in counts.items()},
                           release=store.release, queries=list(runtime().catalogue.values()))


COUNTS = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
SELECT (COUNT(DISTINCT ?drug) AS ?drugs) (COUNT(DISTINCT ?target) AS ?targets) (COUNT(DISTINCT ?study) AS ?studies)
       (COUNT(DISTINCT ?outcome) AS ?outcomes) (COUNT(DISTINCT ?statement) AS ?statements) WHERE {
  { ?drug a lmkg:Drug } UNION { ?target a lmkg:Gene } UNION { ?study a lmkg:ClinicalStudy }
  UNION { ?outcome a lmkg:OutcomeMeasurement } UNION { ?statement a lmkg:EvidenceStatement }
}"""


@bp.get("/id/<path:path>")
def entity(path: str):
    import pyoxigraph as ox
    iri = f"{BASE}id/{path}"
    store = runtime().store(request.args.get("release"))
    if not exists(store, iri):
        raise Problem(404, "Unknown entity", f"{iri} is not in release {store.release.id}", slug="unknown-entity")
    bindings = {"entity": ox.NamedNode(iri)}
    media_type = request.accept_mimetypes.best_match(PAGE_TYPES) or "text/turtle"
    if media_type != "text/html":
        return rdf_answer(store, NEIGHBOURHOOD, bindings, media_type)
    rows = store.run(QueryRequest(ROWS, bindings=bindings)).dicts()
    label = runtime().index(store.release.id).label(iri)
    response = Response(render_template("entity.html", iri=iri, label=label, rows=rows, base=BASE))
    answer_headers(response, store.release.id)
    return response


@bp.get("/ontology")
def ontology():
    store = runtime().store()
    media_type = request.accept_mimetypes.best_match(PAGE_TYPES) or "text/turtle"
    if media_type == "text/html":
        rows = store.run(QueryRequest(TERMS)).dicts()
        return render_template("ontology.html", rows=rows, release=store.release)
    return rdf_answer(store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}", {}, media_type)


TERMS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?kind ?label ?definition WHERE {
  GRAPH <https://w3id.org/lungmet-kg/graph/ontology> { ?term a ?kind ; rdfs:label ?label ; skos:definition ?definition }
  FILTER STRSTARTS(STR(?term), "https://w3id.org/lungmet-kg/ontology#")
} ORDER BY ?kind ?label"""


@bp.app_template_filter("term_link")
def term_link(term, label=None):
    """An RDF term as HTML: our IRIs link to their pages here, other IRIs out, literals as text."""
    from markupsafe import Markup, escape
    value = getattr(term, "value", "")
    text = escape(getattr(label, "value", None) or value)
    if value.startswith(BASE + "id/"):
        return Markup(f'<a href="/id/{escape(value[len(BASE) + 3:])}">{text}</a>')
    if value.startswith(BASE + "ontology#"):
        return Markup(f'<a href="/ontology#{escape(value.split("#", 1)[1])}">{text}</a>')
    if value.startswith(("http://", "https://")):
        return Markup(f'<a href="{escape(value)}" rel="external">{text}</a>')
    return text

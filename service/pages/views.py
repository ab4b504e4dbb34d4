"""Linked-data pages: entity IRIs (`/id/…`) and the ontology (`/ontology`) dereference here, as HTML for
browsers and as RDF by content negotiation; the home page, the search and the intracranial chart."""
from flask import Blueprint, Response, current_app, render_template, request

from graph.vocab import BASE, GRAPH_ONTOLOGY
from service.pages.browse import KINDS, entities
from service.pages.deprecated import deprecated_answer
from service.api.http import answer_headers
from service.api.problems import Problem, query_problems
from service.engine.query import QueryRequest
from service.pages.entity_views import ViewBuilder, intracranial_chart, page_path
from service.engine.explain import explain
from service.engine.results import GRAPH_TYPES, content_type, serialize
from service.pages.readable import legend
from service.pages.search_hits import SearchAnswer, find, seed_counts

bp = Blueprint("pages", __name__)
PAGE_TYPES = ["text/html", *GRAPH_TYPES]

# An entity's own triples, not the build's summaries of it (the derived graph's lmkgd: properties).
NEIGHBOURHOOD = """
PREFIX lmkgd: <https://w3id.org/lungmet-kg/derived#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/>
CONSTRUCT { ?entity ?p ?o . ?o rdfs:label ?o_label . ?s ?q ?entity . ?s rdfs:label ?s_label .
            ?s prov:wasDerivedFrom ?source . ?source rdfs:label ?source_label }
WHERE {
  { ?entity ?p ?o FILTER (!STRSTARTS(STR(?p), STR(lmkgd:))) OPTIONAL { ?o rdfs:label ?o_label } }
  UNION { ?s ?q ?entity FILTER (!STRSTARTS(STR(?q), STR(lmkgd:))) OPTIONAL { ?s rdfs:label ?s_label }
          OPTIONAL { ?s prov:wasDerivedFrom ?source OPTIONAL { ?source rdfs:label ?source_label } } }
}"""
ROWS = """
PREFIX lmkgd: <https://w3id.org/lungmet-kg/derived#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?direction ?p ?p_label ?o ?o_label WHERE {
  { ?entity ?p ?o BIND("out" AS ?direction) } UNION { ?o ?p ?entity BIND("in" AS ?direction) }
  FILTER (!STRSTARTS(STR(?p), STR(lmkgd:)))
  OPTIONAL { ?p rdfs:label ?p_label FILTER(LANG(?p_label) = "en") }
  OPTIONAL { ?o rdfs:label ?o_label FILTER(LANG(?o_label) = "en" || LANG(?o_label) = "") }
} ORDER BY ?direction ?p ?o LIMIT 2000"""


def runtime():
    return current_app.extensions["lmkg"]


def is_iri(text: str) -> bool:
    import pyoxigraph as ox
    try:
        ox.NamedNode(text)
    except ValueError:  # not an IRI at all (a space, a `>`): nothing in the graph has that name
        return False
    return True


def exists(store, iri: str) -> bool:
    import pyoxigraph as ox
    if not is_iri(iri):
        return False
    result = store.run(QueryRequest("ASK { { ?entity ?p ?o } UNION { ?s ?q ?entity } }",
                                    bindings={"entity": ox.NamedNode(iri)}))
    return result.boolean


def rdf_answer(store, text: str, bindings: dict, media_type: str) -> Response:
    with query_problems():
        result = store.run(QueryRequest(text, bindings=bindings, limit=100_000))
    response = Response(serialize(result, media_type), content_type=content_type(media_type))
    answer_headers(response, store.release.id)
    return response


@bp.get("/")
def home():
    state = runtime()
    store = state.store()
    counts = state.once_per_release(store.release.id, "home-counts", lambda: count_things(store))
    examples = [q for q in state.catalogue.values() if q.example_args() is not None]
    return render_template("home.html", counts=counts, release=store.release, examples=examples)


def count_things(store) -> dict[str, int]:
    row = store.run(QueryRequest(COUNTS)).dicts()[0]
    return {key: int(term.value) for key, term in row.items()}


COUNTS = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT (COUNT(DISTINCT ?drug) AS ?drugs) (COUNT(DISTINCT ?target) AS ?targets) (COUNT(DISTINCT ?study) AS ?studies)
       (COUNT(DISTINCT ?outcome) AS ?outcomes) (COUNT(DISTINCT ?statement) AS ?statements)
       (COUNT(DISTINCT ?seed) AS ?seeds) (COUNT(DISTINCT ?publication) AS ?publications)
       (COUNT(DISTINCT ?dataset) AS ?datasets) WHERE {
  { ?drug a lmkg:Drug } UNION { ?therapy lmkg:targets ?target } UNION { ?study a lmkg:ClinicalStudy }
  UNION { ?outcome a lmkg:OutcomeMeasurement } UNION { ?statement a lmkg:EvidenceStatement }
  UNION { ?seed a lmkg:SeedDocument } UNION { ?publication a lmkg:Publication }
  UNION { ?record prov:wasDerivedFrom ?dataset FILTER STRSTARTS(STR(?dataset), "https://w3id.org/lungmet-kg/id/dataset/") }
}"""


@bp.get("/search")
def search():
    """Entities whose label, synonym, symbol or identifier matches the text (a plain GET form)."""
    text = request.args.get("q", "").strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise Problem(400, "Search text too long", f"search for at most {MAX_SEARCH_LENGTH} characters",
                      slug="search-too-long")
    store = runtime().store(request.args.get("release"))
    index = runtime().index(store.release.id)
    answer = find(index, text, SEARCH_LIMIT) if text else SearchAnswer()
    counts = seed_counts(store, sorted({iri for group in answer.groups for iri, _ in group.hits}))
    groups = [(group, [hit(index, iri, name, counts) for iri, name in group.hits]) for group in answer.groups]
    response = Response(render_template("search.html", q=text, answer=answer, groups=groups, limit=SEARCH_LIMIT,
                                         options_link=options_link(groups)))
    answer_headers(response, store.release.id)
    return response


def options_link(groups: list) -> tuple[str, str, str] | None:
    """When the words name a driver (gene or alteration) and a metastatic site (or disease), the question
    is most likely "how is it treated there": a link to the treatment options for the two, as typed."""
    def phrase_of(kinds):
        return next((group.phrase for group, hits in groups if not group.near
                     and any(h["kind"] in kinds for h in hits)), None)
    driver, site = phrase_of({"gene", "alteration"}), phrase_of({"site", "disease"})
    if driver and site and len(groups) > 1:
        from service.pages.query_page import query_url
        return query_url("treatment-options", {"alteration": driver, "site": site}), driver, site
    return None


def hit(index, iri: str, name: str, counts: dict[str, int]) -> dict:
    return {"iri": iri, "path": page_path(iri) or f"/ontology#{iri.split('#', 1)[-1]}", "label": index.label(iri),
            "matched": name, "kind": kind_of(iri), "seeds": counts.get(iri, 0)}


MAX_SEARCH_LENGTH = 200
SEARCH_LIMIT = 50


def kind_of(iri: str) -> str:
    """A reader's name for what an IRI is, from its path (id/drug/x → drug, id/study/x/arm/y → arm)."""
    if not iri.startswith(BASE + "id/"):
        return "ontology term"
    parts = iri[len(BASE) + 3:].split("/")
    kind = parts[-2] if len(parts) >= 3 else parts[0]
    return {"b3db": "B3DB record", "seed": "seed document", "therapy-group": "therapy group"}.get(kind, kind)


@bp.get("/charts/intracranial-outcomes")
def intracranial_outcomes():
    state = runtime()
    store = state.store(request.args.get("release"))
    index = state.index(store.release.id)
    chart, rows, data_urls = state.once_per_release(
        store.release.id, "intracranial-chart", lambda: intracranial_chart(store, index, state.catalogue))
    response = Response(render_template("intracranial.html", chart=chart, rows=rows, data_urls=data_urls))
    answer_headers(response, store.release.id)
    return response


@bp.get("/id/<path:path>")
def entity(path: str):
    import pyoxigraph as ox
    if path.endswith("/") and path[:-1] in KINDS:
        return browse(path[:-1])
    iri = f"{BASE}id/{path}"
    store = runtime().store(request.args.get("release"))
    moved = deprecated_answer(store, iri) if is_iri(iri) else None
    if moved is not None:
        return moved
    if not exists(store, iri):
        kind, _, key = path.partition("/")
        raise Problem(404, "Unknown entity", f"release {store.release.id} has no {kind.replace('-', ' ')} “{key}”"
                      if key else f"release {store.release.id} has nothing at /id/{path}", slug="unknown-entity",
                      entity=iri)
    bindings = {"entity": ox.NamedNode(iri)}
    media_type = request.accept_mimetypes.best_match(PAGE_TYPES) or "text/turtle"
    if media_type != "text/html":
        return rdf_answer(store, NEIGHBOURHOOD, bindings, media_type)
    state = runtime()
    key = (store.release.id, "entity-page", iri)
    page = state.cache.get(key)
    if page is None:
        index = state.index(store.release.id)
        view = ViewBuilder(store, index, state.catalogue, iri).build()
        rows = store.run(QueryRequest(ROWS, bindings=bindings)).dicts()
        page = render_template("entity.html", iri=iri, label=index.label(iri), rows=rows, view=view, base=BASE,
                               release=store.release, legend=state.once_per_release(
                                   store.release.id, "claim-legend", lambda: legend(store)),
                               explanation=explain(store, index, iri))
        state.cache.put(key, page)
    response = Response(page)
    answer_headers(response, store.release.id)
    return response


def browse(kind: str):
    """The list of every entity of one kind, with key facts (computed once per release)."""
    state = runtime()
    store = state.store(request.args.get("release"))
    rows = state.once_per_release(store.release.id, f"browse-{kind}", lambda: entities(store, kind))
    response = Response(render_template("browse.html", kind=kind, title=KINDS[kind], rows=rows, kinds=KINDS))
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
    """An RDF term as HTML: our IRIs link to their pages here, other IRIs out, each named by a label
    (given, or its label in the graph, or its last path segment: never the IRI itself); literals as
    readable text (registry numbers and DOIs linked, abbreviations explained, long wording folded)."""
    import pyoxigraph as ox
    from service.pages.readable import clean, literal_html, local_name
    value = getattr(term, "value", "")
    if not isinstance(term, ox.NamedNode):
        return literal_html(getattr(label, "value", None) or value)
    name = getattr(label, "value", None) or known_label(value) or local_name(value)
    return link(value, clean(name))


@bp.app_template_global("link")
def link(iri: str, text: str):
    """A link to an IRI: our entities and terms to their pages here, others out (as HTML)."""
    from markupsafe import Markup, escape
    text = escape(text)
    if iri.startswith(BASE + "id/"):
        return Markup(f'<a href="/id/{escape(iri[len(BASE) + 3:])}">{text}</a>')
    if iri.startswith(BASE + "ontology#"):
        return Markup(f'<a href="/ontology#{escape(iri.split("#", 1)[1])}">{text}</a>')
    if iri.startswith(("http://", "https://")):
        return Markup(f'<a href="{escape(iri)}" rel="external">{text}</a>')
    return text


def known_label(iri: str) -> str | None:
    label = runtime().index().label(iri)
    return label if label != iri else None


@bp.app_template_filter("page_path")
def page_path_filter(iri: str) -> str:
    """Where an IRI's page is: our entities here, anything else where it is."""
    return page_path(iri) or iri


@bp.get("/glossary")
def glossary():
    """The abbreviations the answers use, each also explained on hover where it appears."""
    from service.pages.readable import GLOSSARY
    return render_template("glossary.html", glossary=GLOSSARY)


@bp.app_template_filter("fold_facts")
def fold_facts_filter(rows: list[dict], columns: list[tuple]) -> list[tuple[dict, list[dict], list[dict]]]:
    """Fact rows with the same values in the shown columns, folded into one: (the first row, the rows with
    distinct evidence, the rows with distinct sources) — one line per fact, with all its wordings and sources."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        key = tuple(getattr(row.get(column[1]), "value", None) for column in columns)
        groups.setdefault(key, []).append(row)
    return [(group[0], distinct(group, ("printed", "statement")), distinct(group, ("source",)))
            for group in groups.values()]


def distinct(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    seen, kept = set(), []
    for row in rows:
        key = tuple(getattr(row.get(k), "value", None) for k in keys)
        if key not in seen and any(key):
            seen.add(key)
            kept.append(row)
    return kept


@bp.app_template_filter("abbreviate")
def abbreviate_filter(text: str):
    from service.pages.readable import abbreviate
    return abbreviate(text)


@bp.app_template_filter("cell_html")
def cell_html_filter(cell, column):
    from service.pages.answer_table import cell_html
    return cell_html(cell, column)


@bp.app_template_filter("sort_key")
def sort_key_filter(cell, column):
    from service.pages.answer_table import sort_key
    return sort_key(cell, column)


@bp.app_context_processor
def helpers():
    from service.pages.query_page import query_url
    return {"query_url": query_url}

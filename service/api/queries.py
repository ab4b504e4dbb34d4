"""`/queries`: the catalogue of canned queries at stable URLs.

GET /queries                the catalogue (JSON, HTML, or RDF in the SIB sparql-examples vocabulary)
GET /queries/<name>?p=v     runs the query with its parameters bound; same negotiation as /sparql
GET /queries/<name>.rq      the query's SPARQL text
"""
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from rdflib import Graph, Literal, Namespace, URIRef

from graph.vocab import RDF, RDFS, SCHEMA
from service.pages import query_page
from service.engine.catalogue import CannedQuery, ParameterError
from service.api.description import RDFLIB_FORMATS
from service.api.http import answer_headers
from service.api.problems import Problem, query_problems
from service.engine.query import QueryRequest, bind_values, terms
from service.engine.results import available_types, content_type, negotiate, serialize

bp = Blueprint("queries", __name__)
SH = Namespace("http://www.w3.org/ns/shacl#")
RESERVED = {"format", "explain", "release"}
EXPLAIN_VALUES = {"1": True, "true": True, "0": False, "false": False, "": False}
CATALOGUE_TYPES = ["application/json", "text/html", "text/turtle", "application/ld+json"]
HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")  # the rest is percent-encoded


def runtime():
    return current_app.extensions["lmkg"]


def canned(name: str) -> CannedQuery:
    query = runtime().catalogue.get(name)
    if query is None:
        raise Problem(404, "Unknown query", f"there is no canned query {name!r}", slug="unknown-query",
                      queries=sorted(runtime().catalogue))
    return query


def describe(query: CannedQuery) -> dict:
    return {
        "name": query.name, "summary": query.summary, "description": query.description, "tags": query.tags,
        "form": query.form, "url": url_for("queries.run", name=query.name, _external=True),
        "sparql": url_for("queries.text", name=query.name, _external=True),
        "parameters": [{"name": p.name, "type": p.type, "description": p.description, "example": p.example,
                        "default": p.default, "required": p.required,
                        **({"values": list(p.values)} if p.values else {})} for p in query.params.values()],
        "examples": [e.get("params", {}) for e in query.expect],
    }


def catalogue_rdf(queries: list[CannedQuery]) -> Graph:
    """The catalogue as SIB sparql-examples: sh:SPARQLExecutable with sh:select/sh:construct text."""
    g = Graph()
    g.bind("sh", SH)
    g.bind("schema", SCHEMA)
    endpoint = URIRef(url_for("sparql.endpoint", _external=True))
    for query in queries:
        node = URIRef(url_for("queries.run", name=query.name, _external=True))
        kind = {"SELECT": SH.SPARQLSelectExecutable, "ASK": SH.SPARQLAskExecutable}.get(query.form, SH.SPARQLConstructExecutable)
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(query.summary, lang="en")))
        g.add((node, RDFS.comment, Literal(query.description.strip(), lang="en")))
        text_property = {"SELECT": SH.select, "ASK": SH.ask}.get(query.form, SH.construct)
        g.add((node, text_property, Literal(query.text)))
        g.add((node, SCHEMA.target, endpoint))
        for tag in query.tags:
            g.add((node, SCHEMA.keywords, Literal(tag)))
    return g


@bp.get("/queries")
def catalogue():
    queries = list(runtime().catalogue.values())
    media_type = request.accept_mimetypes.best_match(CATALOGUE_TYPES) or "application/json"
    if request.args.get("format") in ("ttl", "turtle"):
        media_type = "text/turtle"
    if media_type == "text/html":
        return render_template("catalogue.html", queries=[describe(q) for q in queries])
    if media_type in ("text/turtle", "application/ld+json"):
        body = catalogue_rdf(queries).serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
        return Response(body, content_type=content_type(media_type))
    return jsonify(queries=[describe(q) for q in queries])


@bp.get("/queries/<name>.rq")
def text(name: str):
    """The query file; as plain text to a browser, which would otherwise download it rather than show it."""
    best = request.accept_mimetypes.best_match(["application/sparql-query", "text/plain", "text/html"])
    media_type = "text/plain" if best in ("text/plain", "text/html") else "application/sparql-query"
    return Response(canned(name).text, content_type=f"{media_type}; charset=utf-8")


@bp.get("/queries/<name>")
def run(name: str):
    query = canned(name)
    args = {k: v for k, v in request.args.items() if k not in RESERVED}
    repeated = [k for k in args if len(request.args.getlist(k)) > 1]
    if repeated:
        raise Problem(400, "Repeated parameter", "give each parameter once: " + ", ".join(repeated),
                      slug="repeated-parameter")
    release_id = request.args.get("release")
    state = runtime()
    store = state.store(release_id)
    if query_page.wants_page(query):
        return query_page.render(query, args, store, lambda bindings: answer(store, query, bindings))
    try:
        bindings = query.bindings(args, state.index(store.release.id), state.catalogue)
    except ParameterError as error:
        raise Problem(error.status, error.title, error.detail, **error.extra) from None
    media_type = negotiate(query.form, request.accept_mimetypes, request.args.get("format"))
    if media_type is None:
        raise Problem(406, "Not Acceptable", f"{name} answers as: " + ", ".join(available_types(query.form)),
                      slug="not-acceptable")
    if wants_explanation():
        return explain(query, bindings, store.release.id)
    key = (store.release.id, name, binding_key(bindings), media_type)
    body = state.cache.get(key)
    if body is None:
        body = serialize(answer(store, query, bindings), media_type)
        state.cache.put(key, body)
    response = Response(body, content_type=content_type(media_type))
    response.headers["X-LMKG-Query"] = name
    response.headers["Link"] = f'<{url_for("queries.text", name=name)}>; rel="describedby"'
    for param, value in bindings.items():
        response.headers.add("X-LMKG-Binding", f"{param}={written(value)}")
    for param, raw, labels in query.readings(args, bindings, state.index(store.release.id)):
        response.headers.add("X-LMKG-Resolved", quote(f"{param}={raw} -> {', '.join(labels)}", safe=HEADER_SAFE))
    answer_headers(response, store.release.id)
    return response


def written(value) -> str:
    """A binding as N-Triples terms, space-separated when it holds several."""
    return " ".join(map(str, terms(value)))


def binding_key(bindings: dict) -> tuple:
    return tuple(sorted((k, written(v)) for k, v in bindings.items()))


def answer(store, query: CannedQuery, bindings: dict):
    """The query's result for these bindings, from the cache when this release answered it before."""
    key = (store.release.id, query.name, binding_key(bindings), "result")
    result = runtime().cache.get(key)
    if result is None:
        result = execute(store, query, bindings)
        runtime().cache.put(key, result)
    return result


def wants_explanation() -> bool:
    value = request.args.get("explain", "").lower()
    if value not in EXPLAIN_VALUES:
        raise Problem(400, "Invalid parameter value", "explain is 1 or true (or 0 or false)", slug="invalid-parameter-value",
                      parameter="explain")
    return EXPLAIN_VALUES[value]


def execute(store, query: CannedQuery, bindings: dict):
    with query_problems():
        return store.run(QueryRequest(query.text, bindings=bindings, limit=current_app.config["MAX_ROWS"]))


def explain(query: CannedQuery, bindings: dict, release_id: str):
    response = jsonify(query=query.name, release=release_id, sparql=query.text,
                       bindings={k: str(v) if not isinstance(v, tuple) else list(map(str, v))
                                 for k, v in bindings.items()},
                       executed=bind_values(query.text, bindings),
                       note="parameter values are bound as RDF terms in a VALUES block joined in first in the "
                            "WHERE group; they are data, never query text")
    answer_headers(response, release_id)
    return response

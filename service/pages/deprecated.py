"""Entities removed from the data keep their IRIs, as `owl:deprecated` (graph/sources/seeds/deprecated.yaml):
dereferencing one answers 301 to the entity that replaces it, or 410 Gone saying what happened."""
import pyoxigraph as ox
from flask import Response, redirect, render_template, request

from graph.vocab import BASE
from service.api.http import RELEASE_HEADER
from service.api.problems import Problem
from service.engine.query import QueryRequest

DEPRECATION = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?entity ?label ?reason ?replacement WHERE {
  ?entity owl:deprecated true .
  OPTIONAL { ?entity rdfs:label ?label }
  OPTIONAL { ?entity skos:historyNote ?reason }
  OPTIONAL { ?entity dcterms:isReplacedBy ?replacement }
} LIMIT 1"""


def deprecated_answer(store, iri: str) -> Response | None:
    """The answer for a deprecated entity IRI, or None when the entity is not deprecated."""
    rows = store.run(QueryRequest(DEPRECATION, bindings={"entity": ox.NamedNode(iri)})).dicts()
    if not rows:
        return None
    found = {key: term.value for key, term in rows[0].items() if key != "entity"}
    replacement = found.get("replacement")
    if replacement:
        target = "/id/" + replacement[len(BASE + "id/"):] if replacement.startswith(BASE + "id/") else replacement
        if request.query_string and target.startswith("/"):
            target += "?" + request.query_string.decode()
        response = redirect(target, 301)
    elif request.accept_mimetypes.best_match(["application/problem+json", "application/json", "text/html"]) == "text/html":
        response = Response(render_template("gone.html", iri=iri, label=found.get("label", iri),
                                            reason=found.get("reason")), status=410)
    else:
        raise Problem(410, "Entity removed", f"{iri} was removed from the data" +
                      (f": {found['reason']}" if found.get("reason") else ""), slug="entity-removed",
                      entity=iri, label=found.get("label"), release=store.release.id)
    response.headers[RELEASE_HEADER] = store.release.id
    return response

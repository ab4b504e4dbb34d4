"""`/explain?entity=…`: every fact about an entity (an IRI, an id/… path or a name), asserted or inferred,
with how the graph knows it, as JSON (the object `lmkg explain --format json` prints; service/engine/explain.py
finds it). The entity's page shows the same explanation for people."""
from flask import Blueprint, current_app, jsonify, request

from service.api.http import answer_headers
from service.api.problems import Problem, query_problems
from service.engine.catalogue import ParameterError
from service.engine.explain import explain, resolve_entity

bp = Blueprint("explain", __name__)


def runtime():
    return current_app.extensions["lmkg"]


@bp.get("/explain")
def explain_entity():
    """Every fact about an entity (`?entity=` an IRI, an id/… path or a name), asserted or inferred, with
    how the graph knows it: the JSON that `lmkg explain --format json` prints."""
    text = request.args.get("entity", "").strip()
    if not text:
        raise Problem(400, "Missing entity", "give the entity as ?entity= (an IRI, id/… path or name)",
                      slug="missing-entity")
    state = runtime()
    store = state.store(request.args.get("release"))
    index = state.index(store.release.id)
    try:
        iri = resolve_entity(index, text)
    except ParameterError as error:
        raise Problem(error.status, error.title, error.detail, **error.extra) from None
    key = (store.release.id, "explain", iri)
    body = state.cache.get(key)
    if body is None:
        with query_problems():
            body = explain(store, index, iri).to_json()
        state.cache.put(key, body)
    response = jsonify(body)
    answer_headers(response, store.release.id)
    return response

"""`/sparql`: the SPARQL 1.1 Protocol query operation (read-only), and the service description.

GET ?query=…, POST form-encoded query=…, POST application/sparql-query; default-graph-uri and
named-graph-uri select graphs of the store (nothing is fetched from the web); the update operation is
refused with 403 (an update sent as `query` is a malformed query, 400); GET without a query answers the SPARQL Service Description with VoID, or, to a browser, the
query editor (service/pages/editor.py).
"""
from contextlib import nullcontext

from flask import Blueprint, Response, current_app, request, url_for

from service.api.description import service_description
from service.pages.editor import editor_page
from service.api.federation import check_federation
from service.api.http import answer_headers
from service.api.problems import Problem, query_problems
from service.engine.query import QueryRequest
from service.engine.results import GRAPH_TYPES, available_types, content_type, negotiate, serialize
from service.engine.sparql_text import analyse

bp = Blueprint("sparql", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
PROTOCOL_PARAMS = {"query", "default-graph-uri", "named-graph-uri", "format", "output", "results", "release"}


def runtime():
    return current_app.extensions["lmkg"]


def refuse_update() -> Problem:
    return Problem(403, "Read-only endpoint", "this public endpoint answers queries only; SPARQL Update is refused",
                   slug="read-only")


def protocol_params():
    """The request's protocol parameters as a MultiDict, from where this kind of request carries them."""
    if request.method == "GET":
        return request.args
    mimetype = request.mimetype
    if mimetype == FORM_TYPE:
        if "update" in request.form:
            raise refuse_update()
        merged = request.args.copy()
        for key, values in request.form.lists():
            for value in values:
                merged.add(key, value)
        return merged
    if mimetype == UPDATE_TYPE:
        raise refuse_update()
    if mimetype == QUERY_TYPE:
        params = request.args.copy()
        if "query" in params:
            raise Problem(400, "Malformed request", "a direct POST carries the query in its body, not in `query=`",
                          slug="malformed-request")
        try:
            params.add("query", request.get_data().decode("utf-8"))
        except UnicodeDecodeError:
            raise Problem(400, "Malformed request", "the query is not valid UTF-8", slug="malformed-request") from None
        return params
    raise Problem(415, "Unsupported Media Type",
                  f"POST a query as {FORM_TYPE} or {QUERY_TYPE}, not {mimetype or 'no media type'}")


def read_query(params) -> str:
    if "update" in params:
        raise refuse_update()
    unknown = sorted(set(params) - PROTOCOL_PARAMS)
    if unknown:
        raise Problem(400, "Unknown parameter", "the SPARQL endpoint takes no parameter " + ", ".join(unknown),
                      slug="unknown-parameter", allowed=sorted(PROTOCOL_PARAMS))
    queries = params.getlist("query")
    if len(queries) != 1:
        raise Problem(400, "Malformed request", "give exactly one `query`", slug="malformed-request")
    text = queries[0]
    if not text.strip():
        raise Problem(400, "Malformed request", "the query is empty", slug="malformed-request")
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if len(text) > limit:
        raise Problem(413, "Query too long", f"a query may have at most {limit} characters", slug="query-too-long")
    return text


def check_text(text: str):
    """The query's lexical facts; refuses updates, federation and text that is no query at all."""
    facts = analyse(text)
    if facts.is_update:   # the protocol calls an update in `query` a malformed query (the update operation is 403)
        raise Problem(400, "Malformed query", "this is a SPARQL Update, not a query; the endpoint answers queries only",
                      slug="malformed-query")
    check_federation(facts, current_app.config["FEDERATION_ENDPOINTS"])
    if facts.form is None:
        raise Problem(400, "Malformed query", "no SELECT, ASK, CONSTRUCT or DESCRIBE query found", slug="malformed-query")
    return facts


def result_form(facts) -> str:
    return "CONSTRUCT" if facts.form == "DESCRIBE" else facts.form


def choose_media_type(form: str, params) -> str:
    """From `format=`/`output=`/`results=` (SPARQLWrapper sends several), else the Accept header."""
    names = [v for key in ("format", "output", "results") for v in params.getlist(key) if v]
    for name in names:
        media_type = negotiate(form, None, name)
        if media_type:
            return media_type
    media_type = negotiate(form, request.accept_mimetypes)
    if media_type is None:
        raise Problem(406, "Not Acceptable", f"a {form} result is available as: " + ", ".join(available_types(form)),
                      slug="not-acceptable")
    return media_type


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    params = protocol_params()
    if request.method == "GET" and not params:
        if request.accept_mimetypes.best_match([*GRAPH_TYPES, "text/html"]) == "text/html":
            return editor_page()  # a browser at the endpoint gets the query editor
        return service_description()
    text = read_query(params)
    facts = check_text(text)
    media_type = choose_media_type(result_form(facts), params)
    store = runtime().store(params.get("release"))
    query = QueryRequest(text, default_graphs=tuple(params.getlist("default-graph-uri")),
                         named_graphs=tuple(params.getlist("named-graph-uri")), query_dataset=facts.names_dataset,
                         base_iri=url_for("sparql.endpoint", _external=True), limit=current_app.config["MAX_ROWS"])
    result = run_untrusted(store, query)
    body = serialize(result, media_type)
    response = Response(body, content_type=content_type(media_type))
    answer_headers(response, store.release.id, cacheable=request.method == "GET")
    return response


def run_untrusted(store, query: QueryRequest):
    """An ad-hoc query, within the client's query-time budget and concurrency cap (service/api/query_budget.py)."""
    budget = current_app.extensions.get("lmkg-budget")
    with budget.spend(request.remote_addr) if budget else nullcontext(), query_problems():
        return store.run_isolated(query, current_app.config["QUERY_TIMEOUT"])

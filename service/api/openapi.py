"""`/openapi.json`: an OpenAPI 3 document generated from the catalogue and the service's settings (its
limits are stated where they apply), and `/api`, a page for people. tests/test_fuzz.py runs schemathesis
against it, so what it says is what the service does."""
import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from graph.release import read_release, releases_dir
from service.api.limits import enabled
from service.engine.results import FORMAT_NAMES, available_types, negotiate

bp = Blueprint("openapi", __name__)

# A text type first: a client generator that reads one content type per response (openapi-python-client
# takes the first it knows) then hands back the text of whatever format was asked for, instead of
# failing to parse CSV or Turtle as JSON.
SOLUTIONS = ["text/csv", "application/sparql-results+json", "application/sparql-results+xml", "text/tab-separated-values",
             "application/json"]
GRAPHS = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "application/n-quads",
          "application/trig", "text/plain", "application/json"]
JSON_TYPES = {"application/sparql-results+json", "application/json", "application/ld+json"}
PROBLEM = {"$ref": "#/components/responses/Problem"}
RETRY_PROBLEM = {"$ref": "#/components/responses/RetryProblem"}
STRING = {"type": "string"}


def content(media_types) -> dict:
    """Response content: SPARQL JSON results have a schema; application/json is those results, JSON-LD for a
    graph, or explain's object; JSON-LD is some JSON; the rest is text."""
    schemas = {"application/sparql-results+json": {"$ref": "#/components/schemas/SparqlResults"},
               "application/json": {}, "application/ld+json": {}}
    return {m: {"schema": schemas.get(m, STRING)} for m in media_types}


def enum_schema(values) -> dict:
    """A string enum with a distinct name for each value (x-enum-varnames): generators derive names from
    values otherwise, and "I/II" and "III" both become III."""
    names = []
    for value in values:
        name = re.sub(r"\W+", "_", value).strip("_").upper() or "EMPTY"
        name = f"VALUE_{name}" if name[0].isdigit() else name
        names.append(name if name not in names else f"{name}_{len(names)}")
    return {"type": "string", "enum": list(values), "x-enum-varnames": names}


def parameter_schema(param) -> dict:
    if param.type == "enum":
        return enum_schema(param.values)
    if param.type in ("decimal", "integer"):
        return {"type": "number" if param.type == "decimal" else "integer", "minimum": -1e30, "maximum": 1e30,
                "exclusiveMinimum": True, "exclusiveMaximum": True}
    return {"type": "string", "maxLength": 200}


def query_operation(query) -> dict:
    parameters = []
    for param in query.params.values():
        schema = parameter_schema(param)
        if param.required and schema["type"] == "string":
            schema["minLength"] = 1  # an empty value counts as missing
        elif "enum" in schema:
            schema.update(enum_schema(["", *schema["enum"]]))  # an empty value counts as missing: the default
        if param.default is not None:
            schema["default"] = param.default if param.type in ("entity", "enum", "string") else float(param.default)
        entry = {"name": param.name, "in": "query", "required": param.required, "description": param.description,
                 "schema": schema}
        if param.example is not None:
            entry["example"] = param.example if schema["type"] == "string" else float(param.example)
        parameters.append(entry)
    parameters += [
        format_parameter(query.form),
        {"name": "explain", "in": "query", "required": False,
         "schema": enum_schema(["1", "true", "0", "false", ""]),
         "description": "answer with the query text and the bound parameters instead of running it"},
        release_parameter(),
    ]
    media = GRAPHS if query.form == "CONSTRUCT" else SOLUTIONS   # both hold application/json (explain's too)
    return {
        "operationId": query.name.replace("-", "_"), "summary": query.summary,
        "description": query.description.strip(), "tags": ["canned queries"], "parameters": parameters,
        "responses": {
            "200": {"description": "the answer (or, with explain, the query as executed)",
                    "content": content(media)},
            "304": {"description": "not modified since the ETag"},
            "400": PROBLEM, "404": PROBLEM, "406": PROBLEM, "409": PROBLEM, "410": PROBLEM, "422": PROBLEM,
            "503": RETRY_PROBLEM,
        },
    }


def release_parameter() -> dict:
    """`release=`: one of the releases kept on this service (another gets 410); in remote mode, the store's."""
    runtime = current_app.extensions["lmkg"]
    folder = releases_dir(Path(current_app.config["DATA_DIR"]))
    kept = {p.name for p in folder.iterdir() if p.is_dir() and read_release(p)} if folder.is_dir() else set()
    return {"name": "release", "in": "query", "required": False,
            "schema": enum_schema(["", *sorted(kept | {runtime.current.id})]),
            "description": "answer from this kept release (410 for one no longer kept; empty: the current one)"}


def format_parameter(form: str) -> dict:
    """`format=`: the short names and media types this form of answer comes in (another gets 406)."""
    names = [""] + [name for name in [*FORMAT_NAMES, *available_types(form)] if negotiate(form, None, name)]
    return {"name": "format", "in": "query", "required": False, "schema": enum_schema(names),
            "description": "result format instead of the Accept header (empty: by the Accept header)"}
DATASET_PARAMETERS = [
    {"name": "default-graph-uri", "in": "query", "required": False, "explode": True,
     "schema": {"type": "array", "items": STRING}, "description": "graphs of the store to use as the default graph"},
    {"name": "named-graph-uri", "in": "query", "required": False, "explode": True,
     "schema": {"type": "array", "items": STRING}, "description": "graphs of the store to use as named graphs"},
]


def limits_text(config) -> str:
    rate = ""
    if enabled(config.get("RATE_LIMIT")):
        parts = [f"{config['RATE_LIMIT']} requests"]
        if config.get("QUERY_TIME_BUDGET"):
            parts.append(f"{config['QUERY_TIME_BUDGET']:g} s of query time a minute")
        if config.get("QUERY_CONCURRENCY"):
            parts.append(f"{config['QUERY_CONCURRENCY']} queries at once")
        rate = f" Each client may use at most {', '.join(parts)} (then 429 with Retry-After)."
    return (f"A query runs at most {config['QUERY_TIMEOUT']:g} s (then 503) and returns at most {config['MAX_ROWS']} "
            f"rows or triples (then 422: the answer is refused, never cut). Queries of up to "
            f"{config['MAX_QUERY_LENGTH']} characters and request bodies of up to {config['MAX_CONTENT_LENGTH']} bytes "
            f"(then 413).{rate} The query is read-only: updates and SERVICE calls to endpoints not on the "
            f"service's allow-list get 403.")


def sparql_paths(config) -> dict:
    limited = {"429": RETRY_PROBLEM} if enabled(config.get("RATE_LIMIT")) else {}
    responses = {"200": {"description": "results, or without a query the service description",
                         "content": content(SOLUTIONS + GRAPHS)},
                 "304": {"description": "not modified since the ETag"},
                 "400": PROBLEM, "403": PROBLEM, "406": PROBLEM, "410": PROBLEM, "413": PROBLEM, "422": PROBLEM,
                 "503": RETRY_PROBLEM, **limited}
    description = "SPARQL 1.1 Protocol query operation. " + limits_text(config)
    query_parameter = {"name": "query", "in": "query", "required": False,
                       "schema": {"type": "string", "maxLength": config["MAX_QUERY_LENGTH"]}}
    form = {"type": "object", "required": ["query"], "properties": {
        "query": {"type": "string", "maxLength": config["MAX_QUERY_LENGTH"]},
        "default-graph-uri": {"type": "array", "items": STRING}, "named-graph-uri": {"type": "array", "items": STRING}}}
    saved = {"type": "object", "required": ["query"], "additionalProperties": False, "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": config["MAX_QUERY_LENGTH"]},
        "title": {"type": "string", "maxLength": 200}}}
    write_security = [{"savedWriteToken": []}] if config.get("SAVED_WRITE_TOKEN") else []
    return {
        "/sparql": {
            "get": {"operationId": "sparql_get", "summary": "SPARQL query (GET); without a query, the service description",
                    "description": description, "tags": ["sparql"],
                    "parameters": [query_parameter, *DATASET_PARAMETERS, release_parameter()], "responses": responses},
            "post": {"operationId": "sparql_post", "summary": "SPARQL query (POST, form-encoded or direct)",
                     "description": description, "tags": ["sparql"],
                     "requestBody": {"required": True, "content": {
                         "application/x-www-form-urlencoded": {"schema": form},
                         "application/sparql-query": {"schema": {"type": "string", "minLength": 1}}}},
                     "responses": {**responses, "415": PROBLEM}},
        },
        "/saved": {"post": {
            "operationId": "save_query", "summary": "Save an ad-hoc query; its permalink is derived from its text",
            "description": "Checked like /sparql (syntax, read-only, federation) and kept in SQLite; "
                           "the same text gives the same id. JSON only (no form: no cross-site writes). "
                           f"Each client may add {config['SAVED_CLIENT_BYTES']:,} bytes a day (429 beyond), "
                           f"all saves {config['SAVED_TOTAL_BYTES']:,} bytes (507 beyond). " + limits_text(config),
            "tags": ["saved queries"], "security": write_security,
            "requestBody": {"required": True, "content": {"application/json": {"schema": saved}}},
            "responses": {"201": {"description": "saved", "headers": {"Location": {"schema": STRING}},
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Saved"}}}},
                          "400": PROBLEM, "401": PROBLEM, "403": PROBLEM, "409": PROBLEM, "413": PROBLEM,
                          "415": PROBLEM, "422": PROBLEM, "429": RETRY_PROBLEM, "503": RETRY_PROBLEM,
                          "507": PROBLEM, **limited}}},
        "/saved/{identifier}": {"get": {
            "operationId": "run_saved_query", "summary": "Run a saved query (negotiated like /sparql)",
            "description": limits_text(config), "tags": ["saved queries"],
            "parameters": [{"name": "identifier", "in": "path", "required": True, "schema": STRING},
                           {"name": "format", "in": "query", "required": False, "schema": STRING,
                            "description": "result format instead of the Accept header (406 when the query's "
                                           "form of answer has none of that name)"},
                           release_parameter()],
            "responses": {**responses, "200": {"description": "results", "content": content(SOLUTIONS + GRAPHS)},
                          "404": PROBLEM}}},
        "/saved/{identifier}.rq": {"get": {
            "operationId": "saved_query_text", "summary": "The text of a saved query", "tags": ["saved queries"],
            "parameters": [{"name": "identifier", "in": "path", "required": True, "schema": STRING}],
            "responses": {"200": {"description": "the SPARQL text", "content": {"application/sparql-query": {"schema": STRING}}},
                          "404": PROBLEM, **limited}}},
    }


def document() -> dict:
    runtime, config = current_app.extensions["lmkg"], current_app.config
    paths = {f"/queries/{q.name}": {"get": query_operation(q)} for q in runtime.catalogue.values()}
    paths["/queries"] = {"get": {"operationId": "catalogue", "summary": "The catalogue of canned queries",
                                 "responses": {"200": {"description": "the catalogue", "content": {
                                     "application/json": {"schema": {"type": "object"}},
                                     "text/html": {"schema": STRING}, "text/turtle": {"schema": STRING},
                                     "application/ld+json": {}}}}}}
    paths.update(sparql_paths(config))
    paths["/health"] = {"get": {"operationId": "health", "summary": "Liveness and the served release",
                                "responses": {"200": {"description": "ok", "content": {"application/json": {
                                    "schema": {"type": "object", "required": ["status", "release"]}}}}}}}
    security = {"savedWriteToken": {"type": "http", "scheme": "bearer",
                                    "description": "the service's SAVED_WRITE_TOKEN"}} if config.get("SAVED_WRITE_TOKEN") else {}
    return {
        "openapi": "3.0.3",
        "info": {"title": "LungMet KG API", "version": runtime.current.id,
                 "description": "Canned queries over the LungMet KG knowledge graph of lung-cancer metastasis therapy, "
                                "and its SPARQL 1.1 endpoint. Every error is an RFC 9457 problem document."},
        "servers": [{"url": url_for("pages.home", _external=True).rstrip("/")}],
        "paths": paths,
        "components": {
            "responses": {
                "Problem": {"description": "an RFC 9457 problem document",
                            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
                "RetryProblem": {"description": "an RFC 9457 problem document; try again after Retry-After seconds",
                                 "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
                                 "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            },
            "schemas": {
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": STRING, "title": STRING, "status": {"type": "integer"}, "detail": STRING,
                    "instance": STRING}},
                "SparqlResults": {"type": "object", "required": ["head"], "properties": {
                    "head": {"type": "object"}, "boolean": {"type": "boolean"},
                    "results": {"type": "object", "required": ["bindings"],
                                "properties": {"bindings": {"type": "array", "items": {"type": "object"}}}}}},
                "Saved": {"type": "object", "required": ["id", "url", "title"], "properties": {
                    "id": STRING, "url": STRING, "title": STRING}},
            },
            **({"securitySchemes": security} if security else {}),
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    # in the document's own order (jsonify sorts keys): the order of content types tells generators which to read
    return Response(json.dumps(document()), mimetype="application/json")


@bp.get("/api")
def api_page():
    return render_template("api.html", doc=document())

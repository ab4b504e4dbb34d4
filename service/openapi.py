"""`/openapi.json`: an OpenAPI 3 document generated from the catalogue, and `/api`, a page for people."""
from flask import Blueprint, current_app, jsonify, render_template, url_for

bp = Blueprint("openapi", __name__)

SOLUTIONS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
GRAPHS = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json", "application/n-quads",
          "application/trig"]
PROBLEM = {"$ref": "#/components/responses/Problem"}


def parameter_schema(param) -> dict:
    if param.type == "enum":
        return {"type": "string", "enum": list(param.values)}
    if param.type == "decimal":
        return {"type": "number"}
    if param.type == "integer":
        return {"type": "integer"}
    return {"type": "string", "maxLength": 200}


def query_operation(query) -> dict:
    parameters = []
    for param in query.params.values():
        schema = parameter_schema(param)
        if param.default is not None:
            schema["default"] = param.default if param.type in ("entity", "enum", "string") else float(param.default)
        entry = {"name": param.name, "in": "query", "required": param.required, "description": param.description,
                 "schema": schema}
        if param.example is not None:
            entry["example"] = param.example if schema["type"] == "string" else float(param.example)
        parameters.append(entry)
    parameters.append({"name": "format", "in": "query", "required": False,
                       "description": "result format instead of the Accept header (json, xml, csv, tsv, ttl, nt, jsonld…)",
                       "schema": {"type": "string"}})
    media = GRAPHS if query.form == "CONSTRUCT" else SOLUTIONS
    return {
        "operationId": query.name.replace("-", "_"), "summary": query.summary,
        "description": query.description.strip(), "tags": ["canned queries"], "parameters": parameters,
        "responses": {
            "200": {"description": "the answer", "content": {m: {"schema": {"type": "string"}} for m in media}},
            "304": {"description": "not modified since the ETag"},
            "400": PROBLEM, "404": PROBLEM, "406": PROBLEM, "409": PROBLEM, "410": PROBLEM, "422": PROBLEM,
        },
    }


def document() -> dict:
    runtime = current_app.extensions["lmkg"]
    paths = {f"/queries/{q.name}": {"get": query_operation(q)} for q in runtime.catalogue.values()}
    paths["/queries"] = {"get": {"operationId": "catalogue", "summary": "The catalogue of canned queries",
                                 "responses": {"200": {"description": "the catalogue",
                                                       "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    paths["/sparql"] = {"get": {
        "operationId": "sparql_get", "summary": "SPARQL 1.1 Protocol query (GET); without a query, the service description",
        "parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100000}},
                       {"name": "default-graph-uri", "in": "query", "required": False,
                        "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
                       {"name": "named-graph-uri", "in": "query", "required": False,
                        "schema": {"type": "array", "items": {"type": "string"}}, "explode": True}],
        "responses": {"200": {"description": "results or the service description",
                              "content": {m: {"schema": {"type": "string"}} for m in SOLUTIONS + GRAPHS}},
                      "400": PROBLEM, "403": PROBLEM, "406": PROBLEM, "413": PROBLEM, "422": PROBLEM, "503": PROBLEM}}}
    paths["/health"] = {"get": {"operationId": "health", "summary": "Liveness and the served release",
                                "responses": {"200": {"description": "ok", "content": {"application/json": {
                                    "schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "LungMet KG API", "version": runtime.current.id,
                 "description": "Canned queries over the LungMet KG knowledge graph of lung-cancer metastasis therapy, "
                                "and its SPARQL 1.1 endpoint. Every error is an RFC 9457 problem document."},
        "servers": [{"url": url_for("pages.home", _external=True).rstrip("/")}],
        "paths": paths,
        "components": {"responses": {"Problem": {"description": "an RFC 9457 problem document", "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
            "schemas": {"Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "instance": {"type": "string"}}}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())


@bp.get("/api")
def api_page():
    return render_template("api.html", doc=document())

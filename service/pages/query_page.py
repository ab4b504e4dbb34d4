"""The page of a canned query for people (`/queries/<name>` asked for as HTML): its description, a form
with one typed input per parameter (suggestions from the graph's labels), the answer as a table whose
IRIs link to the entity pages, a link to copy, downloads, and the SPARQL text.

A first visit to a query that needs parameters shows the form filled in with a worked example; once
submitted, the answer is computed exactly as for the data formats (same binding, same cache).
"""
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Response, current_app, render_template, request, url_for

from service.engine.columns import ColumnSpec
from service.pages.answer_table import default_columns, fold_rows
from service.engine.catalogue import CannedQuery, Parameter, ParameterError
from service.pages.editor import editor_text
from service.api.http import answer_headers
from service.api.problems import Problem
from service.pages.readable import legend
from service.engine.resolve import normalise

DOWNLOADS = {"SELECT": [("CSV", "csv"), ("JSON", "json"), ("TSV", "tsv"), ("XML", "xml")],
             "ASK": [("JSON", "json"), ("XML", "xml")],
             "CONSTRUCT": [("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt")]}


@dataclass
class Field:
    """One input of the form."""
    param: Parameter
    value: str
    input_type: str          # select, number, text
    step: str | None = None
    options: list[str] | None = None


def query_url(name: str, args: dict[str, str] | None = None, external: bool = False) -> str:
    """The URL of a canned query with these parameters (built by hand: a parameter may be called
    `endpoint`, which url_for keeps for itself)."""
    base = url_for("queries.run", name=name, _external=external)
    return f"{base}?{urlencode(args)}" if args else base


def wants_page(query: CannedQuery) -> bool:
    """A browser asking for the page: no explicit format, and HTML preferred over every data format."""
    if {"format", "explain"} & set(request.args):
        return False
    from service.engine.results import available_types
    offered = [*available_types(query.form), "text/html"]   # HTML last: `*/*` still gets data
    return request.accept_mimetypes.best_match(offered) == "text/html"


def form_fields(query: CannedQuery, args: dict[str, str], index, first_visit: bool) -> list[Field]:
    fields = []
    for param in query.params.values():
        example = (query.example_args() or {}).get(param.name)
        value = args.get(param.name, (example or param.default or "") if first_visit else "")
        if param.type == "enum":
            fields.append(Field(param, value or param.default or "", "select", options=list(param.values)))
        elif param.type in ("decimal", "integer"):
            fields.append(Field(param, value, "number", step="1" if param.type == "integer" else "any"))
        elif param.type == "entity":
            fields.append(Field(param, value, "text", options=index.labels_of(set(param.classes) or None)))
        else:
            fields.append(Field(param, value, "text"))
    return fields


@dataclass
class AnswerTable:
    """The answer of a SELECT as people read it: the shown columns, folded rows, what stays in the downloads."""
    columns: list[ColumnSpec]
    rows: list
    answer_rows: int
    hidden: list[str]


def rows_table(query: CannedQuery, rows: list[dict]) -> AnswerTable:
    """Rows of a canned query (as an entity page holds them) laid out by the query's declared columns."""
    columns = [c for c in query.columns if not c.hidden]
    return AnswerTable(columns, fold_rows(rows, columns, query.fold), len(rows), [])


def answer_table(query: CannedQuery, result) -> AnswerTable:
    declared = [c for c in query.columns if c.source in result.variables]
    columns = [c for c in declared if not c.hidden] if declared else default_columns(result.variables)
    named = {c.source or c.name for c in columns} | {c.label for c in columns if c.label}
    hidden = [v for v in result.variables if v not in named]
    rows = result.dicts()
    return AnswerTable(columns, fold_rows(rows, columns, query.fold if declared else []), len(rows), hidden)


def render(query: CannedQuery, args: dict[str, str], store, run) -> Response:
    """The page; `run(bindings)` answers the query (cached, with the endpoint's limits)."""
    state = current_app.extensions["lmkg"]
    index = state.index(store.release.id)
    needs_input = any(p.required for p in query.params.values())
    first_visit = not args and needs_input
    result, problem, bindings = None, None, {}
    if not first_visit:
        try:
            bindings = query.bindings(args, index, state.catalogue)
            result = run(bindings)
        except ParameterError as error:
            problem = Problem(error.status, error.title, error.detail, **error.extra)
        except Problem as error:
            problem = error
    pinned = {**args, "release": store.release.id}
    alternatives = other_values(query, args, problem) if problem else []
    context = {
        "query": query, "fields": form_fields(query, args, index, first_visit), "result": result,
        "problem": problem, "first_visit": first_visit, "alternatives": alternatives,
        "readings": read_as(query, args, bindings, index),
        "table": answer_table(query, result) if result is not None and result.form == "SELECT" else None,
        "link": query_url(query.name, args, external=True),
        "pinned_link": query_url(query.name, pinned, external=True),
        "downloads": [(label, query_url(query.name, {**args, "format": fmt}))
                      for label, fmt in DOWNLOADS[query.form]] if result is not None else [],
        "editor_link": url_for("sparql.endpoint") + "#" + urlencode(
            {"query": editor_text(query, bindings), "tabTitle": query.name}),
        "release": store.release,
        "legend": claim_legend(state, store, result),
        "sparql": "\n".join(line for line in query.text.splitlines() if not line.startswith("#+")),
    }
    response = Response(render_template("query.html", **context), status=problem.status if problem else 200)
    if problem is None:
        answer_headers(response, store.release.id)
    return response


def claim_legend(state, store, result) -> dict | None:
    """The strength and evidence-level scales, when the answer ranks clinical claims on them."""
    if result is None or result.form != "SELECT" or not CLAIM_COLUMNS & set(result.variables):
        return None
    return state.once_per_release(store.release.id, "claim-legend", lambda: legend(store))


CLAIM_COLUMNS = {"status_label", "evidence_level"}


def read_as(query: CannedQuery, args: dict[str, str], bindings: dict, index) -> list[tuple[str, list[str]]]:
    """(value as given, labels) for each value that was read as something not of its own name."""
    return [(raw, labels) for _, raw, labels in query.readings(args, bindings, index)
            if normalise(raw) not in map(normalise, labels)]


def other_values(query: CannedQuery, args: dict[str, str], problem: Problem) -> list[tuple]:
    """Links that ask again with a suggested name (nothing matched) or one of the candidates (ambiguous):
    (text, url, detail)."""
    param = problem.extra.get("parameter")
    if not param:
        return []
    options = [(s, s, None) for s in problem.extra.get("suggestions", [])]
    from service.pages.views import kind_of
    # a candidate is named and said what kind it is; its IRI goes in the link only
    options += [(candidate_text(c), c["iri"], kind_of(c["iri"])) for c in problem.extra.get("candidates", [])]
    return [(text, query_url(query.name, {**args, param: value}), detail)
            for text, value, detail in options]


def candidate_text(candidate: dict) -> str:
    """A candidate's label, with what it is read as ("leptomeningeal metastatic disease → leptomeninges")."""
    read_as = candidate.get("read_as")
    return f"{candidate['label']} → {', '.join(read_as)}" if read_as else candidate["label"]

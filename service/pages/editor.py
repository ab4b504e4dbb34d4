"""The SPARQL editor: YASGUI (`@zazuko/yasgui`, installed by `make install` with `npm ci` and served from
node_modules under /vendor/yasgui/), opened at the endpoint itself — GET /sparql without a query, from a
browser — pre-filled with the prefixes and the catalogue's queries, and querying this /sparql.

A catalogue query opens in the editor with its parameters bound by a VALUES block at the top of its
WHERE clause, so it runs as it stands at the endpoint.
"""
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory, url_for

from graph.vocab import PREFIXES
from lmkg.paths import REPO
from service.engine.catalogue import CannedQuery, ParameterError
from service.engine.query import bind_values

bp = Blueprint("editor", __name__)
YASGUI_BUILD = Path("@zazuko") / "yasgui" / "build"
VENDOR_FILES = {"yasgui.min.js", "yasgui.min.css"}
STARTER = """SELECT ?drug ?drug_label ?level_label WHERE {
  ?drug a lmkg:Drug ; rdfs:label ?drug_label ;
        lmkg:hasBBBPenetrationLevel/rdfs:label ?level_label .
}
ORDER BY ?drug_label"""


def node_modules() -> Path:
    return Path(current_app.config.get("NODE_MODULES") or REPO / "node_modules")


@bp.get("/vendor/yasgui/<filename>")
def vendor(filename: str):
    """The editor's script and style sheet, from the npm package (never copied into the repository)."""
    if filename not in VENDOR_FILES:
        abort(404)
    folder = node_modules() / YASGUI_BUILD
    if not (folder / filename).is_file():
        abort(404, description=f"{filename} is not installed; run `make install` (npm ci)")
    return send_from_directory(folder, filename, max_age=86400)


def prefix_block() -> str:
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


def editor_text(query: CannedQuery, bindings: dict) -> str:
    """A catalogue query as it opens in the editor: a comment line, then its SPARQL with `bindings`."""
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+"))
    return f"# {query.summary} ({query.name})\n{bind_values(body, bindings)}"


def example_bindings(query: CannedQuery, index) -> dict:
    """The terms of the query's worked example (its first expected answer), or of its defaults."""
    try:
        return query.bindings(query.example_args() or {}, index)
    except ParameterError:
        return {}


def editor_page():
    runtime = current_app.extensions["lmkg"]
    index = runtime.index()
    examples = [{"name": q.name, "title": q.summary, "question": q.question,
                 "query": editor_text(q, example_bindings(q, index))} for q in runtime.catalogue.values()]
    config = {"endpoint": url_for("sparql.endpoint", _external=True), "starter": prefix_block() + "\n" + STARTER,
              "examples": examples, "write_token": bool(current_app.config.get("SAVED_WRITE_TOKEN"))}
    assets = (node_modules() / YASGUI_BUILD / "yasgui.min.js").is_file()
    return render_template("editor.html", config=config, examples=examples, assets=assets)

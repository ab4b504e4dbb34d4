"""`/releases/<A>/diff/<B>`: what changed between two kept releases, grouped by entity with labels.

JSON by default; text/plain, an RDF Patch (application/rdf-patch) or HTML by `Accept` or
`?format=text|json|patch|html`. `latest` names the newest release. Releases never change once written,
so a diff is computed once and kept (a few, in memory).
"""
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request

from graph.diff import PATCH_TYPE, Diff, diff, folder_snapshot
from service.api.downloads import kept, newest
from service.api.http import RELEASE_HEADER
from service.api.problems import Problem
from service.engine.runtime import AnswerCache

bp = Blueprint("diffs", __name__)
FORMATS = {"json": "application/json", "text": "text/plain", "patch": PATCH_TYPE, "html": "text/html"}
CACHED = 8
cache = AnswerCache(CACHED)


def release_diff(old: str, new: str) -> Diff:
    old_release = newest() if old == "latest" else kept(old)
    new_release = newest() if new == "latest" else kept(new)
    key = (old_release.folder, new_release.folder)
    changes = cache.get(key)
    if changes is None:
        changes = diff(folder_snapshot(Path(old_release.folder), old_release.id),
                       folder_snapshot(Path(new_release.folder), new_release.id))
        cache.put(key, changes)
    return changes


def chosen_format() -> str:
    name = request.args.get("format")
    if name is not None:
        if name not in FORMATS:
            raise Problem(400, "Unknown format", f"format is one of {', '.join(FORMATS)}", slug="unknown-format")
        return FORMATS[name]
    if "Accept" not in request.headers:
        return FORMATS["json"]
    media_type = request.accept_mimetypes.best_match(list(FORMATS.values()))
    if media_type is None:
        raise Problem(406, "Not Acceptable", "a diff is available as: " + ", ".join(FORMATS.values()),
                      slug="not-acceptable")
    return media_type


@bp.get("/releases/<old>/diff/<new>")
def changes_between(old: str, new: str):
    media_type = chosen_format()
    changes = release_diff(old, new)
    if media_type == "application/json":
        response = jsonify(changes.to_json())
    elif media_type == "text/html":
        response = Response(render_template("diff.html", diff=changes))
    elif media_type == PATCH_TYPE:
        response = Response(changes.patch(), content_type=f"{PATCH_TYPE}; charset=utf-8")
    else:
        response = Response(changes.text(), content_type="text/plain; charset=utf-8")
    response.vary.add("Accept")
    response.headers[RELEASE_HEADER] = changes.new
    latest = "latest" in (old, new)
    response.headers["Cache-Control"] = "no-cache" if latest else "public, max-age=31536000, immutable"
    return response


"""Releases for integrators: `/downloads` (the kept releases and their files), stable versioned file
URLs with a `latest` alias, the release IRIs, and the DCAT/VoID description at `/.well-known/void`.

GET /downloads                      every kept release with its distributions (JSON or HTML)
GET /downloads/<id>                 one release (`latest` redirects to the newest)
GET /downloads/<id>/<file>          a file of a release; gzip files as application/gzip
GET /downloads/latest/<file>        302 to the same file of the newest release
GET /release/<id>                   the release IRI: 303 to its description (RDF) or its downloads
GET /.well-known/void               the DCAT + VoID description of the served release (Turtle, negotiable)

Files are read from the data directory, so a release built while the service runs is listed at once.
"""
import base64
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, send_file, url_for

from graph.distributions import CHECKSUMS, COMPRESSION
from graph.release import NOTES, Release, kept_releases, latest_release, read_release, releases_dir
from service.api.description import deployment_statements, release_description, serialize, void_path
from service.api.http import RELEASE_HEADER, answer_headers
from service.api.problems import Problem
from service.engine.results import content_type

bp = Blueprint("downloads", __name__)
LISTING_TYPES = ["application/json", "text/html"]
RELEASE_ID = re.compile(r"^[0-9a-f]{16}$")
FILE_TYPES = {".gz": COMPRESSION, ".ttl": "text/turtle; charset=utf-8", ".json": "application/json",
              ".md": "text/markdown; charset=utf-8", CHECKSUMS: "text/plain; charset=utf-8"}
VOID_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/plain"]


def data_dir() -> Path:
    return Path(current_app.config["DATA_DIR"])


def kept(release_id: str) -> Release:
    """A kept release by id; 410 for a well-formed id no longer kept, 404 for anything else."""
    release = read_release(releases_dir(data_dir()) / release_id) if RELEASE_ID.match(release_id) else None
    if release is None:
        status, title = (410, "Release not kept") if RELEASE_ID.match(release_id) else (404, "Unknown release")
        raise Problem(status, title, f"release {release_id!r} is not kept on this service", slug=title.lower().replace(" ", "-"),
                      releases=url_for("downloads.listing", _external=True))
    return release


def newest() -> Release:
    release = remote_only() or latest_release(data_dir())
    if release is None:
        raise Problem(404, "No release", "no release has been built yet", slug="no-release")
    return release


def remote_only(release_id: str | None = None) -> Release | None:
    """In remote mode, the store's release when its folder is not in DATA_DIR (its files are published
    elsewhere: the description's download URLs)."""
    runtime = current_app.extensions["lmkg"]
    if not runtime.remote:
        return None
    release = runtime.current
    if release_id not in (None, release.id) or read_release(releases_dir(data_dir()) / release.id):
        return None
    return release


def describe_remote(release: Release) -> dict:
    files = [{**entry, "url": entry["download_url"], "latest_url": entry["download_url"]}
             for entry in release.distributions]
    return {"id": release.id, "date": release.date, "built": release.built, "latest": True, "iri": str(release.iri),
            "url": url_for("downloads.one", release_id=release.id, _external=True), "previous": None,
            "changes": None, "triples": release.triples, "distributions": files,
            "metadata": {"void.ttl": url_for("downloads.void", _external=True)}, "diff_from_previous": None}


def describe(release: Release, latest_id: str | None) -> dict:
    files = [{**entry, "url": url_for("downloads.file", release_id=release.id, name=entry["file"], _external=True),
              "latest_url": url_for("downloads.file", release_id="latest", name=entry["file"], _external=True)}
             for entry in release.distributions]
    links = {name: url_for("downloads.file", release_id=release.id, name=name, _external=True)
             for name in ("void.ttl", NOTES, CHECKSUMS, "release.json") if name in release.files()}
    return {"id": release.id, "date": release.date, "built": release.built, "latest": release.id == latest_id,
            "iri": str(release.iri), "url": url_for("downloads.one", release_id=release.id, _external=True),
            "previous": release.previous, "changes": release.changes, "triples": release.triples,
            "distributions": files, "metadata": links,
            "diff_from_previous": url_for("diffs.changes_between", old=release.previous, new=release.id, _external=True)
            if release.previous else None}


def listing_answer(body: dict, template: str, status: int = 200) -> Response:
    media_type = request.accept_mimetypes.best_match(LISTING_TYPES) or "application/json"
    if media_type == "text/html":
        response = Response(render_template(template, **body), status=status)
    else:
        response = jsonify(body)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/downloads")
def listing():
    served = remote_only()
    latest = served or latest_release(data_dir())
    latest_id = latest.id if latest else None
    releases = [describe(r, latest_id) for r in kept_releases(data_dir())]
    if served:
        releases.insert(0, describe_remote(served))
    return listing_answer({"latest": latest_id, "releases": releases}, "downloads.html")


@bp.get("/downloads/<release_id>")
def one(release_id: str):
    if release_id == "latest":
        return redirect(url_for("downloads.one", release_id=newest().id, _external=True), 302)
    if served := remote_only(release_id):
        return listing_answer({"latest": served.id, "releases": [describe_remote(served)]}, "downloads.html")
    release = kept(release_id)
    latest = latest_release(data_dir())
    return listing_answer({"latest": latest.id if latest else None, "releases": [describe(release, latest and latest.id)]},
                          "downloads.html")


@bp.get("/downloads/<release_id>/<name>")
def file(release_id: str, name: str):
    if release_id == "latest":
        response = redirect(url_for("downloads.file", release_id=newest().id, name=name, _external=True), 302)
        response.headers["Cache-Control"] = "no-cache"
        return response
    if served := remote_only(release_id):   # the store holds no files: where the description says they are
        url = next((d["download_url"] for d in served.distributions if d["file"] == name), None)
        if url is None:
            raise Problem(404, "Unknown file", f"release {served.id} has no file {name!r}", slug="unknown-file")
        return redirect(url, 302)
    release = kept(release_id)
    if name not in release.files():
        raise Problem(404, "Unknown file", f"release {release.id} has no file {name!r}", slug="unknown-file",
                      files=release.files())
    path = Path(release.folder) / name
    checksum = next((d["sha256"] for d in release.distributions if d["file"] == name), None) or release.checksums.get(name)
    response = send_file(path, mimetype=FILE_TYPES.get(name, FILE_TYPES.get(path.suffix, "application/octet-stream")),
                         conditional=True, etag=checksum or True, max_age=31536000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers[RELEASE_HEADER] = release.id
    if checksum:  # RFC 9530: clients can check what they got
        response.headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(checksum)).decode()}:"
    return response


@bp.get("/release/<release_id>")
def release_iri(release_id: str):
    """The release IRI: 303 to its RDF description, or to its downloads page."""
    if not remote_only(release_id):
        kept(release_id)
    media_type = request.accept_mimetypes.best_match(["text/html", "application/json", *VOID_TYPES])
    if media_type in VOID_TYPES:
        target = url_for("downloads.void", release=release_id, _external=True)
    else:
        target = url_for("downloads.one", release_id=release_id, _external=True)
    response = redirect(target, 303)
    response.vary.add("Accept")
    return response


@bp.get("/.well-known/void")
def void():
    """The DCAT + VoID description of the served release (or `?release=`): its void.ttl, as written
    (the store would turn xsd:nonNegativeInteger byte sizes into xsd:integer)."""
    media_type = request.accept_mimetypes.best_match(VOID_TYPES) if "Accept" in request.headers else "text/turtle"
    if media_type is None:
        raise Problem(406, "Not Acceptable", "the description is available as: " + ", ".join(VOID_TYPES), slug="not-acceptable")
    runtime = current_app.extensions["lmkg"]
    release = runtime.release(request.args.get("release") or runtime.current.id)
    description = release_description(release)
    here = deployment_statements(release, description)
    path = void_path(release)
    if path and media_type == "text/turtle":   # N-Triples lines after the file are Turtle too
        body = path.read_bytes() + here.serialize(format="nt", encoding="utf-8")
    else:
        body = serialize(description + here, media_type)
    response = Response(body, content_type=content_type(media_type))
    answer_headers(response, release.id)
    return response


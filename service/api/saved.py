"""`/saved`: permalinks for ad-hoc queries. POST the SPARQL text (and a title) as JSON and get
`/saved/<id>`, an id derived from the text (same text, same id: 128 bits of its SHA-256), kept in SQLite
under the data directory (WAL, one transaction per save) or, when SAVED_DATABASE_URL names one, in
PostgreSQL (service/engine/saved_db.py), so it survives restarts; GET `/saved/<id>` runs it like `/sparql`
(a browser gets its page: service/pages/saved_page.py). Ids of 12 hex digits from before stay where they were.

Writes take JSON only: a web page can send a form or text/plain to any site without asking, but not
JSON, so another site cannot make a visitor's browser save. Growth is bounded in bytes, per client per
day (SAVED_CLIENT_BYTES, 429 beyond) and in total (SAVED_TOTAL_BYTES, 507 beyond)."""
import atexit
import hashlib
import hmac
import sqlite3
import threading

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from service.api.http import answer_headers
from service.api.problems import Problem, query_problems
from service.api.sparql import check_text, choose_media_type, result_form, run_untrusted
from service.engine.query import QueryRequest
from service.engine.results import content_type, serialize
from service.engine.saved_db import QuotaExceeded, Quotas, SavedStore, SqliteSaved, configured_store
from service.pages.saved_page import prefers_page, saved_page

bp = Blueprint("saved", __name__)
MAX_TITLE = 200
_opening = threading.Lock()


def storage() -> SavedStore:
    """The app's saved-query store (SQLite in DATA_DIR, or SAVED_DATABASE_URL), opened on first use."""
    with _opening:
        if "lmkg-saved" not in current_app.extensions:
            current_app.extensions["lmkg-saved"] = configured_store(current_app.config)
            atexit.register(current_app.extensions["lmkg-saved"].close)
        return current_app.extensions["lmkg-saved"]


def database() -> sqlite3.Connection:
    """This thread's connection to the SQLite store (the embedded default)."""
    saved = storage()
    assert isinstance(saved, SqliteSaved), "saved queries are kept in PostgreSQL (SAVED_DATABASE_URL)"
    return saved.connection()


def saved_id(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:32]


def client_key() -> str:
    """The client as the quota counts it: a hash, so the database keeps no addresses."""
    return hashlib.sha256(f"lmkg-saved {request.remote_addr}".encode()).hexdigest()[:16]


def authorise() -> None:
    token = current_app.config.get("SAVED_WRITE_TOKEN")
    if not token:
        return
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Problem(401, "Unauthorized", "saving a query needs `Authorization: Bearer <token>`",
                      headers={"WWW-Authenticate": 'Bearer realm="lmkg-saved"'})


def read_submission() -> tuple[str, str]:
    if request.mimetype != "application/json":   # forms and text/plain can be posted cross-site without a preflight
        raise Problem(415, "Unsupported Media Type", "POST a JSON object {\"query\": …, \"title\": …}")
    try:
        body = request.get_json(silent=True)
    except RecursionError:   # nested deeper than the JSON parser goes: malformed, not a server error
        body = None
    if not isinstance(body, dict):
        raise Problem(400, "Malformed request", "send a JSON object {\"query\": …, \"title\": …}", slug="malformed-request")
    unknown = sorted(set(body) - {"query", "title"})
    if unknown:
        raise Problem(400, "Unknown parameter", "a saved query takes only query and title, not " + ", ".join(unknown),
                      slug="unknown-parameter")
    text, title = body.get("query"), body.get("title", "")
    if not isinstance(text, str) or not text.strip() or not isinstance(title, str):
        raise Problem(400, "Malformed request", "`query` must be non-empty SPARQL text and `title` a string",
                      slug="malformed-request")
    if len(text.encode("utf-8")) > current_app.config["MAX_QUERY_LENGTH"] or len(title) > MAX_TITLE:
        raise Problem(413, "Query too long", "the query or its title is too long", slug="query-too-long")
    return text, title.strip()


@bp.post("/saved")
def save():
    authorise()
    text, title = read_submission()
    check_text(text)
    with query_problems():   # parsed in a query worker under the time limit: a check may not evaluate here
        current_app.extensions["lmkg"].check_syntax(text)
    identifier = saved_id(text)
    title = store(identifier, text, title)
    location = url_for("saved.run", identifier=identifier)
    response = jsonify(id=identifier, url=url_for("saved.run", identifier=identifier, _external=True), title=title)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def store(identifier: str, text: str, title: str) -> str:
    """Keep the query (within the quotas) unless it is there; the title it is kept under."""
    config = current_app.config
    try:   # acknowledged only once committed, the quotas counted in the same transaction
        kept_text, kept_title = storage().save(identifier, text, title, client_key(),
                                               Quotas(config["SAVED_CLIENT_BYTES"], config["SAVED_TOTAL_BYTES"]))
    except QuotaExceeded as error:
        if error.scope == "client":
            raise Problem(429, "Save quota used", f"a client may save {config['SAVED_CLIENT_BYTES']:,} bytes a day",
                          slug="save-quota", headers={"Retry-After": "3600"}) from None
        raise Problem(507, "Saved queries full", "the service keeps no more saved queries", slug="saved-full") from None
    if kept_text.strip() != text.strip():   # 128 bits make this all but impossible; never answer with another's query
        raise Problem(409, "Saved-query id conflict", f"another query is saved as {identifier!r}", slug="id-conflict")
    return kept_title


def load(identifier: str) -> tuple[str, str]:
    row = storage().load(identifier)
    if row is None:
        raise Problem(404, "Unknown saved query", f"no saved query {identifier!r}", slug="unknown-saved-query")
    return row


@bp.get("/saved/<identifier>.rq")
def text(identifier: str):
    query, _ = load(identifier)
    best = request.accept_mimetypes.best_match(["application/sparql-query", "text/plain", "text/html"])
    media_type = "text/plain" if best in ("text/plain", "text/html") else "application/sparql-query"  # shown, not downloaded
    return Response(query, content_type=f"{media_type}; charset=utf-8")


@bp.get("/saved/<identifier>")
def run(identifier: str):
    unknown = sorted(set(request.args) - {"format", "release"})
    if unknown:
        raise Problem(400, "Unknown parameter", "a saved query takes no parameter " + ", ".join(unknown),
                      slug="unknown-parameter")
    query, title = load(identifier)
    facts = check_text(query)
    page = prefers_page(result_form(facts))
    media_type = None if page else choose_media_type(result_form(facts), request.args)
    store = current_app.extensions["lmkg"].store(request.args.get("release"))
    result = run_untrusted(store, QueryRequest(query, query_dataset=facts.names_dataset,
                                               base_iri=url_for("sparql.endpoint", _external=True),
                                               limit=current_app.config["MAX_ROWS"]))
    if page:
        response = Response(saved_page(identifier, title, query, result))
    else:
        response = Response(serialize(result, media_type), content_type=content_type(media_type))
    response.headers["Link"] = f'<{url_for("saved.text", identifier=identifier)}>; rel="describedby"'
    answer_headers(response, store.release.id)
    return response

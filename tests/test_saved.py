"""/saved: permalinks for ad-hoc queries, derived from the text, kept in SQLite across restarts."""
import pytest

QUERY = "SELECT ?l WHERE { <https://w3id.org/lungmet-kg/id/drug/lorlatinib> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@pytest.fixture()
def saved_app(data_dir, tmp_path):
    """A service whose saved-query database lives in a fresh copy of the data directory."""
    import shutil
    from service import create_app
    copy = tmp_path / "data"
    shutil.copytree(data_dir / "releases", copy / "releases")
    app = create_app({"DATA_DIR": str(copy), "ISOLATED_WORKERS": 1})
    yield app
    app.extensions["lmkg"].close()


def test_save_run_and_survive_a_restart(saved_app):
    client = saved_app.test_client()
    created = client.post("/saved", json={"query": QUERY, "title": "lorlatinib label"})
    assert created.status_code == 201
    identifier = created.get_json()["id"]
    assert created.headers["Location"] == f"/saved/{identifier}"
    again = client.post("/saved", json={"query": QUERY, "title": "another title"})
    assert again.status_code == 201 and again.get_json()["id"] == identifier
    assert again.get_json()["title"] == "lorlatinib label"   # the title it is kept under
    answer = client.get(f"/saved/{identifier}", headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv" and b"lorlatinib" in answer.data
    assert client.get(f"/saved/{identifier}.rq").data.decode() == QUERY
    from service import create_app
    restarted = create_app({"DATA_DIR": saved_app.config["DATA_DIR"], "ISOLATED_WORKERS": 1})
    try:
        assert restarted.test_client().get(f"/saved/{identifier}").status_code == 200
    finally:
        restarted.extensions["lmkg"].close()


@pytest.mark.parametrize("kwargs,status", [
    ({"json": {"query": ""}}, 400),
    ({"json": {"query": "SELECT * WHERE {"}}, 400),
    ({"json": {"query": QUERY, "colour": "red"}}, 400),
    ({"json": ["not", "an", "object"]}, 400),
    ({"json": {"query": "INSERT DATA { <a:a> <a:b> <a:c> }"}}, 400),
    ({"data": QUERY, "content_type": "text/plain"}, 415),
])
def test_bad_saves_change_nothing(saved_app, kwargs, status):
    client = saved_app.test_client()
    response = client.post("/saved", **kwargs)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    import sqlite3
    from pathlib import Path
    database = Path(saved_app.config["DATA_DIR"]) / "saved.sqlite3"
    if database.exists():
        assert sqlite3.connect(database).execute("SELECT COUNT(*) FROM saved").fetchone()[0] == 0


def test_unknown_saved_query_is_404(client):
    assert client.get("/saved/000000000000").status_code == 404


def test_writes_can_require_a_token(data_dir, tmp_path):
    import shutil
    from service import create_app
    shutil.copytree(data_dir / "releases", tmp_path / "releases")
    app = create_app({"DATA_DIR": str(tmp_path), "SAVED_WRITE_TOKEN": "s3cret", "ISOLATED_WORKERS": 1})
    try:
        client = app.test_client()
        assert client.post("/saved", json={"query": QUERY}).status_code == 401
        assert client.post("/saved", json={"query": QUERY}, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/saved", json={"query": QUERY}, headers={"Authorization": "Bearer s3cret"}).status_code == 201
    finally:
        app.extensions["lmkg"].close()

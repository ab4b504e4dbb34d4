"""Saved queries in PostgreSQL (SAVED_DATABASE_URL; Debian's `postgresql` on a loopback port, a fresh
cluster) with the API, ids, quotas and conflicts of the SQLite default, and `lmkg saved migrate`, which
copies saved queries from SQLite to PostgreSQL without copying anything twice."""
import sqlite3
import subprocess

import psycopg
import pytest

from lmkg.bench.servers import venv_command
from service.api.saved import saved_id
from tests.daemons import postgres_server
from tests.test_saved import QUERY


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as url:
        yield url


@pytest.fixture()
def database(postgres):
    """The PostgreSQL database, emptied for each test."""
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS saved")
    return postgres


def client_of(app, address="192.0.2.40"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_query_saved_through_one_instance_runs_on_another(make_app, database, tmp_path):
    import shutil
    first = make_app(SAVED_DATABASE_URL=database)
    created = client_of(first).post("/saved", json={"query": QUERY, "title": "lorlatinib label"})
    assert created.status_code == 201 and len(created.get_json()["id"]) == 32
    identifier = created.get_json()["id"]
    assert identifier == saved_id(QUERY)
    shutil.copytree(first.config["DATA_DIR"] + "/releases", tmp_path / "other" / "releases")
    second = make_app(SAVED_DATABASE_URL=database, DATA_DIR=str(tmp_path / "other"))   # nothing shared but the database
    answer = client_of(second).get(f"/saved/{identifier}", headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and b"lorlatinib" in answer.data
    again = client_of(second).post("/saved", json={"query": QUERY, "title": "another title"})
    assert again.status_code == 201 and again.get_json() == {**created.get_json(), "url": again.get_json()["url"]}
    assert not (tmp_path / "other" / "saved.sqlite3").exists()
    with psycopg.connect(database) as connection:
        assert connection.execute("SELECT id, title FROM saved").fetchall() == [(identifier, "lorlatinib label")]


def test_quotas_and_conflicts_are_the_same_as_with_sqlite(make_app, database):
    app = make_app(SAVED_DATABASE_URL=database, SAVED_CLIENT_BYTES=200, SAVED_TOTAL_BYTES=300)
    one, two, three = (client_of(app, f"192.0.2.{n}") for n in (41, 42, 43))
    assert one.post("/saved", json={"query": QUERY}).status_code == 201             # 116 bytes
    over = one.post("/saved", json={"query": QUERY + " # 2"})
    assert over.status_code == 429 and over.headers["Retry-After"] and over.get_json()["type"].endswith("/save-quota")
    assert two.post("/saved", json={"query": QUERY + " # 2"}).status_code == 201
    full = three.post("/saved", json={"query": QUERY + " # 3"})
    assert full.status_code == 507 and full.mimetype == "application/problem+json"
    with psycopg.connect(database) as connection:   # another text under an id: refused, never answered with it
        connection.execute("INSERT INTO saved (id, query, title) VALUES (%s, 'ASK { ?s ?p ?o }', 'other')",
                           (saved_id("ASK {}"),))
    assert one.post("/saved", json={"query": "ASK {}"}).status_code == 409


def sqlite_saves(make_app) -> tuple:
    """An embedded service's saved queries: two saved through the API and one with an old 12-digit id."""
    app = make_app()
    client = client_of(app)
    texts = [QUERY, "ASK { ?s ?p ?o }"]
    ids = [client.post("/saved", json={"query": text, "title": f"n{n}"}).get_json()["id"] for n, text in enumerate(texts)]
    path = f"{app.config['DATA_DIR']}/saved.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO saved (id, query, title) VALUES ('0123456789ab', 'SELECT * { ?s ?p ?o } LIMIT 1', 'old')")
    return path, dict(zip(ids + ["0123456789ab"], texts + ["SELECT * { ?s ?p ?o } LIMIT 1"]))


def migrate(data_dir, *args):
    return subprocess.run([venv_command("lmkg"), "--data-dir", str(data_dir), "saved", "migrate", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_migrate_copies_saved_queries_to_postgresql_once(make_app, database, data_copy):
    path, saved = sqlite_saves(make_app)
    first = migrate(data_copy, "--from", f"sqlite:///{path}", "--to", database)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "copied 3, already there 0, conflicting ids left alone 0"
    again = migrate(data_copy, "--to", database)   # the data directory's saved.sqlite3 by default
    assert again.returncode == 0 and again.stdout.strip() == "copied 0, already there 3, conflicting ids left alone 0"
    served = make_app(SAVED_DATABASE_URL=database)
    for identifier, text in saved.items():
        assert client_of(served).get(f"/saved/{identifier}.rq").get_data(as_text=True) == text
    with psycopg.connect(database) as connection, sqlite3.connect(path) as source:
        copied = connection.execute("SELECT id, title, client, to_char(created AT TIME ZONE 'UTC', "
                                    "'YYYY-MM-DD HH24:MI:SS') FROM saved ORDER BY id").fetchall()
        assert copied == source.execute("SELECT id, title, client, created FROM saved ORDER BY id").fetchall()


def test_migrate_leaves_a_conflicting_id_alone_and_says_so(make_app, database, data_copy):
    path, _ = sqlite_saves(make_app)
    with psycopg.connect(database) as connection:
        connection.execute("CREATE TABLE saved (id TEXT PRIMARY KEY, query TEXT NOT NULL, title TEXT NOT NULL, "
                           "created TIMESTAMPTZ NOT NULL DEFAULT now(), client TEXT)")
        connection.execute("INSERT INTO saved (id, query, title) VALUES ('0123456789ab', 'ASK {}', 'kept')")
    result = migrate(data_copy, "--from", f"sqlite:///{path}", "--to", database)
    assert result.returncode == 1 and result.stdout.strip() == "copied 2, already there 0, conflicting ids left alone 1"
    with psycopg.connect(database) as connection:
        assert connection.execute("SELECT query FROM saved WHERE id = '0123456789ab'").fetchone() == ("ASK {}",)


def test_migrate_refuses_an_unknown_database_scheme(data_copy):
    result = migrate(data_copy, "--from", "sqlite:///nowhere.sqlite3", "--to", "mysql://db/lmkg")
    assert result.returncode == 2 and "postgresql://" in result.stderr

"""Injection-proof parameters: hostile values (tests/hostile_values.py) against every parameter of every
canned query. The query the store runs is the catalogue's text, byte for byte, so its algebra cannot
change; a value reaches the store only as one RDF term bound to the parameter's variable (pyoxigraph
substitutions). Every answer is a normal result or a 4xx problem document."""
import pyoxigraph as ox
import pytest

from lmkg.paths import QUERIES_DIR
from service.engine.catalogue import MAX_VALUE_LENGTH, load_catalogue
from tests.hostile_values import HOSTILE_VALUES

CATALOGUE = load_catalogue(QUERIES_DIR)
CASES = [(query.name, param) for query in CATALOGUE.values() for param in query.params]


@pytest.fixture()
def executed(app, monkeypatch):
    """Every query request the app's store runs from here on (the answer cache bypassed)."""
    runtime = app.extensions["lmkg"]
    runtime.index()  # built once, with queries of its own
    store = runtime.store()
    seen, run = [], store.run

    def recording_run(request):
        seen.append(request)
        return run(request)

    monkeypatch.setattr(store, "run", recording_run)
    monkeypatch.setattr(runtime.cache, "get", lambda key: None)
    return seen


def assert_problem_or_result(response, label):
    assert response.status_code == 200 or 400 <= response.status_code < 500, (label, response.status_code)
    if response.status_code != 200:
        assert response.mimetype == "application/problem+json", label
        assert response.get_json()["status"] == response.status_code, label


@pytest.mark.parametrize("query_name,param", CASES, ids=[f"{q}-{p}" for q, p in CASES])
def test_hostile_values_never_change_the_query(client, executed, query_name, param):
    query = CATALOGUE[query_name]
    required = {p.name: p.example for p in query.params.values() if p.required and p.name != param}
    for label, value in HOSTILE_VALUES.items():
        executed.clear()
        response = client.get(f"/queries/{query_name}", query_string={**required, param: value})
        assert_problem_or_result(response, label)
        if response.status_code == 200:
            assert executed, label
        for request in executed:
            assert request.text == query.text, label
            assert set(request.bindings) <= set(query.params), label
            assert all(isinstance(term, (ox.NamedNode, ox.Literal)) for term in request.bindings.values()), label


ECHO = '''#+ summary: Gives back its parameter
#+ description: A query whose parameter is free text, to see what reaches the store.
#+ params:
#+   text:
#+     type: string
#+     description: any text
#+     required: true
#+ expect:
#+   - params: {text: x}
#+     column: text
#+     contains: [x]
SELECT ?text (STRLEN(?text) AS ?length) WHERE { }
'''


@pytest.fixture(scope="module")
def echo_client(data_dir, tmp_path_factory):
    """A service whose catalogue has one query with a free-text parameter."""
    from service import create_app
    folder = tmp_path_factory.mktemp("queries")
    (folder / "echo.rq").write_text(ECHO)
    app = create_app({"DATA_DIR": str(data_dir), "QUERIES_DIR": str(folder), "ISOLATED_WORKERS": 1})
    yield app.test_client()
    app.extensions["lmkg"].close()


@pytest.mark.parametrize("label", list(HOSTILE_VALUES))
def test_a_hostile_text_arrives_whole_as_one_literal(echo_client, label):
    value = HOSTILE_VALUES[label]
    response = echo_client.get("/queries/echo", query_string={"text": value})
    if len(value) > MAX_VALUE_LENGTH:
        assert response.status_code == 400 and response.get_json()["parameter"] == "text"
        return
    assert response.status_code == 200, response.get_data(as_text=True)
    [row] = response.get_json()["results"]["bindings"]
    assert row["text"] == {"type": "literal", "value": value}
    assert int(row["length"]["value"]) == len(value)

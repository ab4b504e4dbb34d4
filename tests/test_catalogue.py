"""The catalogue contract: every query file of queries/ loads and answers what it declares; parameters
resolve by label, synonym, symbol or identifier, and bad values get the right problem."""
import json
import shutil
from pathlib import Path

import pytest

from lmkg.paths import QUERIES_DIR
from service.engine.catalogue import CatalogueError, expectation_failures, load_catalogue, load_query, run_canned
from tests.conftest import same_answer

CATALOGUE = load_catalogue(QUERIES_DIR)
EXPECTATIONS = [(q, e) for q in CATALOGUE.values() for e in q.expect]
PUBLIC = ["drugs-by-target", "bbb-penetration", "trials-for-drug", "trial-outcomes", "intracranial-efficacy",
          "therapies-for-site", "adverse-events", "resistance", "combinations", "treatment-options", "evidence",
          "describe"]
PUBLIC_PARAMS = {"drugs-by-target": {"target"}, "bbb-penetration": {"min_level"}, "trials-for-drug": {"drug"},
                 "trial-outcomes": {"trial"}, "intracranial-efficacy": {"endpoint", "min_value"},
                 "therapies-for-site": {"site"}, "adverse-events": {"therapy"}, "resistance": {"drug"},
                 "combinations": {"drug"}, "treatment-options": {"alteration", "site"}, "evidence": {"entity"},
                 "describe": {"entity"}}


def test_public_queries_exist_with_their_parameters():
    for name in PUBLIC:
        assert name in CATALOGUE, name
        assert set(CATALOGUE[name].params) == PUBLIC_PARAMS[name], name


@pytest.mark.parametrize("query,expectation", EXPECTATIONS,
                         ids=[f"{q.name}-{json.dumps(e.get('params'))}" for q, e in EXPECTATIONS])
def test_every_declared_answer_is_given(store, app, query, expectation):
    index = app.extensions["lmkg"].index()
    result = run_canned(store, index, query, expectation.get("params", {}))
    assert expectation_failures(result, expectation) == []


@pytest.fixture(scope="module")
def memory_store(release):
    from service.engine.store import EmbeddedStore
    memory = EmbeddedStore(release, memory_max_triples=sum(release.triples.values()))
    yield memory
    memory.close()


def test_a_small_release_is_served_from_memory_with_the_same_answers(store, memory_store, app):
    """The service copies a release of up to MEMORY_STORE_MAX_TRIPLES into memory: every declared query
    answers the same as from the on-disk store."""
    assert memory_store.in_memory and not store.in_memory
    assert app.extensions["lmkg"].store().in_memory   # the real graph is well under the default limit
    index = app.extensions["lmkg"].index()
    for query, expectation in EXPECTATIONS:
        on_disk = run_canned(store, index, query, expectation.get("params", {}))
        in_memory = run_canned(memory_store, index, query, expectation.get("params", {}))
        assert same_answer(in_memory) == same_answer(on_disk), query.name


def test_the_name_index_is_saved_beside_the_release_and_read_back_unchanged(app, release):
    """Opening a release saves its name index, so each service worker reads it in a fraction of a second
    instead of building it from every name in the graph on its first request."""
    from service.engine.resolve import NAME_INDEX_FILE, NameIndex, load_name_index
    from service.engine.store import EmbeddedStore
    saved = load_name_index(Path(release.folder) / NAME_INDEX_FILE)
    store = EmbeddedStore(release, isolated_workers=0)
    built = NameIndex(store.rows)
    assert (saved.by_name, saved.names, saved.types, saved.labelled, saved.stands_for) == \
           (built.by_name, built.names, built.types, built.labelled, built.stands_for)
    served = app.extensions["lmkg"].index(release.id)
    assert served.resolve("ALK inhibitor").matches == built.resolve("ALK inhibitor").matches != []


def test_an_unreadable_name_index_is_built_again(release, tmp_path):
    from service.engine.resolve import NAME_INDEX_FILE, load_name_index, name_index
    from service.engine.store import EmbeddedStore
    from graph.release import read_release
    copy = read_release(Path(shutil.copytree(release.folder, tmp_path / release.id)))
    (tmp_path / release.id / NAME_INDEX_FILE).write_bytes(b"half a file")
    index = name_index(EmbeddedStore(copy, isolated_workers=0))
    assert index.resolve("crizotinib").matches and load_name_index(tmp_path / release.id / NAME_INDEX_FILE)


def test_a_broken_query_file_is_named(tmp_path):
    broken = tmp_path / "broken-query.rq"
    broken.write_text("#+ summary: x\n#+ description: y\n#+ expect: [{}]\nSELECT WHERE {")
    with pytest.raises(CatalogueError, match="broken-query.rq"):
        load_query(broken)


def test_a_broken_query_file_stops_the_service(tmp_path, data_dir):
    from service import create_app
    (tmp_path / "fine.rq").write_text((QUERIES_DIR / "drugs-by-target.rq").read_text())
    (tmp_path / "broken.rq").write_text("#+ summary: [unclosed\nSELECT * {}")
    with pytest.raises(CatalogueError, match="broken.rq"):
        create_app({"DATA_DIR": str(data_dir), "QUERIES_DIR": str(tmp_path)})


@pytest.mark.parametrize("value", ["ALK", "alk", "HGNC:427", "  Alk ", "https://w3id.org/lungmet-kg/id/gene/alk"])
def test_target_resolves_by_symbol_case_or_identifier(client, value):
    response = client.get("/queries/drugs-by-target", query_string={"target": value})
    assert response.status_code == 200
    assert "X-LMKG-Binding" in response.headers
    assert response.headers["X-LMKG-Binding"] == "target=<https://w3id.org/lungmet-kg/id/gene/alk>"


@pytest.mark.parametrize("value", ["CROWN", "crown", "NCT03052608"])
def test_trial_resolves_by_acronym_or_registry_number(client, value):
    response = client.get("/queries/trial-outcomes", query_string={"trial": value})
    assert response.status_code == 200
    assert response.headers["X-LMKG-Binding"] == "trial=<https://w3id.org/lungmet-kg/id/study/crown>"


def test_unknown_value_is_404_with_nearest_matches(client):
    response = client.get("/queries/drugs-by-target?target=EGRF")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["parameter"] == "target" and "egfr" in body["suggestions"]


def test_ambiguous_value_is_409_with_candidates(client):
    response = client.get("/queries/evidence?entity=PD-L1")  # the gene and the biomarker
    assert response.status_code == 409
    candidates = {c["iri"] for c in response.get_json()["candidates"]}
    assert candidates == {"https://w3id.org/lungmet-kg/id/gene/pd-l1", "https://w3id.org/lungmet-kg/id/biomarker/pd-l1-expression"}


def test_a_name_of_an_individual_and_a_class_names_the_individual(client):
    response = client.get("/queries/adverse-events?therapy=WBRT")
    assert response.headers["X-LMKG-Binding"] == "therapy=<https://w3id.org/lungmet-kg/id/therapy/wbrt>"


@pytest.mark.parametrize("url,status", [
    ("/queries/intracranial-efficacy?endpoint=iORR&min_value=abc", 400),
    ("/queries/intracranial-efficacy?endpoint=iORR&min_value=NaN", 400),
    ("/queries/bbb-penetration?min_level=extreme", 400),
    ("/queries/drugs-by-target", 400),
    ("/queries/drugs-by-target?target=EGFR&target=ALK", 400),
    ("/queries/drugs-by-target?target=EGFR&colour=red", 400),
    ("/queries/no-such-query", 404),
])
def test_bad_parameters_get_a_problem(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status


@pytest.mark.parametrize("value", ['EGFR" } UNION { ?s ?p ?o', "<http://x/> } #", "EGFR'; DROP ALL", "}}}}{{{"])
def test_hostile_values_cannot_change_the_query(client, value):
    response = client.get("/queries/drugs-by-target", query_string={"target": value})
    assert response.status_code == 404


def test_query_text_and_explain(client):
    text = client.get("/queries/drugs-by-target.rq")
    assert text.status_code == 200 and text.mimetype == "application/sparql-query"
    assert text.data.decode() == (QUERIES_DIR / "drugs-by-target.rq").read_text()
    explained = client.get("/queries/drugs-by-target?target=EGFR&explain=1").get_json()
    assert explained["bindings"] == {"target": "<https://w3id.org/lungmet-kg/id/gene/egfr>"}
    assert explained["sparql"] == text.data.decode()


def test_negotiation_of_a_canned_query(client):
    assert client.get("/queries/drugs-by-target?target=EGFR", headers={"Accept": "text/csv"}).mimetype == "text/csv"
    assert client.get("/queries/drugs-by-target?target=EGFR&format=tsv").mimetype == "text/tab-separated-values"
    assert client.get("/queries/drugs-by-target?target=EGFR", headers={"Accept": "image/png"}).status_code == 406
    described = client.get("/queries/describe?entity=osimertinib", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and described.mimetype == "text/turtle"


def test_answers_are_stable_and_pinned_to_the_release(client, release):
    first = client.get("/queries/trial-outcomes?trial=FLAURA2")
    second = client.get("/queries/trial-outcomes?trial=flaura2")
    assert first.data == second.data
    assert first.headers["X-LMKG-Release"] == release.id and release.id in first.headers["ETag"]
    assert client.get("/queries/trial-outcomes?trial=FLAURA2", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    pinned = client.get(f"/queries/trial-outcomes?trial=FLAURA2&release={release.id}")
    assert pinned.status_code == 200 and pinned.data == first.data
    gone = client.get("/queries/trial-outcomes?trial=FLAURA2&release=0000000000000000")
    assert gone.status_code == 410 and gone.get_json()["current_release"] == release.id


def test_flaura2_cns_pfs_medians(client):
    rows = client.get("/queries/trial-outcomes?trial=FLAURA2").get_json()["results"]["bindings"]
    values = {r["value"]["value"] for r in rows if "value" in r}
    assert {"30.2", "27.6"} <= values


def test_catalogue_in_json_html_and_rdf(client):
    listing = client.get("/queries").get_json()["queries"]
    assert {q["name"] for q in listing} == set(CATALOGUE)
    html = client.get("/queries", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and b"<form" in html.data
    turtle = client.get("/queries", headers={"Accept": "text/turtle"})
    from rdflib import Graph, Namespace
    g = Graph().parse(data=turtle.data, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(g.subjects(predicate=sh.select))) + len(set(g.subjects(predicate=sh.construct))) == len(CATALOGUE)
    assert len(set(g.subjects(object=sh.SPARQLExecutable))) == len(CATALOGUE)


def test_openapi_is_valid_and_covers_the_catalogue(client):
    from openapi_spec_validator import validate
    document = client.get("/openapi.json").get_json()
    validate(document)
    assert {f"/queries/{name}" for name in CATALOGUE} <= set(document["paths"])
    assert client.get("/api").status_code == 200

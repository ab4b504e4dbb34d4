"""Every label is language-tagged; the Chinese names seed 003 gives for leptomeningeal metastatic disease
are labels @zh taken verbatim from the seed; parameter resolution and suggestions accept them."""
import re

import pytest

from graph.vocab import ID
from tests.conftest import select

LMD = str(ID["disease/leptomeningeal-metastasis"])
LABEL_PROPERTIES = ["rdfs:label", "skos:prefLabel", "skos:altLabel", "skos:hiddenLabel", "dcterms:title"]


def test_every_label_in_every_graph_is_language_tagged(store):
    rows = select(store, f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?g ?s ?p ?label WHERE {{ VALUES ?p {{ {' '.join(LABEL_PROPERTIES)} }}
          GRAPH ?g {{ ?s ?p ?label }} FILTER (isLiteral(?label) && LANG(?label) = "") }} LIMIT 20""")
    assert rows == []


@pytest.fixture(scope="module")
def chinese_names(seed_text):
    """The seed's own Chinese names: the disease right before "(LMD)", its forms in “…” quotes after it."""
    sentence = next(line for line in seed_text["003"].splitlines() if "(LMD)" in line and re.search(r"[\u4e00-\u9fff]", line))
    disease = re.search(r"([\u4e00-\u9fff]+)\(LMD\)", sentence).group(1)
    forms = re.findall(r"“([^”]+)”", sentence.split("(LMD)", 1)[1].split("是", 1)[0])
    return disease, forms


def test_chinese_labels_are_the_seed_s_own(store, chinese_names):
    disease, forms = chinese_names
    rows = select(store, f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?p ?name WHERE {{ <{LMD}> ?p ?name FILTER(LANG(?name) = "zh") }}""")
    found = {(row["p"].rsplit("#", 1)[1], row["name"]) for row in rows}
    assert found == {("prefLabel", disease)} | {("altLabel", form) for form in forms}
    assert len(forms) == 3


def test_no_zh_name_outside_seed_003(store, seed_text):
    rows = select(store, 'SELECT ?s ?name WHERE { GRAPH ?g { ?s ?p ?name } FILTER(LANG(?name) = "zh") }')
    assert rows and all(row["name"] in seed_text["003"] for row in rows)


def test_resolution_accepts_the_chinese_names(app, chinese_names):
    index = app.extensions["lmkg"].index()
    disease, forms = chinese_names
    for name in [disease, *forms, forms[-1].replace("/", "／")]:  # a full-width slash too
        assert index.resolve(name).matches == [LMD], name
    assert index.label(LMD) == "leptomeningeal metastatic disease"  # pages show the English label


def test_canned_query_with_a_chinese_parameter(client, chinese_names):
    response = client.get("/queries/evidence", query_string={"entity": chinese_names[0]},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.get_json()["results"]["bindings"]


def test_suggestions_include_chinese_names(client, chinese_names):
    disease = chinese_names[0]
    response = client.get("/queries/evidence", query_string={"entity": disease[:-1]})
    assert response.status_code == 404 and disease in response.get_json()["suggestions"]

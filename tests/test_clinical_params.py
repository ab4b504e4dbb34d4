"""Parameters in clinical vocabulary (issue #13): a gene stands for its alterations, a metastatic disease
or a shorthand for its site, and a name of another type gets a 404 that says what it is.

Answers are not asserted row by row (the data model changes under them): only how values resolve."""
import html
import re
from urllib.parse import unquote

import pyoxigraph as ox
import pytest

from service.engine.query import bind_values

ID = "https://w3id.org/lungmet-kg/id/"
ALK = [f"{ID}alteration/alk-fusion", f"{ID}alteration/alk-resistance-mutations"]
EGFR = [f"{ID}alteration/egfr-sensitising-mutation", f"{ID}alteration/egfr-t790m"]
SITES = {"brain": f"{ID}site/brain", "leptomeninges": f"{ID}site/leptomeninges", "liver": f"{ID}site/liver",
         "cns": f"{ID}site/cns"}


def options(client, alteration: str, site: str):
    return client.get("/queries/treatment-options", query_string={"alteration": alteration, "site": site},
                      headers={"Accept": "application/sparql-results+json"})


def bound(response) -> dict[str, list[str]]:
    """Parameter -> the IRIs it was bound to, from the X-LMKG-Binding headers."""
    pairs = (header.split("=", 1) for header in response.headers.getlist("X-LMKG-Binding"))
    return {name: [term.strip("<>") for term in terms.split(" ")] for name, terms in pairs}


def resolved(response) -> dict[str, str]:
    pairs = (unquote(header).split("=", 1) for header in response.headers.getlist("X-LMKG-Resolved"))
    return dict(pairs)


@pytest.mark.parametrize("alteration,site,alterations,site_iri", [
    ("ALK", "brain", ALK, SITES["brain"]),
    ("EGFR", "leptomeninges", EGFR, SITES["leptomeninges"]),
    ("T790M", "brain", [f"{ID}alteration/egfr-t790m"], SITES["brain"]),
    ("ALK fusion", "brain", [f"{ID}alteration/alk-fusion"], SITES["brain"]),
    ("ALK-positive", "brain metastases", [f"{ID}alteration/alk-fusion"], SITES["brain"]),   # a synonym of ALK fusion
    ("EGFR-mutant", "LMD", [f"{ID}alteration/egfr-sensitising-mutation"], SITES["leptomeninges"]),
    ("EGFR mutated", "brain metastasis", [f"{ID}alteration/egfr-sensitising-mutation"], SITES["brain"]),  # "EGFR-mutated"
    ("ALK-mutant", "brain", ALK, SITES["brain"]),      # clinicians' loose "mutant": every ALK alteration
    ("EGFR+", "brain", EGFR, SITES["brain"]),
    ("HGNC:427", "BM", ALK, SITES["brain"]),
    ("ROS1+", "liver metastases", [f"{ID}alteration/ros1-fusion"], SITES["liver"]),
    ("ALK rearranged", "CNS", [f"{ID}alteration/alk-fusion"], SITES["cns"]),     # a rearrangement is a fusion
    ("ALK", "leptomeningeal disease", ALK, SITES["leptomeninges"]),
    ("ALK", "LMs", ALK, SITES["liver"]),
])
def test_clinical_names_resolve(client, alteration, site, alterations, site_iri):
    response = options(client, alteration, site)
    assert response.status_code == 200, response.get_json()
    assert bound(response) == {"alteration": sorted(alterations), "site": [site_iri]}
    assert set(resolved(response)) == {"alteration", "site"}


def test_the_resolved_header_says_what_a_gene_was_read_as(client):
    response = options(client, "ALK", "brain")
    assert response.headers.getlist("X-LMKG-Resolved") == [
        "alteration=ALK -> ALK fusion, ALK resistance mutations", "site=brain -> brain"]


def test_the_resolved_header_is_ascii(client):
    response = options(client, "ALK", "柔脑膜转移瘤")    # seed 003's name for leptomeningeal metastasis
    assert response.status_code == 200
    header = response.headers.getlist("X-LMKG-Resolved")[1]
    assert header.isascii() and unquote(header) == "site=柔脑膜转移瘤 -> leptomeninges"


def test_a_gene_binds_one_values_row_per_alteration(client):
    body = client.get("/queries/treatment-options?alteration=ALK&site=brain&explain=1").get_json()
    assert body["bindings"]["alteration"] == [f"<{iri}>" for iri in ALK]
    rows = "".join(f"(<{iri}> <{SITES['brain']}>) " for iri in ALK)
    assert f"VALUES (?alteration ?site) {{ {rows}}}" in body["executed"]


def test_several_values_stay_data():
    hostile = ox.Literal('x" } } ; DROP ALL ; SELECT * { "')
    text = bind_values("SELECT ?v ?w WHERE { }", {"v": (hostile, ox.Literal("b")), "w": ox.NamedNode(ID + "c")})
    rows = {(row["v"], row["w"]) for row in ox.Store().query(text)}
    assert rows == {(hostile, ox.NamedNode(ID + "c")), (ox.Literal("b"), ox.NamedNode(ID + "c"))}


def test_an_ambiguous_shorthand_is_409_with_its_readings(client):
    response = options(client, "ALK", "LM")
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["parameter"] == "site"
    assert {(c["iri"], tuple(c["read_as"])) for c in body["candidates"]} == {
        (f"{ID}disease/leptomeningeal-metastasis", ("leptomeninges",)),
        (f"{ID}disease/lung-cancer-liver-metastasis", ("liver",))}


def test_a_candidate_of_an_ambiguous_shorthand_resolves(client):
    response = options(client, "ALK", f"{ID}disease/leptomeningeal-metastasis")
    assert response.status_code == 200 and bound(response)["site"] == [SITES["leptomeninges"]]


def test_a_drug_as_an_alteration_is_404_saying_what_it_is(client):
    response = options(client, "osimertinib", "brain")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert "nothing in the graph is named" not in body["detail"]
    assert body["detail"].startswith("alteration: 'osimertinib' is a ")
    assert "the parameter alteration takes a gene alteration" in body["detail"]
    assert body["entities"] == [{"iri": f"{ID}drug/osimertinib", "label": "osimertinib"}]
    assert "drug-profile" in {q for fit in body["fits"] if fit["parameter"] == "drug" for q in fit["queries"]}


def test_a_kind_of_alteration_the_gene_lacks_is_404_naming_those_it_has(client):
    response = options(client, "EGFR fusion", "brain")
    assert response.status_code == 404
    body = response.get_json()
    assert body["detail"].startswith("alteration: the graph has no gene fusion of EGFR")
    assert body["suggestions"] == ["EGFR sensitising mutation", "EGFR T790M"]


def test_a_name_of_nothing_is_still_404_with_suggestions(client):
    body = options(client, "ALK fusionn", "brain").get_json()
    assert body["title"] == "Unknown entity" and "alk fusion" in body["suggestions"]


def test_a_gene_parameter_still_takes_the_gene(client):
    response = client.get("/queries/drugs-by-target?target=ALK", headers={"Accept": "application/sparql-results+json"})
    assert bound(response) == {"target": [f"{ID}gene/alk"]}


def test_the_page_says_how_a_value_was_read(client):
    response = client.get("/queries/treatment-options?alteration=ALK&site=brain", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "ALK read as: ALK fusion, ALK resistance mutations" in html
    assert "brain read as" not in html     # a value read as its own name needs no line


def test_the_page_shows_the_404_of_another_type(client):
    response = client.get("/queries/treatment-options?alteration=osimertinib&site=brain", headers={"Accept": "text/html"})
    assert response.status_code == 404
    alert = re.search(r'<section class="problem" role="alert".*?</section>', response.get_data(as_text=True), re.S)
    text = html.unescape(alert.group(0))
    assert "'osimertinib' is a " in text and "the parameter alteration takes a gene alteration" in text


def test_a_gene_as_a_site_fits_the_alteration_parameter_it_stands_for(client):
    body = options(client, "ALK", "ALK").get_json()
    assert body["parameter"] == "site" and body["kinds"] == ["gene or gene product"]
    assert "treatment-options" in {q for fit in body["fits"] if fit["parameter"] == "alteration" for q in fit["queries"]}


def test_every_shorthand_means_names_in_the_graph(app, release):
    from service.engine.clinical import SHORTHANDS
    index = app.extensions["lmkg"].index(release.id)
    for shorthand, names in SHORTHANDS.items():
        assert all(index.candidates(name) for name in names), shorthand


def test_the_shorthands_are_the_seeds_words(seed_text):
    """The table's entries as the seeds write them; "LM" is in none, but seed 001's "LMs" are liver
    metastases where neuro-oncology's LM is leptomeningeal: hence two readings."""
    assert "leptomeningeal disease" in seed_text["004"] and "intracranial metastatic disease" in seed_text["004"]
    assert "liver metastases (LMs)" in seed_text["001"] and "(LMD)" in seed_text["003"]


def test_the_form_suggests_genes_for_an_alteration_and_diseases_for_a_site(client):
    page = client.get("/queries/treatment-options", headers={"Accept": "text/html"}).get_data(as_text=True)
    alterations = re.search(r'<datalist id="l-alteration">(.*?)</datalist>', page, re.S).group(1)
    sites = re.search(r'<datalist id="l-site">(.*?)</datalist>', page, re.S).group(1)
    assert '<option value="ALK">' in alterations and '<option value="ALK fusion">' in alterations
    assert '<option value="lung cancer brain metastases">' in sites

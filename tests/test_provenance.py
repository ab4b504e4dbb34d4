"""Every curated fact names its seed, keeps the seed's wording verbatim and cites what the seed cites."""
import re

import pytest

from graph.transforms.seeds import citation_numbers
from tests.conftest import select


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def statements():
    import yaml
    from lmkg.paths import SOURCES_DIR
    return yaml.safe_load((SOURCES_DIR / "seeds" / "statements.yaml").read_text())["statements"]


@pytest.mark.parametrize("record", statements(), ids=lambda r: r["id"])
def test_statement_wording_is_verbatim_from_its_seed(record, seed_text):
    assert normalise(record["printed"]) in normalise(seed_text[record["seed"]]), \
        f"{record['id']}: printed text not found in seed {record['seed']}"


def test_every_citation_marker_resolves_to_a_listed_publication(curated):
    publications = {p["id"] for p in curated["documents"]["publications"]}
    offsets = {s["key"]: s.get("citation_offset", 0) for s in curated["documents"]["seeds"]}
    records = curated["statements"]["statements"] + curated["trials"]["studies"] + curated["studies"]["studies"]
    for record in records:
        for number in citation_numbers(record.get("cited_as")):
            assert f"{record['seed']}-ref-{number + offsets[record['seed']]}" in publications, record["id"]


def test_seed_004_citation_offset_matches_the_studies_named_in_reference_titles(curated):
    """Table markers + 2 land on reference titles that name the row's study (checks the offset)."""
    titles = {p["number"]: p["title"] or "" for p in curated["documents"]["publications"] if p.get("seed") == "004" and p.get("number")}
    checked = 0
    for study in curated["trials"]["studies"]:
        acronyms = [r.get("acronym") for r in study.get("registrations", []) if r.get("acronym")]
        cited = [titles[n + 2] for n in citation_numbers(study["cited_as"])]
        if any(a in t for a in acronyms for t in cited):
            checked += 1
    assert checked >= 8


def test_every_statement_in_the_graph_names_a_seed_file(store):
    rows = select(store, """
        PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?s ?file WHERE { ?s a lmkg:EvidenceStatement .
          OPTIONAL { ?s prov:wasDerivedFrom ?seed . ?seed a lmkg:SeedDocument ; dcterms:identifier ?file } }""")
    assert len(rows) > 300
    missing = [r["s"] for r in rows if not r["file"]]
    assert missing == []
    assert {r["file"] for r in rows} == {
        "000_1bf9bc82b7c39007.txt", "001_fa2ed7a8b1444e87.txt", "002_642aa8eb2090f283.txt",
        "003_d80bb8de05bf9eee.txt", "004_c87e8eb1ec9f5176.txt"}


def test_a_table_outcome_cites_the_trial_publication(store):
    rows = select(store, """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?title WHERE {
          <https://w3id.org/lungmet-kg/id/study/crown/outcome/ipfs-rate-60m-intervention> prov:wasDerivedFrom ?pub .
          ?pub dcterms:title ?title }""")
    assert any("CROWN" in r["title"] for r in rows)

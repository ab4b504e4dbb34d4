"""Two releases built from fixture copies of the sources: the diff between them (library, `lmkg diff`,
`/releases/<A>/diff/<B>`) gives the expected additions grouped by entity, the second release's notes
come from it, and entities removed from the data stay as deprecated IRIs that redirect or say 410."""
import gzip
import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from graph.build import load_ontology
from graph.diff import Snapshot, diff, read_snapshot
from graph.distributions import canonical_lines, nquads
from graph.release import read_release, releases_dir, write_release
from graph.transforms import SOURCES, seeds
from graph.transforms.seeds import CurationError
from graph.vocab import DCTERMS, GRAPH_ONTOLOGY, ID, OWL, SKOS, source_graph
from tests.fixture_sources import copy_sources, find

CROWN_OUTCOMES = [ID["study/crown/outcome/ipfs-rate-60m-intervention"], ID["study/crown/outcome/ipfs-rate-60m-control"]]
STATEMENT = ID["statement/s004-osimertinib-bbb"]
MERGED, WITHDRAWN = ID["drug/example-merged-drug"], ID["drug/example-withdrawn-drug"]
DEPRECATED = [
    {"iri": "drug/example-merged-drug", "label": "example merged drug", "reason": "fixture: merged into osimertinib",
     "replaced_by": "drug/osimertinib"},
    {"iri": "drug/example-withdrawn-drug", "label": "example withdrawn drug", "reason": "fixture: withdrawn"},
]


def without_three_records(data):
    """The older fixture: the CROWN 5-year iPFS row, a BBB statement and a synonym not yet curated."""
    crown = find(data["trials"]["studies"], id="crown")
    crown["outcomes"] = [o for o in crown["outcomes"] if o["printed"] != "5-year iPFS:83%(CG:NE)"]
    data["statements"]["statements"] = [s for s in data["statements"]["statements"] if s["id"] != "s004-osimertinib-bbb"]
    find(data["entities"]["adverse_events"], id="diarrhea")["alt"].remove("diarrhoea")


def with_deprecations(data):
    data["deprecated"] = {"deprecated": (data.get("deprecated", {}).get("deprecated") or []) + DEPRECATED}


def fixture_graphs(folder) -> dict:
    return {GRAPH_ONTOLOGY: load_ontology(), source_graph("seeds"): seeds.transform(folder / "seeds")}


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A data dir with two releases: the older fixture, then the newer one (LATEST)."""
    root = tmp_path_factory.mktemp("history")
    old = fixture_graphs(copy_sources(root / "old", without_three_records))
    new = fixture_graphs(copy_sources(root / "new", with_deprecations))
    sources = [s for s in SOURCES if s.name == "seeds"]
    first = write_release(old, sources, root / "data", 0, 0)
    second = write_release(new, sources, root / "data", 0, 0)
    return {"dir": root / "data", "first": first, "second": second, "new": new[source_graph("seeds")]}


def expected_added(seeds_graph: Graph) -> set:
    """Every triple of the nodes the older fixture lacks, plus the synonym."""
    nodes = CROWN_OUTCOMES + [STATEMENT, MERGED, WITHDRAWN]
    triples = {t for node in nodes for t in seeds_graph.triples((node, None, None))}
    return triples | {(ID["adverse-event/diarrhea"], SKOS.altLabel, Literal("diarrhoea", lang="en"))}


def test_diff_gives_the_expected_additions(history):
    root = releases_dir(history["dir"])
    changes = diff(read_snapshot(history["first"].id, root), read_snapshot(history["second"].id, root))
    assert changes.removed == []
    added = {(URIRef(q.subject.value), URIRef(q.predicate.value), to_rdflib(q.object)) for q in changes.added}
    assert added == expected_added(history["new"])
    assert all(q.graph_name.value == str(source_graph("seeds")) for q in changes.added)


def to_rdflib(term):
    if isinstance(term, ox.Literal):
        if term.language or term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return URIRef(term.value)


def test_changes_are_grouped_by_entity_with_labels(history):
    root = releases_dir(history["dir"])
    text = diff(read_snapshot(history["first"].id, root), read_snapshot("latest", root)).text()
    assert 'study CROWN: outcome "CROWN intervention arm: 5-year iPFS:83%(CG:NE)" added' in text
    assert 'study CROWN: outcome "CROWN control arm: 5-year iPFS:83%(CG:NE)" added' in text
    assert 'drug osimertinib: statement "osimertinib: BBB penetration high" added' in text
    assert 'adverse event diarrhea: alternative label "diarrhoea" added' in text
    assert "drug example merged drug: added" in text


def test_the_reverse_diff_tells_removals(history):
    root = releases_dir(history["dir"])
    changes = diff(read_snapshot(history["second"].id, root), read_snapshot(history["first"].id, root))
    assert changes.added == [] and len(changes.removed) == len(expected_added(history["new"]))
    assert 'study CROWN: outcome "CROWN intervention arm: 5-year iPFS:83%(CG:NE)" removed' in changes.text()
    assert changes.gone == sorted(map(str, CROWN_OUTCOMES + [STATEMENT, MERGED, WITHDRAWN]))
    notes = changes.markdown()
    assert notes.startswith("### Removed without a deprecation entry") and f"- <{STATEMENT}>" in notes


def test_an_entity_removed_with_a_deprecation_entry_is_not_gone(history, tmp_path):
    def withdraw_statement(data):
        data["statements"]["statements"] = [s for s in data["statements"]["statements"] if s["id"] != "s004-osimertinib-bbb"]
        with_deprecations(data)
        data["deprecated"]["deprecated"].append(
            {"iri": "statement/s004-osimertinib-bbb", "label": "osimertinib: BBB penetration high", "reason": "fixture"})
    newer = fixture_graphs(copy_sources(tmp_path / "sources", withdraw_statement))
    lines = {name: canonical_lines(graph) for name, graph in newer.items()}
    changes = diff(read_snapshot(history["second"].id, releases_dir(history["dir"])),
                   Snapshot("newer", set(nquads(lines).splitlines()) - {b""}))
    assert changes.gone == [] and changes.removed
    assert any(e.iri == str(ID["drug/osimertinib"]) for e in changes.entities)


def test_rdf_patch_turns_the_old_release_into_the_new(history):
    root = releases_dir(history["dir"])
    old, new = read_snapshot(history["first"].id, root), read_snapshot(history["second"].id, root)
    patch = diff(old, new).patch().splitlines()
    assert patch[0].startswith("H id <") and patch[1] == "TX ." and patch[-1] == "TC ."
    quads = set(ox.parse(b"\n".join(old.lines), ox.RdfFormat.N_QUADS))
    for row in patch[2:-1]:
        quad = next(iter(ox.parse(row[2:].encode(), ox.RdfFormat.N_QUADS)))
        (quads.add if row.startswith("A ") else quads.discard)(quad)
    assert quads == set(ox.parse(b"\n".join(new.lines), ox.RdfFormat.N_QUADS))


def test_release_notes_of_the_new_release(history):
    first, second = history["first"], history["second"]
    assert second.previous == first.id and first.previous is None
    recorded = read_release(releases_dir(history["dir"]) / second.id)
    assert recorded.changes == {"added": len(expected_added(history["new"])), "removed": 0, "entities": 5,
                                "removed_without_deprecation": []}
    notes = (releases_dir(history["dir"]) / second.id / "RELEASE-NOTES.md").read_text(encoding="utf-8")
    assert f"## Changes since release {first.id}" in notes
    crown = notes.split("### study CROWN\n")[1].split("###")[0]
    assert '- outcome "CROWN intervention arm: 5-year iPFS:83%(CG:NE)" added' in crown


def test_lmkg_diff_on_ids_folders_and_files(history, tmp_path, capsys):
    from lmkg.cli import main
    first, second = history["first"], history["second"]
    assert main(["--data-dir", str(history["dir"]), "diff", first.id, second.id, "--format", "json"]) == 0
    by_id = json.loads(capsys.readouterr().out)
    assert by_id["from"] == first.id and by_id["added"] == len(expected_added(history["new"])) and by_id["removed"] == 0
    assert {e["label"] for e in by_id["entities"]} >= {"CROWN", "osimertinib", "diarrhea"}
    trig = tmp_path / "second.trig"
    trig.write_bytes(gzip.decompress((releases_dir(history["dir"]) / second.id / "dataset.trig.gz").read_bytes()))
    assert main(["diff", first.folder, str(trig), "--format", "text"]) == 0
    assert 'study CROWN: outcome "CROWN intervention arm: 5-year iPFS:83%(CG:NE)" added' in capsys.readouterr().out
    assert main(["--data-dir", str(history["dir"]), "diff", first.id, "no-such-release"]) == 2


@pytest.fixture(scope="module")
def history_client(history):
    from service import create_app
    app = create_app({"DATA_DIR": str(history["dir"]), "TESTING": True})
    yield app.test_client()
    app.extensions["lmkg"].close()


def test_diff_endpoint_negotiates(history, history_client):
    first, second = history["first"], history["second"]
    url = f"/releases/{first.id}/diff/{second.id}"
    body = history_client.get(url).get_json()
    assert body["added"] == len(expected_added(history["new"])) and body["to"] == second.id
    crown = next(e for e in body["entities"] if e["label"] == "CROWN")
    assert crown["iri"] == str(ID["study/crown"]) and len(crown["changes"]) == 2
    text = history_client.get(url, headers={"Accept": "text/plain"})
    assert text.mimetype == "text/plain" and "study CROWN: outcome" in text.get_data(as_text=True)
    patch = history_client.get(url, headers={"Accept": "application/rdf-patch"})
    assert patch.mimetype == "application/rdf-patch" and patch.get_data(as_text=True).startswith("H id <")
    html = history_client.get(url, headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and '<a href="/id/study/crown">CROWN</a>' in html.get_data(as_text=True)
    assert history_client.get(f"/releases/{first.id}/diff/latest").get_json()["to"] == second.id


@pytest.mark.parametrize("path, headers, status", [
    ("/releases/{first}/diff/0123456789abcdef", {}, 410),
    ("/releases/{first}/diff/nonsense", {}, 404),
    ("/releases/{first}/diff/{second}?format=yaml", {}, 400),
    ("/releases/{first}/diff/{second}", {"Accept": "image/png"}, 406),
])
def test_diff_endpoint_errors(history, history_client, path, headers, status):
    response = history_client.get(path.format(first=history["first"].id, second=history["second"].id), headers=headers)
    assert response.status_code == status and response.mimetype == "application/problem+json"


def test_downloads_list_both_releases_with_the_diff_link(history, history_client):
    body = history_client.get("/downloads").get_json()
    assert [r["id"] for r in body["releases"]] == [history["second"].id, history["first"].id]
    assert body["releases"][0]["diff_from_previous"].endswith(f"/releases/{history['first'].id}/diff/{history['second'].id}")


# -- deprecated entities ------------------------------------------------------------------------------------

def test_deprecated_entities_are_in_the_graph(history):
    graph = history["new"]
    assert (MERGED, OWL.deprecated, Literal(True)) in graph and (WITHDRAWN, OWL.deprecated, Literal(True)) in graph
    assert graph.value(MERGED, DCTERMS.isReplacedBy) == ID["drug/osimertinib"]
    assert graph.value(WITHDRAWN, DCTERMS.isReplacedBy) is None


def test_a_replaced_entity_redirects_permanently(history_client):
    response = history_client.get("/id/drug/example-merged-drug", headers={"Accept": "text/turtle"})
    assert response.status_code == 301 and response.headers["Location"] == "/id/drug/osimertinib"
    assert history_client.get(response.headers["Location"]).status_code == 200


def test_a_removed_entity_is_gone(history_client):
    problem = history_client.get("/id/drug/example-withdrawn-drug", headers={"Accept": "application/json"})
    assert problem.status_code == 410 and problem.mimetype == "application/problem+json"
    assert problem.get_json()["label"] == "example withdrawn drug" and "withdrawn" in problem.get_json()["detail"]
    page = history_client.get("/id/drug/example-withdrawn-drug", headers={"Accept": "text/html"})
    assert page.status_code == 410 and "example withdrawn drug" in page.get_data(as_text=True)


def test_deprecated_names_resolve_to_nothing(history_client):
    response = history_client.get("/queries/describe", query_string={"entity": "example withdrawn drug"})
    assert response.status_code == 404


@pytest.mark.parametrize("record, message", [
    ({"iri": "drug/osimertinib", "label": "osimertinib", "reason": "x"}, "still in the data"),
    ({"iri": "drug/example-gone", "label": "gone", "reason": "x", "replaced_by": "drug/not-curated"}, "not an entity"),
])
def test_deprecating_wrongly_is_a_curation_error(tmp_path, record, message):
    folder = copy_sources(tmp_path / "sources", lambda data: data.update(deprecated={"deprecated": [record]}))
    with pytest.raises(CurationError, match=message):
        seeds.transform(folder / "seeds")

"""A release: named graphs per source, distributions that parse back, VoID counts, a content-hash id."""
import json
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from graph.build import build_graphs
from graph.release import content_id, latest_release
from graph.vocab import VOID


def test_release_has_its_files_and_named_graphs(release):
    folder = Path(release.folder)
    for name in ["dataset.nq", "dataset.trig", "dataset.ttl", "void.ttl", "release.json", "store"]:
        assert (folder / name).exists(), name
    assert set(release.triples) == {f"https://w3id.org/lungmet-kg/graph/{g}" for g in ("ontology", "seeds", "b3db", "inferred")}
    assert json.loads((folder / "release.json").read_text())["id"] == release.id
    assert latest_release(folder.parent.parent).id == release.id


def test_distributions_parse_back_to_the_same_counts(release):
    dataset = Dataset()
    dataset.parse(f"{release.folder}/dataset.trig", format="trig")
    counts = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    void = Graph().parse(f"{release.folder}/void.ttl")
    for name, count in release.triples.items():
        assert counts[name] == count, name
        assert int(void.value(URIRef(name), VOID.triples)) == count
    merged = Graph().parse(f"{release.folder}/dataset.ttl")
    assert len(merged) >= max(release.triples.values())


def test_build_is_reproducible(release):
    """The same sources give the same content hash (blank nodes and order do not matter)."""
    assert content_id(build_graphs(lambda message: None)) == release.id

"""Contract test over every registered source: it builds, into its own named graph, with a licence
and a version, and mints IRIs only in the project's namespace."""
import pytest
from rdflib import URIRef

from graph.transforms import SOURCES
from graph.vocab import BASE, RDFS


@pytest.fixture(scope="module")
def built():
    graphs = {}
    for source in SOURCES:
        graphs[source.name] = source.build(graphs)
    return graphs


def test_sources_are_registered_once():
    names = [s.name for s in SOURCES]
    assert names == sorted(set(names), key=names.index) and {"seeds", "b3db"} <= set(names)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_source_contract(source, built):
    graph = built[source.name]
    assert len(graph) > 1000
    assert source.folder.is_dir() and (source.folder / "README.md").exists()
    assert str(source.license).startswith("https://creativecommons.org/")
    assert source.version()
    assert str(source.graph) == f"{BASE}graph/{source.name}"
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    foreign = [s for s in subjects if not str(s).startswith(BASE)]
    assert foreign == [], f"{source.name} describes IRIs outside {BASE}: {foreign[:5]}"
    unlabelled = [s for s in subjects if str(s).startswith(BASE + "id/") and graph.value(s, RDFS.label) is None]
    assert unlabelled == []

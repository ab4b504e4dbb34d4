"""The derived graph: summaries that canned queries would otherwise recompute on every request, computed
once from the asserted and reasoned triples of a release.

Each `graph/derive/<summary>.rq` is a CONSTRUCT over the union of the release's other graphs (per-study
registry numbers, per-therapy best intracranial outcomes, option ↔ therapy ↔ alteration ↔ site links…).
pyoxigraph evaluates an aggregating subquery over every study or therapy of the graph before a bound
value can restrict it, so a canned query that joined one cost what the graph holds; reading a summary
from the bound value costs what the answer holds.

Its triples use only the `lmkgd:` vocabulary (graph.vocab.DERIVED), so they never answer a pattern over
the asserted model, and they live in their own named graph (graph.vocab.GRAPH_DERIVED), apart from the
asserted and inferred triples.
"""
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from graph.release import to_store
from graph.vocab import GRAPH_DERIVED

DERIVE_DIR = Path(__file__).parent / "derive"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def summaries() -> dict[str, str]:
    """name -> CONSTRUCT text of every summary, in name order."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(DERIVE_DIR.glob("*.rq"))}


def derived_triples(store: ox.Store) -> list[ox.Triple]:
    """The derived graph's triples, from a store of the release's other graphs, read as the service reads
    them (the default graph their union)."""
    triples = set()
    for text in summaries().values():
        triples.update(store.query(text, use_default_graph_as_union=True))
    return sorted(triples, key=str)


def add_derived(store: ox.Store) -> int:
    """Write the derived graph into a store (replacing any earlier one); the number of triples."""
    graph = ox.NamedNode(str(GRAPH_DERIVED))
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    triples = derived_triples(store)
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return len(triples)


def derive_graph(graphs: dict) -> Graph:
    """The derived graph of a build's graphs (rdflib), as the release writes it."""
    derived = Graph()
    for triple in derived_triples(to_store(graphs)):
        derived.add(tuple(rdflib_term(term) for term in (triple.subject, triple.predicate, triple.object)))
    return derived


def rdflib_term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    plain = term.language or term.datatype.value == XSD_STRING   # written without a datatype, as parsed
    return Literal(term.value, lang=term.language, datatype=None if plain else URIRef(term.datatype.value))

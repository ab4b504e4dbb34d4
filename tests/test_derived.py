"""The derived graph (graph/derive/): canned queries that read its summaries answer exactly what the
reference texts answer over the asserted and inferred graphs alone (tests/reference_queries/: main's
queries/ at a75440e, which compute every summary on each request, with the `#+ columns:` headers main
added at 8525798, bodies unchanged); and the graph is described with its provenance."""
import itertools

import pyoxigraph as ox
import pytest

from graph.vocab import DERIVED, GRAPH_DERIVED, PROV, VOID
from lmkg.paths import QUERIES_DIR
from service.engine.catalogue import load_catalogue
from service.engine.query import QueryRequest
from tests.conftest import same_answer

REFERENCE_QUERIES = QUERIES_DIR.parent / "tests" / "reference_queries"
ENTITY = "https://w3id.org/lungmet-kg/id/"


@pytest.fixture(scope="module")
def stores(release):
    """(reference, now): the release without its derived graph, and the release, both in memory."""
    on_disk = ox.Store.read_only(str(release.store_path))
    before, now = ox.Store(), ox.Store()
    before.bulk_extend(q for q in on_disk if q.graph_name.value != str(GRAPH_DERIVED))
    now.bulk_extend(on_disk)
    return before, now


def entity_values(store: ox.Store, classes: list[str]) -> list[str]:
    """Every entity of the graph a parameter of these classes can name (any entity if none)."""
    if classes:
        values = " ".join(f"<{c}>" for c in classes)
        query = f"SELECT DISTINCT ?e WHERE {{ VALUES ?class {{ {values} }} ?e a ?class }}"
    else:
        query = f'SELECT DISTINCT ?e WHERE {{ ?e ?p ?o FILTER STRSTARTS(STR(?e), "{ENTITY}") }}'
    return sorted(row["e"].value for row in store.query(query, use_default_graph_as_union=True))


def cases(query, store: ox.Store, index) -> list[dict]:
    """The bindings of every declared example, and of every combination of the values of the query's
    entity parameters (other parameters as in its first example)."""
    examples = [query.bindings(e.get("params", {}), index) for e in query.expect]
    entity_params = [name for name, p in query.params.items() if p.type == "entity"]
    values = [entity_values(store, query.params[name].classes) for name in entity_params]
    every = [{**examples[0], **{name: ox.NamedNode(v) for name, v in zip(entity_params, combo)}}
             for combo in itertools.product(*values)]
    return examples + every


def answer(store: ox.Store, text: str, bindings: dict) -> list:
    from service.engine.query import execute
    return same_answer(execute(store, QueryRequest(text, bindings=bindings, limit=1_000_000)))


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
def test_same_answers_as_the_reference_texts(name, stores, store):
    from service.engine.resolve import name_index
    before, now = stores
    query = load_catalogue(QUERIES_DIR)[name]
    old_text = (REFERENCE_QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    differing = [bindings for bindings in cases(query, before, name_index(store))
                 if answer(before, old_text, bindings) != answer(now, query.text, bindings)]
    assert not differing, f"{name}: {len(differing)} bindings answer otherwise, e.g. {differing[:3]}"


def test_derived_graph_is_apart_and_has_provenance(release, stores):
    _, now = stores
    graph = ox.NamedNode(str(GRAPH_DERIVED))
    derived = list(now.quads_for_pattern(None, None, None, graph))
    assert derived, "the release has a derived graph"
    assert all(q.predicate.value.startswith(str(DERIVED)) for q in derived), "only lmkgd: properties"
    meta = ox.NamedNode("https://w3id.org/lungmet-kg/graph/meta")

    def objects(subject, predicate):
        return {q.object.value for q in now.quads_for_pattern(subject, ox.NamedNode(str(predicate)), None, meta)}

    assert str(GRAPH_DERIVED) in objects(ox.NamedNode(str(release.iri)), VOID.subset)
    origins = objects(graph, PROV.wasDerivedFrom)
    assert {"https://w3id.org/lungmet-kg/graph/seeds", "https://w3id.org/lungmet-kg/graph/inferred"} <= origins
    (activity,) = objects(graph, PROV.wasGeneratedBy)
    assert f"{PROV.Activity}" in objects(ox.NamedNode(activity), "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert origins == objects(ox.NamedNode(activity), PROV.used)
    assert len(objects(ox.NamedNode(activity), PROV.endedAtTime)) == 1

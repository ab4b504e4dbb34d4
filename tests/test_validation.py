"""SHACL shapes and QC queries: they pass on the real build and catch deliberately broken records."""
import pytest
from rdflib import Graph, Literal

from graph.validate import load_shapes, qc_queries, qc_violations, shacl_violations
from graph.release import to_store
from graph.vocab import ID, LMKG, PROV, RDF, RDFS, SKOS, source_graph


@pytest.fixture(scope="module")
def graphs(release):
    """The named graphs of the session's release, as rdflib graphs."""
    import gzip
    from rdflib import Dataset
    dataset = Dataset()
    dataset.parse(data=gzip.decompress(open(f"{release.folder}/dataset.nq.gz", "rb").read()), format="nquads")
    return {g.identifier: Graph() + g for g in dataset.graphs() if len(g)}


def test_qc_checks_are_picked_up_by_file_pattern():
    names = qc_queries()
    assert len(names) >= 6 and all(name.endswith("-violation") for name in names)


def test_the_release_passes_every_qc_check(store):
    assert qc_violations_of(store) == []


def qc_violations_of(store):
    return qc_violations(store.store)


def broken_outcome() -> Graph:
    """An outcome measurement with no seed, no endpoint, two values and an arm of no study."""
    g = Graph()
    node = ID["study/fixture/outcome/broken"]
    g.add((node, RDF.type, LMKG.OutcomeMeasurement))
    g.add((node, RDF.type, LMKG.EvidenceStatement))
    g.add((node, RDFS.label, Literal("broken fixture", lang="en")))
    g.add((node, LMKG.printedAs, Literal("x")))
    g.add((node, LMKG.ofArm, ID["study/fixture/arm/intervention"]))
    for unit_prop, value in ((LMKG.scope, LMKG.intracranial), (LMKG.statistic, LMKG.median), (LMKG.unit, LMKG.month)):
        g.add((node, unit_prop, value))
    g.add((node, LMKG.value, Literal("1.0", datatype="http://www.w3.org/2001/XMLSchema#decimal")))
    g.add((node, LMKG.value, Literal("2.0", datatype="http://www.w3.org/2001/XMLSchema#decimal")))
    return g


def test_shacl_names_the_node_and_the_rule_of_a_broken_record(graphs):
    union = Graph()
    for graph in graphs.values():
        union += graph
    union += broken_outcome()
    violations = shacl_violations(union, load_shapes())
    node = str(ID["study/fixture/outcome/broken"])
    messages = {v.message for v in violations if v.node == node}
    assert "An outcome measurement has exactly one endpoint." in messages
    assert any("seed document" in m for m in messages)
    assert "An outcome measurement has at most one decimal value." in messages
    assert all(v.rule.startswith("shape https://w3id.org/lungmet-kg/shapes#") for v in violations if v.node == node)
    assert {v.node for v in violations} == {node}  # nothing else in the real graph violates a shape


def test_qc_catches_a_statement_without_seed_and_an_unlabelled_alternative(graphs):
    broken = dict(graphs)
    seeds = Graph() + graphs[source_graph("seeds")]
    node = ID["statement/s004-afatinib-ae"]
    seeds.remove((node, PROV.wasDerivedFrom, None))
    seeds.add((ID["drug/gefitinib"], SKOS.altLabel, Literal("no language tag")))
    broken[source_graph("seeds")] = seeds
    rules = {(v.rule, v.node) for v in qc_violations(to_store(broken))}
    assert ("qc statement-without-seed-violation", str(node)) in rules
    assert ("qc label-without-language-violation", str(ID["drug/gefitinib"])) in rules

"""Facts stated of a class reach its members by reasoning, kept apart from asserted facts."""
import pytest

from tests.conftest import select

PREFIXES = """PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX id: <https://w3id.org/lungmet-kg/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def in_graph(store, graph: str, triple: str) -> bool:
    from service.engine.query import QueryRequest
    ask = PREFIXES + f"ASK {{ GRAPH <https://w3id.org/lungmet-kg/graph/{graph}> {{ {triple} }} }}"
    return store.run(QueryRequest(ask)).boolean


@pytest.mark.parametrize("triple", [
    "<https://w3id.org/lungmet-kg/id/drug/dacomitinib> lmkg:targets <https://w3id.org/lungmet-kg/id/gene/erbb2>",  # second generation (both named): additional HER2 activity
    "<https://w3id.org/lungmet-kg/id/drug/gefitinib> lmkg:targets <https://w3id.org/lungmet-kg/id/gene/egfr>",  # an EGFR-TKI inhibits EGFR, by definition
    "<https://w3id.org/lungmet-kg/id/drug/nivolumab> lmkg:actsThrough <https://w3id.org/lungmet-kg/id/mechanism/checkpoint-blockade>",  # ICIs act by blocking checkpoints
    "<https://w3id.org/lungmet-kg/id/regimen/intrathecal-pemetrexed> lmkg:bypasses <https://w3id.org/lungmet-kg/id/mechanism/bbb-restriction>",  # intrathecal delivery bypasses the BBB
    "<https://w3id.org/lungmet-kg/id/drug/lorlatinib> a lmkg:ALKTKI",  # type closure over the class hierarchy
])
def test_class_facts_are_inferred_not_asserted(store, triple):
    assert in_graph(store, "inferred", triple)
    assert not in_graph(store, "seeds", triple)


def test_individual_facts_reach_shortcut_properties(store):
    """A statement about one drug gives its shortcut property by the property chain (inferred)."""
    assert in_graph(store, "inferred", "<https://w3id.org/lungmet-kg/id/drug/afatinib> lmkg:hasAdverseEvent <https://w3id.org/lungmet-kg/id/adverse-event/diarrhea>")
    assert in_graph(store, "inferred", "<https://w3id.org/lungmet-kg/id/drug/crizotinib> lmkg:hasBBBPenetrationLevel lmkg:lowPenetration")


def test_third_generation_egfr_tki_does_not_meet_t790m(store):
    assert not in_graph(store, "inferred", "<https://w3id.org/lungmet-kg/id/drug/osimertinib> lmkg:meetsResistance <https://w3id.org/lungmet-kg/id/alteration/egfr-t790m>")


def test_drugs_acting_on_egfr(store):
    rows = select(store, PREFIXES + """SELECT ?label WHERE {
        ?drug lmkg:targets <https://w3id.org/lungmet-kg/id/gene/egfr> ; a lmkg:Drug ; rdfs:label ?label }""")
    labels = {r["label"] for r in rows}
    assert {"osimertinib", "gefitinib", "erlotinib", "icotinib", "afatinib", "dacomitinib"} <= labels
    assert "aumolertinib" not in labels  # its EGFR-TKI class is the curator's, never reasoned on


def test_therapy_groups_do_not_inherit_class_facts(store):
    """"EGFR-TKI (any)" as a regimen component stands for the class without being a member."""
    assert not in_graph(store, "inferred", "<https://w3id.org/lungmet-kg/id/therapy-group/egfr-tki> lmkg:targets <https://w3id.org/lungmet-kg/id/gene/egfr>")

"""`lmkg explain`, /explain and the entity page's "How we know this": every fact about an entity, asserted
or inferred, with the chain behind each inferred one. Expected statements and wording are read from the
session's release; only `targets` facts are named, as they come both from a class restriction (EGFR-TKIs)
and from a statement about one drug (osimertinib's T790M target)."""
import json

import pytest
from markupsafe import escape

from lmkg.cli import main
from service.engine.explain import INFERRED, Fact, Term, explain
from service.engine.resolve import name_index
from tests.conftest import select

ID = "https://w3id.org/lungmet-kg/id/"
LMKG = "https://w3id.org/lungmet-kg/ontology#"
SEEDS = "https://w3id.org/lungmet-kg/graph/seeds"
OSIMERTINIB = ID + "drug/osimertinib"
PREFIXES = """PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


@pytest.fixture(scope="module")
def osimertinib(store):
    return explain(store, name_index(store), OSIMERTINIB)


def facts_of(explanation, prop: str, value: str) -> list[Fact]:
    return [f for f in explanation.facts if f.subject.value == explanation.entity.value
            and f.predicate.value == prop and f.object.value == value]


def printed(store, statement: str) -> str:
    return select(store, PREFIXES + f"SELECT ?p WHERE {{ <{statement}> lmkg:printedAs ?p }}")[0]["p"]


def test_a_class_members_target_is_explained_by_the_restriction_and_the_statement_of_the_class(store, osimertinib):
    stated = select(store, PREFIXES + f"""SELECT ?statement ?seed WHERE {{
        ?statement lmkg:statedOfClass lmkg:EGFRTKI ; lmkg:statedTarget <{ID}gene/egfr> ; prov:wasDerivedFrom ?seed .
        FILTER STRSTARTS(STR(?seed), "{ID}seed/") }}""")
    assert stated
    [fact] = facts_of(osimertinib, LMKG + "targets", ID + "gene/egfr")
    assert fact.inferred and fact.status == "inferred"
    [reason] = [r for r in fact.reasons
                if r.kind == "class restriction" and "EGFR tyrosine kinase inhibitor:" in r.text]
    assert "osimertinib is a " in reason.text and "⊑ EGFR tyrosine kinase inhibitor" in reason.text
    evidence = {e.node.value: e for e in reason.evidence}
    for row in stated:
        assert evidence[row["statement"]].printed == printed(store, row["statement"])
        assert row["seed"] in {source.value for source in evidence[row["statement"]].sources}


def test_a_fact_from_a_statement_about_the_drug_is_explained_by_the_property_chain(store, osimertinib):
    stated = {row["s"] for row in select(store, PREFIXES + f"""SELECT ?s WHERE {{
        ?s schema:about <{OSIMERTINIB}> ; lmkg:statedTarget <{ID}alteration/egfr-t790m> }}""")}
    assert stated
    [fact] = facts_of(osimertinib, LMKG + "targets", ID + "alteration/egfr-t790m")
    chains = [r for r in fact.reasons if r.kind == "property chain"]
    assert {e.node.value for r in chains for e in r.evidence} == stated
    for reason in chains:
        assert reason.text.startswith("of targets: osimertinib ←about— statement/")
        assert all(e.printed == printed(store, e.node.value) for e in reason.evidence)


def test_asserted_facts_are_marked_asserted_with_their_graph(store, osimertinib):
    asserted = select(store, f"SELECT ?p ?o WHERE {{ GRAPH <{SEEDS}> {{ <{OSIMERTINIB}> ?p ?o }} }}")
    assert asserted
    for row in asserted:
        [fact] = facts_of(osimertinib, row["p"], row["o"])
        assert not fact.inferred and SEEDS in fact.graphs and fact.status.startswith("asserted (seeds")
        assert not fact.reasons


def test_statements_about_the_entity_are_listed_with_their_wording(store, osimertinib):
    about = {row["s"] for row in select(store, PREFIXES + f"SELECT ?s WHERE {{ ?s schema:about <{OSIMERTINIB}> }}")}
    listed = {f.subject.value: f for f in osimertinib.facts if f.object.value == OSIMERTINIB}
    assert set(listed) == about
    for statement, fact in listed.items():
        [evidence] = fact.evidence
        assert evidence.node.value == statement and evidence.printed == printed(store, statement)


def test_every_inferred_target_of_every_drug_is_explained(store):
    index = name_index(store)
    drugs = {row["d"] for row in select(store, PREFIXES + "SELECT DISTINCT ?d WHERE { ?d lmkg:targets ?t }")}
    for drug in sorted(drugs):
        for fact in explain(store, index, drug).facts:
            if fact.predicate.value == LMKG + "targets" and fact.inferred:
                assert fact.reasons and all(r.evidence for r in fact.reasons), (drug, fact.object.value)


def test_an_inferred_fact_without_a_chain_says_so():
    term = Term("x", "x")
    assert Fact(term, term, term, [INFERRED]).status == "inferred (no chain found)"


def test_a_model_it_has_never_seen_is_explained_from_its_axioms():
    """A role-specific sub-property with its own chain and a class restriction on it, as the model may
    grow, and a type from a property's domain: explained from the axioms alone; a fact nothing explains
    is said to have no chain; the class axiom is shown with the statement it was built from."""
    import pyoxigraph as ox
    from service.engine.query import execute
    data = ox.Store()
    data.load(f"""PREFIX lmkg: <{LMKG}> PREFIX t: <{ID}test/>
        PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX schema: <http://schema.org/>
        GRAPH <https://w3id.org/lungmet-kg/graph/ontology> {{
          lmkg:limitedBy owl:propertyChainAxiom ( [ owl:inverseOf schema:about ] lmkg:limitingMechanism ) .
          lmkg:limitingMechanism rdfs:subPropertyOf lmkg:statedMechanism .
          lmkg:Kinds rdfs:subClassOf lmkg:Wider . lmkg:onlyFor rdfs:domain lmkg:Special . }}
        GRAPH <{SEEDS}> {{
          t:drug a lmkg:Kinds ; lmkg:onlyFor t:x .
          t:one schema:about t:drug ; lmkg:limitingMechanism t:m1 ; lmkg:printedAs "said of the drug" .
          t:all lmkg:statedOfClass lmkg:Wider ; lmkg:limitingMechanism t:m2 ; lmkg:printedAs "said of the class" .
          lmkg:Wider rdfs:subClassOf [ owl:onProperty lmkg:limitedBy ; owl:hasValue t:m2 ] . }}
        GRAPH <{INFERRED}> {{
          t:drug lmkg:limitedBy t:m1 , t:m2 ; lmkg:unheardOf t:m3 ; a lmkg:Wider , lmkg:Special . }}""",
              format=ox.RdfFormat.TRIG)

    class Store:
        def run(self, request):
            return execute(data, request)

    class Index:
        def label(self, iri):
            return iri

    facts = explain(Store(), Index(), ID + "test/drug")
    by_value = {f.object.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: f for f in facts.facts}
    [chain] = by_value["m1"].reasons
    assert chain.kind == "property chain" and [e.printed for e in chain.evidence] == ["said of the drug"]
    [restriction] = by_value["m2"].reasons
    assert restriction.kind == "class restriction" and "drug is a Kinds ⊑ Wider" in restriction.text
    assert [e.printed for e in restriction.evidence] == ["said of the class"]
    assert by_value["Wider"].reasons[0].kind == "superclass"
    [domain] = by_value["Special"].reasons
    assert (domain.kind, domain.text) == ("domain", "of onlyFor is Special: test/drug onlyFor test/x")
    assert by_value["m3"].status == "inferred (no chain found)"
    assert by_value["Kinds"].status == "asserted (seeds)"
    [axiom] = [f for f in explain(Store(), Index(), LMKG + "Wider").facts if f.object.kind == "blank"]
    assert axiom.object.label == "limitedBy value test/m2"
    assert [e.printed for e in axiom.evidence] == ["said of the class"]


# -- the command, the JSON and the page -------------------------------------------------------------

def test_cli_explains_a_drug_by_name(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "explain", "osimertinib"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"osimertinib  <{OSIMERTINIB}>")
    assert "osimertinib  targets  EGFR  [inferred]" in out and "← class restriction on EGFR tyrosine kinase" in out
    assert "statement/s" in out and "[asserted (seeds)]" in out


def test_cli_json_and_unknown_names(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "explain", "id/drug/osimertinib", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["entity"]["value"] == OSIMERTINIB
    assert {f["status"] for f in answer["facts"]} >= {"inferred", "asserted (seeds)"}
    assert main(["--data-dir", str(data_dir), "explain", "no-such-drug-anywhere"]) == 1
    assert "404 Unknown entity" in capsys.readouterr().err


def test_explain_route_gives_the_same_json(client, store):
    response = client.get("/explain?entity=osimertinib")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(explain(store, name_index(store), OSIMERTINIB).to_json()))
    assert client.get("/explain?entity=no-such-drug-anywhere").status_code == 404
    assert client.get("/explain").status_code == 400


def test_entity_page_shows_how_we_know_each_fact(client, store, osimertinib):
    response = client.get("/id/drug/osimertinib", headers={"Accept": "text/html"})
    section = response.get_data(as_text=True).split('id="how"')[1].split("</section>")[0]
    assert "<details><summary>" in section and "/explain?entity=" in section
    assert section.count('class="badge inferred"') == sum(f.inferred for f in osimertinib.facts)
    [fact] = facts_of(osimertinib, LMKG + "targets", ID + "gene/egfr")
    for evidence in (e for r in fact.reasons for e in r.evidence):
        assert f'href="/id/{evidence.node.value[len(ID):]}"' in section
        assert f"<q>{escape(evidence.printed)}</q>" in section

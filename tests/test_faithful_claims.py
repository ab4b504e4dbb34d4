"""The graph says what the seeds say and no more: direction, quantifier, hedge, strength and evidence level
of every claim (issue #13). Each test names the kind of error it guards against, with the example the
fact-by-fact review found."""
import re

import pytest

from tests.conftest import select

PREFIXES = """PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX id: <https://w3id.org/lungmet-kg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <http://schema.org/>
"""
# Words by which a seed hedges a claim, and by which it recommends (README: "Seed wording → graph value")
HEDGES = re.compile(r"\b(may|might|potentially|suggests?|suggested|preliminary|further validat\w*|remain to be)\b", re.I)
RECOMMENDS = re.compile(r"recommend|standard|preferred|mainstay|cornerstone|indispensable", re.I)


def ask(store, where: str) -> bool:
    from service.engine.query import QueryRequest
    return store.run(QueryRequest(PREFIXES + f"ASK {{ {where} }}")).boolean


def statements(curated) -> dict[str, dict]:
    return {record["id"]: record for record in curated["statements"]["statements"]}


# ---------------------------------------------------------------- direction
@pytest.mark.parametrize("drug, mechanism", [
    ("pembrolizumab", "physical-barrier"),   # the tight-junction barrier limits drugs; it is no drug's action
    ("pemetrexed", "efflux-transport"),      # efflux limits chemotherapy
    ("nivolumab", "bbb-restriction"),
])
def test_a_limiting_mechanism_is_never_an_action(store, drug, mechanism):
    assert not ask(store, f"id:drug\\/{drug} lmkg:actsThrough id:mechanism\\/{mechanism}")


def test_every_acts_through_has_a_firm_action_statement(store):
    """The shortcut stays true when the statement's qualifiers are ignored: each inferred `acts through`
    comes from a stated action statement about the therapy, or about all members of one of its classes."""
    rows = select(store, PREFIXES + """SELECT ?therapy ?mechanism WHERE {
        ?therapy lmkg:actsThrough ?mechanism .
        FILTER NOT EXISTS {
          ?s lmkg:mechanismEffect lmkg:actionOfTherapy ; lmkg:statedMechanism ?mechanism ; lmkg:certainty lmkg:stated .
          { ?s schema:about ?therapy } UNION { ?s lmkg:statedOfClass ?class ; lmkg:quantifier lmkg:allMembers . ?therapy a ?class }
        } }""")
    assert rows == []


def test_limits_have_their_own_shortcut(store):
    assert ask(store, "id:regimen\\/intrathecal-pemetrexed lmkg:bypasses id:mechanism\\/bbb-restriction")
    assert ask(store, "id:statement\\/s004-efflux-chemo lmkg:mechanismEffect lmkg:limitsTherapy")


# ---------------------------------------------------------------- quantifier
@pytest.mark.parametrize("drug", ["carboplatin", "cisplatin", "pemetrexed", "docetaxel"])
def test_most_chemotherapeutics_is_not_each_chemotherapeutic(store, drug):
    """"most conventional chemotherapeutics have poor BBB penetration" stays a statement about the class."""
    assert not ask(store, f"id:drug\\/{drug} lmkg:hasBBBPenetrationLevel ?level")
    assert ask(store, "id:statement\\/s004-chemo-poor-bbb lmkg:quantifier lmkg:mostMembers ; lmkg:statedOfClass lmkg:Chemotherapy")


def test_most_drugs_are_kept_off_every_drug(store):
    assert not ask(store, "?drug lmkg:limitedBy id:mechanism\\/physical-barrier")
    assert ask(store, "id:statement\\/s004-bbb-physical-barrier lmkg:quantifier lmkg:mostMembers")


def test_only_firm_statements_of_all_members_become_class_restrictions(store):
    """Every owl:hasValue restriction of a class is backed by a stated statement of all its members."""
    rows = select(store, PREFIXES + """SELECT ?class ?value WHERE {
        ?class rdfs:subClassOf ?r . ?r owl:hasValue ?value .
        FILTER (STRSTARTS(STR(?class), "https://w3id.org/lungmet-kg/ontology#"))
        FILTER NOT EXISTS { ?s lmkg:statedOfClass ?class ; lmkg:quantifier lmkg:allMembers ; lmkg:certainty lmkg:stated .
                            { ?s ?p ?value } } }""")
    assert rows == []


def test_every_statement_of_a_class_says_how_many_members(curated):
    missing = [i for i, r in statements(curated).items() if r.get("about_class") and not r.get("quantifier")]
    assert missing == []


# ---------------------------------------------------------------- circular or invented class claims
def test_lorlatinib_does_not_meet_the_mutations_it_overcomes(store):
    assert not ask(store, "id:drug\\/lorlatinib lmkg:meetsResistance id:alteration\\/alk-resistance-mutations")
    assert ask(store, "id:statement\\/s004-lorlatinib-resistance lmkg:overcomeBy id:drug\\/lorlatinib")


def test_primary_non_response_is_not_acquired_resistance(store):
    assert not ask(store, "?drug a lmkg:ImmuneCheckpointInhibitor ; lmkg:meetsResistance id:resistance\\/acquired-resistance")
    assert ask(store, "id:statement\\/s000-ici-not-all-respond a lmkg:Finding")


# ---------------------------------------------------------------- grades and strengths
@pytest.mark.parametrize("drug", ["pembrolizumab", "nivolumab", "durvalumab", "ipilimumab", "atezolizumab"])
def test_can_cross_is_no_grade(store, drug):
    assert not ask(store, f"id:drug\\/{drug} lmkg:hasBBBPenetrationLevel ?level")


def test_can_cross_is_kept_as_what_it_is(store):
    assert ask(store, "id:statement\\/s000-ici-cross-bbb lmkg:penetrationClaim lmkg:crossesUngraded ; lmkg:certainty lmkg:suggested")
    assert not ask(store, "id:statement\\/s000-ici-cross-bbb lmkg:assessedLevel ?level")


@pytest.mark.parametrize("drug", ["alectinib", "brigatinib", "entrectinib", "larotrectinib"])
def test_cns_activity_is_not_a_penetration_grade(store, drug):
    assert not ask(store, f"id:drug\\/{drug} lmkg:hasBBBPenetrationLevel ?level")


def test_graded_penetration_stays(store):
    assert ask(store, "id:drug\\/osimertinib lmkg:hasBBBPenetrationLevel lmkg:highPenetration")  # "superior"
    assert ask(store, "id:drug\\/lorlatinib lmkg:hasBBBPenetrationLevel lmkg:highPenetration")   # "strongest"
    assert ask(store, "id:drug\\/crizotinib lmkg:hasBBBPenetrationLevel lmkg:lowPenetration")    # "limited"


def test_has_shown_efficacy_is_not_recommended(store):
    assert ask(store, "id:statement\\/s004-dabrafenib-trametinib lmkg:recommendationStatus lmkg:efficacyShown")


def test_recommended_only_where_a_seed_recommends(curated):
    """Strength comes from the seed's verb: "recommended" needs a recommending word in the wording."""
    wrong = [i for i, r in statements(curated).items()
             if r.get("status") == "recommended" and not RECOMMENDS.search(r["printed"])]
    assert wrong == []


def test_not_recommended_only_where_a_seed_says_so(curated):
    wrong = [i for i, r in statements(curated).items() if r.get("status") == "notRecommended"
             and "not recommended" not in r["printed"] and "not currently recommended" not in r["printed"]
             and "has not demonstrate" not in r["printed"]]
    assert wrong == []


# ---------------------------------------------------------------- hedges
def test_a_hedged_wording_is_a_suggested_claim(curated):
    """A claim printed with "may", "potentially", "preliminary"… is suggested, unless its note says why the
    word is no hedge there (e.g. a permissive "may be applied")."""
    wrong = [i for i, r in statements(curated).items() if HEDGES.search(r["printed"])
             and r.get("certainty") != "suggested" and "not a hedge" not in r.get("note", "")]
    assert wrong == []


def test_may_achieve_survival_is_no_median(store):
    assert not ask(store, "?o a lmkg:OutcomeMeasurement ; schema:about id:therapy\\/multi-session-srs")
    assert ask(store, "id:statement\\/s004-srs-multi-os a lmkg:Finding ; lmkg:certainty lmkg:suggested")


def test_no_shortcut_from_a_hedged_statement(store):
    """Anti-VEGF drugs "may normalize" tumour vasculature: no drug acts through it."""
    assert not ask(store, "?drug lmkg:actsThrough id:mechanism\\/vascular-normalisation")


# ---------------------------------------------------------------- pooled rows
def test_a_pooled_rows_phase_is_not_each_trials(store):
    assert not ask(store, "id:study\\/keynote-021 lmkg:phase ?phase")
    assert ask(store, 'id:study\\/keynote-pooled lmkg:studyDesign "phase III" ; lmkg:evidenceLevel lmkg:evidencePooledAnalysis')


# ---------------------------------------------------------------- class membership basis
@pytest.mark.parametrize("drug, curator_class", [
    ("aumolertinib", "ThirdGenerationEGFRTKI"), ("iruplinkib", "SecondGenerationALKTKI"),
    ("ivonescimab", "PD1VEGFBispecificAntibody"), ("durvalumab", "PDL1Inhibitor"),
])
def test_unstated_memberships_are_marked_and_carry_nothing(store, drug, curator_class):
    assert ask(store, f"id:drug\\/{drug} lmkg:curatorClassification lmkg:{curator_class} ; lmkg:classificationBasis ?basis")
    assert not ask(store, f"id:drug\\/{drug} a lmkg:{curator_class}")
    for shortcut in ("hasBBBPenetrationLevel", "meetsResistance", "hasAdverseEvent", "actsThrough"):
        assert not ask(store, f"GRAPH <https://w3id.org/lungmet-kg/graph/inferred> {{ id:drug\\/{drug} lmkg:{shortcut} ?v }}")


# ---------------------------------------------------------------- evidence levels and context
def test_every_claim_has_an_evidence_level_and_a_certainty(store):
    assert not ask(store, "?s a lmkg:EvidenceStatement . FILTER NOT EXISTS { ?s lmkg:evidenceLevel ?level }")
    assert not ask(store, "?s a lmkg:EvidenceStatement ; schema:about|lmkg:statedOfClass ?x . FILTER NOT EXISTS { ?s lmkg:certainty ?c }")


@pytest.mark.parametrize("statement, level", [
    ("s004-osimertinib-chemo-pfs", "evidencePhase3Trial"),      # FLAURA2
    ("s004-tepotinib-osimertinib", "evidencePhase2Trial"),      # INSIGHT 2
    ("s004-nivolumab-pfs", "evidenceObservational"),            # "Retrospective cohort studies"
    ("s004-chemo-bm-pfs", "evidencePooledAnalysis"),            # KEYNOTE-021/189/407
    ("s004-osimertinib-standard", "evidencePhase3Trial"),       # cites FLAURA2's reports ([13, 14])
    ("s004-egfr-vegfr-pfs", "evidenceObservational"),           # "Retrospective studies", though FL-ALTER is cited too
    ("s004-srs-option", "evidenceReviewOpinion"),               # no study, no citation
])
def test_evidence_level_follows_what_the_seed_says_of_its_source(store, statement, level):
    assert ask(store, f"id:statement\\/{statement} lmkg:evidenceLevel lmkg:{level}")


def test_the_intrathecal_pemetrexed_trial_names_its_patients(store):
    study = "id:study\\/intrathecal-pemetrexed-chictr1800016615"
    assert ask(store, f"{study} lmkg:forAlteration id:alteration\\/egfr-sensitising-mutation ; lmkg:forSite id:site\\/leptomeninges")


def test_tki_plus_ici_keeps_its_egfr_context(store):
    assert ask(store, "id:statement\\/s004-tki-ici-not-recommended lmkg:forAlteration id:alteration\\/egfr-sensitising-mutation")


def test_liver_options_name_the_liver_metastasis_disease(store):
    assert not ask(store, """?o a lmkg:TreatmentOption ; lmkg:forSite id:site\\/liver .
        FILTER NOT EXISTS { ?o lmkg:forDisease id:disease\\/lung-cancer-liver-metastasis }""")

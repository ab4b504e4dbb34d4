"""The ontology is OWL 2 DL that owlready2 loads and HermiT finds consistent, alone and with the facts."""
from rdflib import Graph, Literal

from graph.build import load_ontology
from graph.reason import InconsistentGraph, hermit_inferences
from graph.vocab import LMKG, OWL, RDF, RDFS, SKOS


def test_hermit_finds_the_ontology_consistent():
    hermit_inferences(load_ontology())  # raises InconsistentGraph otherwise


def test_hermit_reports_an_inconsistent_fact():
    ontology = load_ontology()
    broken = Graph()
    level = LMKG.highPenetration
    broken.add((level, LMKG.levelRank, Literal("not a number")))  # levelRank is xsd:integer
    try:
        hermit_inferences(ontology + broken)
    except InconsistentGraph as error:
        assert "inconsistent" in str(error)
    else:
        raise AssertionError("HermiT accepted a string as an xsd:integer level rank")


def test_every_term_has_a_label_and_a_definition():
    ontology = load_ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
    terms = {s for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith(str(LMKG))}
    assert len(terms) > 150
    missing = [t for t in terms if ontology.value(t, SKOS.definition) is None or ontology.value(t, RDFS.label) is None]
    assert missing == []


def test_required_model_classes_exist():
    ontology = load_ontology()
    for name in ["FirstGenerationEGFRTKI", "FourthGenerationEGFRTKI", "ThirdGenerationALKTKI", "PD1VEGFBispecificAntibody",
                 "Antifolate", "Endostatin", "HippocampalAvoidantWBRT", "HypofractionatedSRS", "ProtonCraniospinalIrradiation",
                 "TransarterialChemoembolization", "IntrathecalChemotherapy", "ClinicalTrial", "TrialArm",
                 "OutcomeMeasurement", "MetastaticDisease", "AdverseEvent", "ResistanceMechanism", "Biomarker",
                 "CombinationRegimen", "RecommendationStatus", "BBBPenetrationLevel", "Publication"]:
        assert (LMKG[name], RDF.type, OWL.Class) in ontology, name


def test_bbb_levels_are_ranked():
    ontology = load_ontology()
    ranks = {str(ontology.value(level, RDFS.label)): int(ontology.value(level, LMKG.levelRank))
             for level in ontology.subjects(RDF.type, LMKG.BBBPenetrationLevel)}
    assert ranks == {"none": 0, "low": 1, "moderate": 2, "high": 3}


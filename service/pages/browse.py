"""Browse lists (`/id/drug/`, `/id/study/`, `/id/gene/` …): every entity of one kind with its key facts,
linked to its page. The kind is the first segment of our entity IRIs; sub-resources (a study's arms and
outcomes) and records (statements, B3DB rows) are not listed: they are reached from their entities."""
import re

from graph.vocab import BASE
from service.engine.query import QueryRequest

KINDS = {"drug": "Drugs", "regimen": "Regimens", "therapy": "Other therapies", "therapy-group": "Therapy groups",
         "study": "Trials and studies", "gene": "Genes", "alteration": "Driver alterations",
         "biomarker": "Biomarkers", "site": "Anatomical sites", "disease": "Diseases", "mechanism": "Mechanisms",
         "resistance": "Resistance mechanisms", "adverse-event": "Adverse events", "barrier": "Barriers",
         "publication": "Cited publications", "seed": "Seed documents"}

LIST = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?entity ?label (SAMPLE(?kind_label) AS ?kind) (GROUP_CONCAT(DISTINCT ?id; separator=", ") AS ?identifiers)
       (SAMPLE(?bbb) AS ?bbb_level) (SAMPLE(?registry_number) AS ?registry) (SAMPLE(?study_phase) AS ?phase)
       (COUNT(DISTINCT ?seed) AS ?seeds) WHERE {
  ?entity rdfs:label ?label .
  FILTER (STRSTARTS(STR(?entity), "PREFIX_") && !CONTAINS(STRAFTER(STR(?entity), "PREFIX_"), "/"))
  OPTIONAL { ?entity a ?type . ?type rdfs:label ?kind_label . FILTER STRSTARTS(STR(?type), STR(lmkg:))
             FILTER NOT EXISTS { ?entity a ?narrower . ?narrower rdfs:subClassOf ?type . FILTER (?narrower != ?type) } }
  OPTIONAL { ?entity dcterms:identifier ?id }
  OPTIONAL { ?entity lmkg:hasBBBPenetrationLevel/rdfs:label ?bbb }
  OPTIONAL { ?entity lmkg:registryNumber ?registry_number }
  OPTIONAL { ?entity lmkg:phase ?study_phase }
  OPTIONAL { ?entity prov:wasDerivedFrom ?seed . ?seed a lmkg:SeedDocument }
} GROUP BY ?entity ?label ORDER BY LCASE(?label)"""


def entities(store, kind: str) -> list[dict]:
    """The entities of a kind (one of KINDS, so the prefix spliced into the text is ours, never a visitor's)."""
    assert kind in KINDS and re.fullmatch(r"[a-z-]+", kind)
    text = LIST.replace("PREFIX_", f"{BASE}id/{kind}/")
    return store.run(QueryRequest(text, limit=5000)).dicts()

"""Namespaces and IRI minting shared by the transforms, the build and the service."""
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD  # noqa: F401  (re-exported)

BASE = "https://w3id.org/lungmet-kg/"
LMKG = Namespace(BASE + "ontology#")
DERIVED = Namespace(BASE + "derived#")   # the derived graph's summaries (graph/derive.py)
ONTOLOGY_IRI = URIRef(BASE + "ontology")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
SCHEMA = Namespace("http://schema.org/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

GRAPH_ONTOLOGY = GRAPH.ontology
GRAPH_INFERRED = GRAPH.inferred
GRAPH_META = GRAPH.meta
GRAPH_DERIVED = GRAPH.derived

PREFIXES = {
    "lmkg": LMKG, "lmkgd": DERIVED, "id": ID, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS,
    "prov": PROV, "dcterms": DCTERMS, "schema": SCHEMA, "obo": OBO, "bibo": BIBO, "void": VOID,
}


def entity_iri(kind: str, slug: str) -> URIRef:
    """The IRI of a curated entity: minted from its curated identifier, never from positions."""
    return ID[f"{kind}/{slug}"]


def source_graph(name: str) -> URIRef:
    """The named graph that holds one source's asserted triples."""
    return GRAPH[name]


# External identifier prefixes (CURIE prefix -> IRI base), as used in skos:exactMatch.
XREF_BASES = {
    "HGNC": "https://identifiers.org/hgnc:",
    "DRUGBANK": "https://go.drugbank.com/drugs/",
    "CHEMBL": "https://identifiers.org/chembl.compound:",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "PUBCHEM.COMPOUND": "https://pubchem.ncbi.nlm.nih.gov/compound/",
}


def xref_iri(curie: str) -> URIRef:
    """The IRI of an external identifier given as a CURIE (e.g. HGNC:427)."""
    prefix, local = curie.split(":", 1)
    return URIRef(XREF_BASES[prefix] + local)

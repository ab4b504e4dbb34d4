"""Resolving what a user types (a label, synonym, symbol, acronym, registry number or identifier, any
case) to the entity it names in the graph."""
import difflib
import re
import unicodedata
from dataclasses import dataclass

from graph.vocab import BASE
from service.query import QueryRequest

NAMES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?entity ?name ?property WHERE {
  VALUES ?property { rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel dcterms:identifier lmkg:acronym
                     lmkg:registryNumber skos:notation }
  ?entity ?property ?name .
  FILTER (isIRI(?entity) && isLiteral(?name))
  FILTER NOT EXISTS { ?entity owl:deprecated true }  # removed entities are reached by their IRI only
}"""
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# The types of an entity; an ontology class also counts as "of" its superclasses, so a parameter that
# takes therapies accepts a therapy class (e.g. "immune checkpoint inhibitor") as well as a drug.
TYPES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?type WHERE {
  { ?entity a ?type } UNION { ?entity rdfs:subClassOf+ ?type }
  FILTER (isIRI(?entity) && isIRI(?type))
}"""
# Records that are about something else: a name that matches a curated entity too resolves to that.
# Likewise a name shared by a curated individual and an ontology class (WBRT) names the individual;
# the class is reached by a name of its own ("whole-brain radiotherapy" class label, or its IRI).
SECONDARY_PREFIXES = (BASE + "id/b3db/", BASE + "id/statement/", BASE + "id/seed/", BASE + "id/publication/")


def normalise(text: str) -> str:
    """Case, dashes, spaces and compatibility forms (full-width ／, Ａ) do not matter in a name."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2011", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def display_preference(name, prop: str) -> int:
    """0 for an English rdfs:label, 1 for another rdfs:label, 2 for any other name."""
    if prop != RDFS_LABEL:
        return 2
    return 0 if getattr(name, "language", None) == "en" else 1


@dataclass
class Resolution:
    matches: list[str]        # entity IRIs the text names (one when resolved)
    suggestions: list[str]    # nearest names when nothing matched


class NameIndex:
    """Every name of every entity, and every entity's types, read from the store once."""

    def __init__(self, run):
        self.by_name: dict[str, set[str]] = {}
        self.names: dict[str, str] = {}      # entity IRI -> a display name
        self.types: dict[str, set[str]] = {}
        display_rank: dict[str, int] = {}
        for row in run(QueryRequest(NAMES_QUERY, limit=10_000_000)).rows:
            entity, name = row[0].value, row[1].value
            self.by_name.setdefault(normalise(name), set()).add(entity)
            rank = display_preference(row[1], row[2].value)
            if rank < display_rank.get(entity, 99):  # show the English label, whatever the row order
                self.names[entity], display_rank[entity] = name, rank
        for row in run(QueryRequest(TYPES_QUERY, limit=10_000_000)).rows:
            self.types.setdefault(row[0].value, set()).add(row[1].value)

    def candidates(self, text: str) -> set[str]:
        key = normalise(text)
        found = set(self.by_name.get(key, ()))
        if text.startswith(BASE):
            found.add(text)
        elif key.startswith(("drug/", "study/", "gene/", "alteration/", "site/", "disease/", "therapy/")):
            found.add(BASE + "id/" + text.strip())
        return {iri for iri in found if iri in self.types or iri in self.names}

    def resolve(self, text: str, allowed_types: set[str] | None = None) -> Resolution:
        found = self.candidates(text)
        if allowed_types:
            found = {iri for iri in found if self.types.get(iri, set()) & allowed_types}
        primary = {iri for iri in found if not iri.startswith(SECONDARY_PREFIXES)}
        curated = {iri for iri in primary if iri.startswith(BASE + "id/")}
        matches = sorted(curated or primary or found)  # a curated individual before an ontology class
        if matches:
            return Resolution(matches, [])
        return Resolution([], self.suggest(text, allowed_types))

    def suggest(self, text: str, allowed_types: set[str] | None, count: int = 5) -> list[str]:
        pool = [name for name, iris in self.by_name.items()
                if not allowed_types or any(self.types.get(i, set()) & allowed_types for i in iris)]
        return difflib.get_close_matches(normalise(text), pool, n=count, cutoff=0.5)

    def label(self, iri: str) -> str:
        return self.names.get(iri, iri)


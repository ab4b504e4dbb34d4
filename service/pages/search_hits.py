"""The search page's answer: what matches the text as typed; failing that, what its phrases name (so that
"ALK brain metastases" finds ALK and brain metastases); failing that, an honest "no match" with the
nearest names. Each hit carries its kind and how many seed documents speak of it.
"""
from dataclasses import dataclass, field

import pyoxigraph as ox

from service.engine.query import QueryRequest
from service.engine.resolve import NameIndex, normalise

MAX_WORDS = 8          # longer texts are searched as typed only (phrases grow with the square of the words)

SEED_COUNTS = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?entity (COUNT(DISTINCT ?seed) AS ?seeds) WHERE {
  { ?entity prov:wasDerivedFrom ?seed } UNION { ?about ?p ?entity . ?about prov:wasDerivedFrom ?seed }
  ?seed a lmkg:SeedDocument .
} GROUP BY ?entity"""


@dataclass
class Found:
    """Hits for the whole text, or for one phrase of it; `near` when only near misses were found."""
    phrase: str
    hits: list[tuple[str, str]]          # (IRI, the name that matched)
    near: bool = False


@dataclass
class SearchAnswer:
    groups: list[Found] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return any(not group.near for group in self.groups)


def find(index: NameIndex, text: str, limit: int) -> SearchAnswer:
    whole = Found(text, index.search(text, limit))
    whole.near = not any(normalise(text) in normalise(name) for _, name in whole.hits)
    words = text.split()
    if not whole.near or not 1 < len(words) <= MAX_WORDS:
        return SearchAnswer([whole])
    phrases = [found for found in by_phrase(index, words, limit) if not found.near]
    return SearchAnswer(phrases or [whole])


def by_phrase(index: NameIndex, words: list[str], limit: int) -> list[Found]:
    """Left to right, the longest run of words that is a name; a word that starts no name is searched alone."""
    found, start = [], 0
    while start < len(words):
        for end in range(len(words), start, -1):
            phrase = " ".join(words[start:end])
            hits = [(iri, name) for iri, name in index.search(phrase, limit) if normalise(name) == normalise(phrase)]
            if hits or end == start + 1:
                break
        if not hits:
            hits = [(iri, name) for iri, name in index.search(phrase, limit) if normalise(phrase) in normalise(name)]
        found.append(Found(phrase, hits, near=not hits))
        start = end
    return found


def seed_counts(store, iris: list[str]) -> dict[str, int]:
    """How many seed documents state something of each entity (the entity's own source, or a statement about it)."""
    if not iris:
        return {}
    rows = store.run(QueryRequest(SEED_COUNTS, bindings={"entity": tuple(ox.NamedNode(i) for i in iris)})).dicts()
    return {row["entity"].value: int(row["seeds"].value) for row in rows}

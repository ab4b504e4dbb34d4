"""Resolving what a user types (a label, synonym, symbol, acronym, registry number or identifier, any
case) to the entity it names in the graph."""
import contextlib
import ctypes
import gc
import os
import pickle
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from graph.vocab import BASE

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
# takes therapies accepts a therapy class (e.g. "immune checkpoint inhibitor") as well as a drug. The
# superclasses are closed here, not by `rdfs:subClassOf+`: Virtuoso refuses a path with both ends unbound.
TYPES_QUERY = """
SELECT ?entity ?type WHERE { ?entity a ?type FILTER (isIRI(?entity) && isIRI(?type)) }"""
SUBCLASS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?type WHERE { ?entity rdfs:subClassOf ?type FILTER (isIRI(?entity) && isIRI(?type)) }"""
# What an entity stands for in a parameter that does not take it (service/engine/clinical.py): a gene for its
# alterations ("ALK" for ALK fusion and ALK resistance mutations), a metastatic disease for its site.
READINGS_QUERY = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
SELECT ?entity ?reading WHERE {
  { ?reading lmkg:alterationOf ?entity } UNION { ?entity lmkg:metastaticSite ?reading }
  FILTER (isIRI(?entity) && isIRI(?reading))
}"""
# Records that are about something else: a name that matches a curated entity too resolves to that.
# Likewise a name shared by a curated individual and an ontology class (WBRT) names the individual;
# the class is reached by a name of its own ("whole-brain radiotherapy" class label, or its IRI).
SECONDARY_PREFIXES = (BASE + "id/b3db/", BASE + "id/statement/", BASE + "id/seed/", BASE + "id/publication/")
ONTOLOGY = BASE + "ontology#"
NAME_INDEX_FILE = "names.pickle"   # beside an embedded release's store: built once, read by every worker
NAME_INDEX_FORMAT = 3              # bump when NameIndex's fields change: an older file is rebuilt
SUGGESTION_CUTOFF = 50             # rapidfuzz ratio (0-100) a near miss must reach (difflib's 0.5 before)


def release_freed_memory() -> None:
    """Give the memory of the rows read while building back to the system (glibc keeps it otherwise)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
    """Every name of every entity, and every entity's types, read from the store once.

    Built from `rows(text)` (a store's row stream) so no whole result is held in memory; IRIs are
    interned, so each is stored once however many names and types point at it."""

    def __init__(self, rows):
        self.by_name: dict[str, tuple[str, ...]] = {}   # tuples, not sets: most names name one entity
        self.names: dict[str, str] = {}      # entity IRI -> a display name (its English rdfs:label first)
        self.types: dict[str, frozenset[str]] = {}  # equal type sets are one shared object
        self.labelled: set[str] = set()      # entities whose display name is an rdfs:label
        self.spelling: dict[str, str] = {}   # normalised name -> the name as written
        self.pools: dict[frozenset | None, list[str]] = {}  # allowed types -> their names (filled on use)
        self.stands_for: dict[str, tuple[str, ...]] = {}    # see READINGS_QUERY
        display_rank: dict[str, int] = {}
        for entity_term, name_term, prop in rows(NAMES_QUERY):
            entity, name = sys.intern(entity_term.value), name_term.value
            key = normalise(name)
            named = self.by_name.get(key, ())
            if entity not in named:
                self.by_name[key] = named + (entity,)
            self.spelling.setdefault(key, name)
            rank = display_preference(name_term, prop.value)
            if rank < display_rank.get(entity, 99):  # show the English label, whatever the row order
                self.names[entity], display_rank[entity] = name, rank
        self.labelled = {entity for entity, rank in display_rank.items() if rank < 2}
        del display_rank
        types: dict[str, set[str]] = {}
        for entity, type_ in rows(TYPES_QUERY):
            types.setdefault(sys.intern(entity.value), set()).add(sys.intern(type_.value))
        for entity, ancestors in superclasses(rows(SUBCLASS_QUERY)).items():
            types.setdefault(entity, set()).update(ancestors)
        shared: dict[frozenset, frozenset] = {}
        self.types = {entity: shared.setdefault(frozenset(found), frozenset(found)) for entity, found in types.items()}
        del types
        for entity, reading in rows(READINGS_QUERY):
            self.stands_for[entity.value] = self.stands_for.get(entity.value, ()) + (sys.intern(reading.value),)
        release_freed_memory()

    def candidates(self, text: str) -> set[str]:
        key = normalise(text)
        found = set(self.by_name.get(key, ()))
        if text.startswith(BASE):
            found.add(text)
        elif key.startswith("id/"):   # an IRI without its base, as in a page path
            found.add(BASE + text.strip())
        elif key.startswith(("drug/", "study/", "gene/", "alteration/", "site/", "disease/", "therapy/")):
            found.add(BASE + "id/" + text.strip())
        return {iri for iri in found if iri in self.types or iri in self.names}

    def resolve(self, text: str, allowed_types: set[str] | None = None) -> Resolution:
        found = self.candidates(text)
        if allowed_types:
            found = {iri for iri in found if self.types.get(iri, frozenset()) & allowed_types}
        primary = {iri for iri in found if not iri.startswith(SECONDARY_PREFIXES)}
        curated = {iri for iri in primary if iri.startswith(BASE + "id/")}
        matches = sorted(curated or primary or found)  # a curated individual before an ontology class
        if matches:
            return Resolution(matches, [])
        return Resolution([], self.suggest(text, allowed_types))

    def suggest(self, text: str, allowed_types: set[str] | None, count: int = 5) -> list[str]:
        """The nearest names (of the allowed types), best first. rapidfuzz scores every name in C with an
        early exit below the cutoff, so a miss costs milliseconds where difflib took 0.1-0.3 s."""
        found = process.extract(normalise(text), self.pool(allowed_types), scorer=fuzz.ratio,
                                limit=count, score_cutoff=SUGGESTION_CUTOFF)
        return [name for name, _, _ in found]

    def pool(self, allowed_types: set[str] | None) -> list[str]:
        """The names of entities of the allowed types (all when None), listed once per set of types."""
        key = frozenset(allowed_types) if allowed_types else None
        if key not in self.pools:
            self.pools[key] = [name for name, iris in self.by_name.items()
                               if not key or any(self.types.get(i, frozenset()) & key for i in iris)]
        return self.pools[key]

    def label(self, iri: str) -> str:
        return self.names.get(iri, iri)

    def kinds(self, iri: str) -> list[str]:
        """Labels of the most specific ontology classes the entity belongs to ("third-generation EGFR-TKI", "mutation")."""
        classes = {t for t in self.types.get(iri, ()) if t.startswith(ONTOLOGY)}
        specific = {c for c in classes if not any(c in self.types.get(other, ()) for other in classes - {c})}
        return sorted(self.label(c) for c in specific)

    def is_primary(self, iri: str) -> bool:
        """A curated entity or an ontology term, not a record about something else (B3DB, statements)."""
        return not iri.startswith(SECONDARY_PREFIXES)

    def search(self, text: str, limit: int = 50) -> list[tuple[str, str]]:
        """(entity IRI, the name that matched) for a free-text search over every name: exact names
        first, then names that start with the text, then names that contain it, then near misses;
        curated entities before records about them."""
        key = normalise(text)
        if not key:
            return []
        ranked: dict[str, tuple] = {}
        for name, iris in self.by_name.items():
            if name == key:
                rank = 0
            elif name.startswith(key):
                rank = 1
            elif key in name:
                rank = 2
            else:
                continue
            for iri in iris:
                score = (not self.is_primary(iri), rank, len(name), self.label(iri).casefold())
                if iri not in ranked or score < ranked[iri][0]:
                    ranked[iri] = (score, name)
        if not ranked:
            for closeness, name in enumerate(self.suggest(text, None, count=limit)):  # nearest first
                for iri in self.by_name[name]:
                    ranked.setdefault(iri, ((not self.is_primary(iri), 3, closeness, self.label(iri).casefold()), name))
        best = sorted(ranked.items(), key=lambda item: item[1][0])[:limit]
        return [(iri, self.spelling[name]) for iri, (_, name) in best]

    def labels_of(self, allowed_types: set[str] | None, limit: int = 2000) -> list[str]:
        """Display names of the curated entities of the given types (all when None), and of those that
        stand for such entities (a gene for an alteration parameter), sorted: the suggestions offered
        beside a parameter's input."""
        names = {self.label(iri) for iri in self.types
                 if self.is_primary(iri) and iri in self.labelled
                 and (not allowed_types or any(self.types.get(x, frozenset()) & allowed_types
                                               for x in (iri, *self.stands_for.get(iri, ()))))}
        return sorted(names, key=str.casefold)[:limit]


def superclasses(pairs) -> dict[str, set[str]]:
    """Every class's superclasses, transitively (`rdfs:subClassOf+`), from the (class, superclass) rows."""
    parents: dict[str, set[str]] = {}
    for entity, parent in pairs:
        parents.setdefault(sys.intern(entity.value), set()).add(sys.intern(parent.value))

    def reach(start: str) -> set[str]:
        found, todo = set(), [start]
        while todo:
            for parent in parents.get(todo.pop(), set()) - found:
                found.add(parent)
                todo.append(parent)
        return found
    return {entity: reach(entity) for entity in parents}


def name_index(store) -> NameIndex:
    """The name index of a store: read from the file saved beside an embedded release (built and saved
    there on first use; at 10^7 triples reading takes seconds where building takes minutes), or built
    from the rows of a remote store."""
    path = store.name_index_path
    index = load_name_index(path) if path else None
    if index is None:
        index = NameIndex(store.rows)
        if path:
            save_name_index(index, path)
    return index


def load_name_index(path: Path) -> NameIndex | None:
    """The saved index, or None when there is none or it is of an older format. The file is a build
    product in our own data directory, trusted like the store beside it."""
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError, AttributeError, ImportError,
                             pickle.UnpicklingError):
        with path.open("rb") as file:
            saved_format, index = pickle.load(file)
        if saved_format == NAME_INDEX_FORMAT and isinstance(index, NameIndex):
            return index
    return None


def save_name_index(index: NameIndex, path: Path) -> None:
    """Written whole then renamed, so a worker reading at the same time never sees half a file; a
    read-only release folder just means the index is built in memory again next time."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with contextlib.suppress(OSError):
        with partial.open("wb") as file:
            pickle.dump((NAME_INDEX_FORMAT, index), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    partial.unlink(missing_ok=True)

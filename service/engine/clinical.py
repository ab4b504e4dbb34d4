"""Reading a parameter value the way a clinician writes it, when it names nothing of the parameter's
type: a gene for its alterations ("ALK", "EGFR-mutant", "ROS1+", "HGNC:427"), a metastatic disease or
its shorthand for its site ("brain metastases", "BM", "LMD").

What a name stands for comes from the graph (an alteration's `lmkg:alterationOf` gene, a metastatic
disease's `lmkg:metastaticSite`: `NameIndex.stands_for`); the names are the graph's own labels and
synonyms, plus the few shorthands below that the graph does not carry.
"""
import re
from dataclasses import dataclass

from service.engine.resolve import ONTOLOGY, NameIndex, normalise

FUSION = ONTOLOGY + "GeneFusion"
# "<gene> <word>" or "<gene>+". A word of fusion means the gene's fusions; the others mean any of its
# alterations: clinicians write "ALK-mutated" or "ALK mutation" for ALK-rearranged disease too.
GENE_SUFFIX = re.compile(r"^(?P<gene>.+?)(?:[\s-]*(?P<word>positive|mutant|mutated|mutations?|rearranged"
                         r"|rearrangements?|fusions?|fusion-positive)|\s*\+)$")
SUFFIX_KINDS = {"rearranged": FUSION, "rearrangement": FUSION, "rearrangements": FUSION,
                "fusion": FUSION, "fusions": FUSION, "fusion-positive": FUSION}
# Shorthands the seeds or clinicians use that are no name in the graph -> the graph names they may mean.
SHORTHANDS = {
    # "LM" is leptomeningeal metastasis in neuro-oncology, but seed 001 writes "LMs" for liver metastases
    "lm": ("leptomeningeal metastasis", "liver metastasis"),
    "leptomeningeal disease": ("leptomeningeal metastatic disease",),       # seed 004
    "intracranial metastatic disease": ("brain metastases",),               # seed 004
}
PLURALS = {"metastasis": "metastases", "metastases": "metastasis"}  # "brain metastasis" as "brain metastases"


@dataclass(frozen=True)
class Reading:
    source: str                 # the entity the text names
    targets: tuple[str, ...]    # what it stands for in the parameter, sorted by label


def readings(index: NameIndex, text: str, allowed: set[str]) -> list[Reading]:
    """The ways the text can be read as entities of the allowed types, one per entity it names, from
    the first kind of variant that gives any (several: the text is ambiguous)."""
    for variants in variant_stages(text):
        found: dict[str, Reading] = {}
        for variant, kind in variants:
            for entity in sorted(index.candidates(variant)):
                targets = stands_for(index, entity, allowed, kind)
                if targets and index.is_primary(entity):
                    found.setdefault(entity, Reading(entity, targets))
        if found:
            return list(found.values())
    return []


def variant_stages(text: str):
    """Lists of (text, kind of alteration meant or None), closest first: the text itself, the graph
    names a shorthand may mean, the other number of "metastasis", a gene with its clinical word spelt
    the other way ("EGFR mutated" as the graph's "EGFR-mutated"), and the gene alone."""
    key = normalise(text)
    yield [(text, None)]
    yield [(name, None) for name in SHORTHANDS.get(key, ())]
    yield [(re.sub(r"\b(metastasis|metastases)\b", lambda m: PLURALS[m.group(1)], key), None)]
    suffixed = GENE_SUFFIX.match(key)
    if suffixed and suffixed["word"]:
        yield [(f"{suffixed['gene']}-{suffixed['word']}", None), (f"{suffixed['gene']} {suffixed['word']}", None)]
    if suffixed:
        yield [(suffixed["gene"], SUFFIX_KINDS.get(suffixed["word"]))]


def stands_for(index: NameIndex, entity: str, allowed: set[str], kind: str | None) -> tuple[str, ...]:
    """The entity itself when the parameter takes it, else the entities of the allowed types (and of
    the kind, if any) it stands for."""
    if index.types.get(entity, frozenset()) & allowed:
        return (entity,)
    fitting = [target for target in index.stands_for.get(entity, ())
               if index.types.get(target, frozenset()) & allowed
               and (kind is None or kind in index.types.get(target, ()))]
    return tuple(sorted(fitting, key=lambda iri: index.label(iri).casefold()))


def missing_kind(index: NameIndex, text: str, allowed: set[str]) -> tuple[str, str, tuple[str, ...]] | None:
    """(gene, kind, the gene's other alterations) when the text asks for a kind of alteration the gene
    has none of in the graph ("EGFR fusion"), else None."""
    suffixed = GENE_SUFFIX.match(normalise(text))
    kind = SUFFIX_KINDS.get(suffixed["word"]) if suffixed else None
    for gene in sorted(index.candidates(suffixed["gene"])) if kind else ():
        others = stands_for(index, gene, allowed, None)
        if others and gene not in others:
            return gene, kind, others
    return None

"""Reasoning: HermiT (through owlready2) checks consistency and infers class membership and property
values; the inferences are materialised as plain triples so SPARQL sees them without a reasoner.

Asserted and inferred triples stay apart: what this returns goes into its own named graph.
"""
import tempfile
from pathlib import Path

import owlready2
from rdflib import Graph, URIRef

from graph.vocab import OWL, RDF, RDFS

INFERENCES_ONTOLOGY = "http://inferrences/"  # owlready2's name for the ontology it stores inferences in


class InconsistentGraph(RuntimeError):
    """HermiT found the ontology with the curated facts inconsistent."""


def hermit_inferences(merged: Graph) -> Graph:
    """Triples HermiT infers from `merged` (classification, realisation, object property values)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "merged.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            raise InconsistentGraph(f"HermiT: the ontology with the curated facts is inconsistent ({error})") from None
        inferred = Graph()
        for s, p, o in world.get_ontology(INFERENCES_ONTOLOGY).get_triples():
            subject = world._unabbreviate(s) if s > 0 else ""
            # negative storids are blank nodes (anonymous class expressions); owlready2's own ontology header
            # for the inferences is no fact of ours
            if s > 0 and o > 0 and not subject.startswith(INFERENCES_ONTOLOGY.rstrip("/")):
                inferred.add((URIRef(subject), URIRef(world._unabbreviate(p)), URIRef(world._unabbreviate(o))))
        return inferred


def superclasses(graph: Graph) -> dict[URIRef, set[URIRef]]:
    """Named superclasses of each named class (reflexive, transitive; equivalences both ways)."""
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    for a, b in graph.subject_objects(OWL.equivalentClass):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            direct.setdefault(a, set()).add(b)
            direct.setdefault(b, set()).add(a)
    closure = {}
    for cls in direct:
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(direct.get(current, ()))
        closure[cls] = seen
    return closure


def type_closure(graph: Graph) -> Graph:
    """rdf:type to every named superclass of every type (RDFS entailment, so queries need no paths)."""
    supers = superclasses(graph)
    closed = Graph()
    for individual, cls in graph.subject_objects(RDF.type):
        for sup in supers.get(cls, ()):
            if sup not in (OWL.Thing, cls):
                closed.add((individual, RDF.type, sup))
    return closed


def materialise(ontology: Graph, asserted: Graph) -> Graph:
    """The inferred triples of ontology + asserted facts that are not asserted already."""
    merged = ontology + asserted
    inferred = hermit_inferences(merged)
    inferred += type_closure(merged + inferred)
    trivial = {(None, RDF.type, OWL.Thing), (None, RDF.type, OWL.NamedIndividual)}
    for pattern in trivial:
        inferred.remove(pattern)
    return inferred - merged

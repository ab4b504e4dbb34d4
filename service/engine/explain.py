"""How the graph knows each fact about an entity: asserted (in which named graph) or inferred, and for an
inferred fact the chain that gives it, down to the statement and the seed's printed wording.

Everything is read from the release: its named graphs tell asserted from inferred, and the ontology's own
axioms say how an inference is made, so a new property, chain or class restriction is explained with no
change here. The reasons recognised are those HermiT and graph/reason.py produce:
- a property chain (owl:propertyChainAxiom of the property or a sub-property): the nodes that match it,
  e.g. a statement about the entity with a stated target;
- a class restriction (C ⊑ [owl:onProperty P; owl:hasValue V]) on a class of the entity, with the
  statements that state it of C (lmkg:statedOfClass C or a superclass) by the property that ends P's chain;
- a value of a sub-property; for rdf:type, a superclass of an asserted type, or a property's domain or range.
An inferred fact that none of these explains is reported as such ("no chain found"); nothing is guessed.
"""
from collections import deque
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from graph.vocab import BASE, GRAPH_DERIVED, GRAPH_INFERRED
from service.engine.catalogue import ParameterError
from service.engine.query import QueryRequest

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA_ABOUT = "http://schema.org/about"
INFERRED = str(GRAPH_INFERRED)
SEED = BASE + "id/seed/"
PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
"""
# Triples with the entity as subject, and the statements about it (their `schema:about` links), per graph;
# a class's value restrictions with what they say.
# the derived graph's summaries are shortcuts for queries, not facts: they are left out
FACTS = PREFIXES + f"""SELECT ?entity ?direction ?p ?other ?g ?on ?has WHERE {{
  {{ GRAPH ?g {{ ?entity ?p ?other }} BIND("out" AS ?direction)
    OPTIONAL {{ FILTER isBlank(?other) ?other owl:onProperty ?on ; owl:hasValue ?has }} }}
  UNION {{ GRAPH ?g {{ ?other schema:about ?entity }} BIND(schema:about AS ?p) BIND("in" AS ?direction) }}
  FILTER(?g != <{GRAPH_DERIVED}>)
}}"""
TRIPLES = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# Each chain as its steps in order (position = how many list cells lead to the step's cell).
CHAINS = PREFIXES + """SELECT ?property ?chain ?step ?inverse (COUNT(DISTINCT ?before) AS ?position) WHERE {
  ?property owl:propertyChainAxiom ?chain .
  ?chain rdf:rest* ?cell . ?cell rdf:first ?step . ?chain rdf:rest* ?before . ?before rdf:rest* ?cell .
  OPTIONAL { ?step owl:inverseOf ?inverse }
} GROUP BY ?property ?chain ?cell ?step ?inverse"""
SUBPROPERTIES = PREFIXES + """SELECT ?sub ?super WHERE {
  ?sub rdfs:subPropertyOf ?super FILTER (isIRI(?sub) && isIRI(?super))
}"""
SUBCLASSES = PREFIXES + """SELECT ?sub ?super ?g WHERE {
  GRAPH ?g { { ?sub rdfs:subClassOf ?super } UNION { ?sub owl:equivalentClass ?super }
             UNION { ?super owl:equivalentClass ?sub } }
  FILTER (isIRI(?sub) && isIRI(?super))
}"""
RESTRICTIONS = PREFIXES + """SELECT DISTINCT ?subject ?value ?class ?restricted WHERE {
  ?subject a ?class . ?class rdfs:subClassOf ?restriction .
  ?restriction owl:onProperty ?restricted ; owl:hasValue ?value .
}"""
# {tails} is a VALUES block of the properties that end the restricted property's chains.
# A restriction is made only from statements of all members (lmkg:quantifier), so the others never state it.
STATING = PREFIXES + """SELECT DISTINCT ?class ?value ?statement ?stated WHERE {
  ?statement lmkg:statedOfClass ?stated ; ?q ?value .
  FILTER NOT EXISTS { ?statement lmkg:quantifier ?quantity FILTER (?quantity != lmkg:allMembers) }
  ?class rdfs:subClassOf* ?stated .
  ?q rdfs:subPropertyOf* ?tail . VALUES ?tail { {tails} }
}"""
DOMAIN_RANGE = PREFIXES + """SELECT DISTINCT ?subject ?kind ?property ?other ?declared WHERE {
  { ?subject ?property ?other . ?property rdfs:subPropertyOf*/rdfs:domain ?declared BIND("domain" AS ?kind) }
  UNION { ?other ?property ?subject . ?property rdfs:subPropertyOf*/rdfs:range ?declared BIND("range" AS ?kind) }
}"""
# What the seed said of a claim besides the claim: certainty, quantifier, evidence level (their labels).
NODES = PREFIXES + """SELECT ?node ?printed ?cited ?source ?qualifier WHERE {
  VALUES ?node { {nodes} }
  OPTIONAL { ?node lmkg:printedAs ?printed }
  OPTIONAL { VALUES ?by { lmkg:certainty lmkg:quantifier lmkg:evidenceLevel } ?node ?by ?kind . ?kind rdfs:label ?qualifier }
  OPTIONAL { ?node lmkg:citedAs ?cited }
  OPTIONAL { ?node prov:wasDerivedFrom ?source }
}"""


@dataclass
class Term:
    value: str
    label: str
    kind: str = "iri"    # "iri", "literal" or "blank"


@dataclass
class Evidence:
    """A node an explanation passes through (a statement, a measurement) with the seed's wording."""
    node: Term
    printed: str | None = None
    cited_as: str | None = None
    sources: list[Term] = field(default_factory=list)    # the seed document and the cited publications
    qualifiers: list[str] = field(default_factory=list)  # certainty, quantifier, evidence level (labels)


@dataclass
class Reason:
    kind: str    # property chain, class restriction, sub-property, superclass, domain, range
    text: str    # the inference in words, to follow the kind ("class restriction" "on EGFR-TKI: …")
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Fact:
    subject: Term
    predicate: Term
    object: Term
    graphs: list[str]                                     # the named graphs that hold the triple
    reasons: list[Reason] = field(default_factory=list)   # an inferred fact: each way it follows
    evidence: list[Evidence] = field(default_factory=list)   # the statements an asserted fact is made of:
    # a statement about the entity (the subject), or those a class restriction was built from

    @property
    def inferred(self) -> bool:
        return self.graphs == [INFERRED]

    @property
    def status(self) -> str:
        if not self.inferred:
            return "asserted (" + ", ".join(graph.rsplit("/", 1)[-1] for graph in self.graphs) + ")"
        return "inferred" if self.reasons else "inferred (no chain found)"

    def to_json(self) -> dict:
        return {**asdict(self), "inferred": self.inferred, "status": self.status}


@dataclass
class Explanation:
    entity: Term
    facts: list[Fact]

    def to_json(self) -> dict:
        return {"entity": asdict(self.entity), "facts": [fact.to_json() for fact in self.facts]}


def resolve_entity(index, text: str) -> str:
    """The one entity `text` names (an IRI, a path such as id/drug/osimertinib, a name); otherwise a
    ParameterError: 404 with the nearest names, or 409 with the candidates."""
    resolution = index.resolve(text)
    if not resolution.matches:
        raise ParameterError(404, "Unknown entity", f"nothing in the graph is named {text!r}",
                             suggestions=resolution.suggestions)
    if len(resolution.matches) > 1:
        raise ParameterError(409, "Ambiguous entity", f"{text!r} names {len(resolution.matches)} entities",
                             candidates=[{"iri": iri, "label": index.label(iri)} for iri in resolution.matches])
    return resolution.matches[0]


def explain(store, index, iri: str) -> Explanation:
    """Every fact about the entity `iri` with how the graph knows it. `index` gives labels (NameIndex)."""
    return Explainer(store, index).explain(iri)


class Explainer:
    """The ontology's chains, sub-properties and subclass links, read once; then fact by fact."""

    def __init__(self, store, index):
        self.store, self.index = store, index
        self.chains: dict[str, list[list[tuple[str, bool]]]] = read_chains(self.rows(CHAINS))
        self.super_properties: dict[str, set[str]] = {}
        for row in self.rows(SUBPROPERTIES):
            self.super_properties.setdefault(row["sub"].value, set()).add(row["super"].value)
        self.super_classes: dict[str, dict[str, bool]] = {}   # class -> superclass -> the link is inferred
        for row in self.rows(SUBCLASSES):
            supers = self.super_classes.setdefault(row["sub"].value, {})
            supers[row["super"].value] = supers.get(row["super"].value, True) and row["g"].value == INFERRED
        self.evidence_of: dict[str, Evidence] = {}
        self.triples_of: dict[str, list[dict]] = {}

    def rows(self, text: str, **bindings) -> list[dict]:
        return self.store.run(QueryRequest(text, bindings=bindings, limit=100_000)).dicts()

    # -- the facts ------------------------------------------------------------------------------------
    def explain(self, iri: str) -> Explanation:
        entity = ox.NamedNode(iri)
        found: dict[tuple, list[str]] = {}
        restrictions: dict[str, tuple] = {}   # blank node -> (property, value) of a value restriction
        for row in self.rows(FACTS, entity=entity):
            outgoing = row["direction"].value == "out"
            triple = (entity, row["p"], row["other"]) if outgoing else (row["other"], row["p"], entity)
            found.setdefault(triple, []).append(row["g"].value)
            if "on" in row:
                restrictions[row["other"].value] = (row["on"].value, row["has"])
        facts = [Fact(self.term(s), self.term(p), self.term(o), sorted(graphs)) for (s, p, o), graphs in found.items()]
        for fact, (s, p, o) in zip(facts, found):
            if fact.inferred:
                fact.reasons = self.reasons(s, p, o)
            if s != entity:
                fact.evidence = self.evidence([s])
            if o.value in restrictions:
                restricted, value = restrictions[o.value]
                fact.object.label = f"{self.label(restricted)} value {self.node_name(value)}"
                fact.evidence = self.evidence(self.stating(entity, restricted, value))
        facts.sort(key=lambda f: (f.subject.value != iri, f.predicate.label.casefold(), f.inferred,
                                  f.object.label.casefold(), f.object.value, f.subject.value))
        return Explanation(self.term(entity), facts)

    def reasons(self, s, p, o) -> list[Reason]:
        if p.value == RDF_TYPE:   # domain and range only where no asserted type explains it (they are many)
            return self.superclass_reasons(s, o.value) or self.domain_range_reasons(s, o.value)
        return self.chain_reasons(s, p.value, o) + self.restriction_reasons(s, p.value, o) + \
            self.sub_property_reasons(s, p.value, o)

    # -- property values ------------------------------------------------------------------------------
    def chain_reasons(self, s, prop: str, o) -> list[Reason]:
        """Each match of a chain of the property (or of a sub-property) from s to o."""
        reasons = []
        for chained in sorted(self.sub_properties_of(prop)):
            for steps in self.chains.get(chained, []):
                for row in sorted_rows(self.rows(chain_query(steps), n0=s, **{f"n{len(steps)}": o})):
                    nodes = [s] + [row[f"n{i}"] for i in range(1, len(steps))] + [o]
                    path = self.label(s.value) + "".join(
                        arrow(self.label(step), inverse) + self.node_name(node)
                        for (step, inverse), node in zip(steps, nodes[1:]))
                    reasons.append(Reason("property chain", f"of {self.label(chained)}: {path}",
                                          self.evidence(nodes[1:-1])))
        return reasons

    def restriction_reasons(self, s, prop: str, o) -> list[Reason]:
        """Each restriction `C ⊑ restricted value o` on a class C of s, with the statements stating it."""
        reasons = []
        for row in sorted_rows(self.rows(RESTRICTIONS, subject=s, value=o)):
            cls, restricted = row["class"].value, row["restricted"].value
            if prop not in self.super_properties_of(restricted):
                continue
            statements = self.stating(row["class"], restricted, o)
            text = (f"on {self.label(cls)}: {self.label(restricted)} {self.node_name(o)}; "
                    f"{self.membership(s, cls)}")
            if not statements:
                text += "; no statement found that states it"
            reasons.append(Reason("class restriction", text, self.evidence(statements)))
        return reasons

    def stating(self, cls, restricted: str, value) -> list:
        """Statements of the class whose value property, the one that ends the restricted property's chain,
        links to the value; failing those, such statements of a superclass."""
        tails = {steps[-1][0] for sub in self.sub_properties_of(restricted) for steps in self.chains.get(sub, [])
                 if not steps[-1][1]}
        if not tails:
            return []
        text = STATING.replace("{tails}", " ".join(str(ox.NamedNode(tail)) for tail in sorted(tails)))
        rows = self.rows(text, value=value, **{"class": cls})
        own = [row for row in rows if row["stated"] == cls]   # the restriction is made from these
        return sorted({row["statement"] for row in own or rows}, key=str)

    def sub_property_reasons(self, s, prop: str, o) -> list[Reason]:
        return [Reason("sub-property", f"{self.label(sub)} ⊑ {self.label(prop)}: {self.label(s.value)} "
                                       f"{self.label(sub)} {self.node_name(o)} ({self.status_word(s, sub, o)})")
                for sub in sorted({row["p"].value for row in self.triples(s) if row["o"] == o})
                if sub != prop and prop in self.super_properties_of(sub)]

    # -- types ----------------------------------------------------------------------------------------
    def superclass_reasons(self, s, cls: str) -> list[Reason]:
        return [Reason("superclass", f"of an asserted type: {self.label(s.value)} is a {self.class_path(path)}")
                for path in (self.path(asserted, cls) for asserted in self.asserted_types(s)) if path and len(path) > 1]

    def domain_range_reasons(self, s, cls: str) -> list[Reason]:
        reasons = []
        for row in sorted_rows(self.rows(DOMAIN_RANGE, subject=s)):
            path = self.path(row["declared"].value, cls)
            if not path:
                continue
            prop, other, kind = row["property"].value, self.node_name(row["other"]), row["kind"].value
            link = (f"{self.label(s.value)} {self.label(prop)} {other}" if kind == "domain"
                    else f"{other} {self.label(prop)} {self.label(s.value)}")
            reasons.append(Reason(kind, f"of {self.label(prop)} is {self.class_path(path)}: {link}",
                                  self.evidence([row["other"]]) if kind == "range" else []))
        return reasons

    def membership(self, s, cls: str) -> str:
        """How s is a member of cls, in words: from an asserted type up the class hierarchy."""
        for asserted in self.asserted_types(s):
            path = self.path(asserted, cls)
            if path:
                return f"{self.label(s.value)} is a {self.class_path(path)}"
        return f"{self.label(s.value)} is a {self.label(cls)} (inferred type)"

    def asserted_types(self, s) -> list[str]:
        return sorted({row["o"].value for row in self.triples(s)
                       if row["p"].value == RDF_TYPE and row["g"].value != INFERRED})

    def path(self, start: str, goal: str) -> list[str] | None:
        """The shortest subclass path from start to goal (breadth first), or None."""
        parents, todo = {start: None}, deque([start])
        while todo:
            current = todo.popleft()
            if current == goal:
                path = [current]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])
                return path[::-1]
            for sup in sorted(self.super_classes.get(current, {})):
                if sup not in parents:
                    parents[sup] = current
                    todo.append(sup)
        return None

    def class_path(self, path: list[str]) -> str:
        """`T (asserted) ⊑ A ⊑ C`, marking links the reasoner made."""
        text = self.label(path[0])
        for sub, sup in zip(path, path[1:]):
            text += (" ⊑ (inferred) " if self.super_classes[sub][sup] else " ⊑ ") + self.label(sup)
        return text

    # -- the ontology ---------------------------------------------------------------------------------
    def super_properties_of(self, prop: str) -> set[str]:
        """prop and every property it is a sub-property of."""
        seen, todo = set(), [prop]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.super_properties.get(current, ()))
        return seen

    def sub_properties_of(self, prop: str) -> set[str]:
        """prop and every property that is a sub-property of it, among those with a chain or a parent."""
        known = set(self.chains) | set(self.super_properties) | {prop}
        return {candidate for candidate in known if prop in self.super_properties_of(candidate)}

    # -- nodes and labels -----------------------------------------------------------------------------
    def triples(self, s) -> list[dict]:
        if s.value not in self.triples_of:
            self.triples_of[s.value] = self.rows(TRIPLES, s=s)
        return self.triples_of[s.value]

    def status_word(self, s, p: str, o) -> str:
        graphs = {row["g"].value for row in self.triples(s) if row["p"].value == p and row["o"] == o}
        return "inferred" if graphs == {INFERRED} else "asserted"

    def evidence(self, terms: list) -> list[Evidence]:
        """Each node (of those that are IRIs) with its printed wording, citation marker and sources (read
        once per node)."""
        nodes = [term for term in terms if isinstance(term, ox.NamedNode)]
        missing = [node for node in nodes if node.value not in self.evidence_of]
        if missing:
            for node in missing:
                self.evidence_of[node.value] = Evidence(self.term(node))
            text = NODES.replace("{nodes}", " ".join(str(node) for node in missing))
            for row in self.rows(text):
                found = self.evidence_of[row["node"].value]
                found.printed = row["printed"].value if "printed" in row else found.printed
                found.cited_as = row["cited"].value if "cited" in row else found.cited_as
                if "qualifier" in row and row["qualifier"].value not in found.qualifiers:
                    found.qualifiers.append(row["qualifier"].value)
                    found.qualifiers.sort()
                if "source" in row and row["source"].value not in {t.value for t in found.sources}:
                    found.sources.append(self.term(row["source"]))
                    found.sources.sort(key=lambda source: source.value)
        return [self.evidence_of[node.value] for node in nodes]

    def term(self, term) -> Term:
        if isinstance(term, ox.Literal):
            return Term(term.value, term.value, "literal")
        if isinstance(term, ox.BlankNode):
            return Term(term.value, "an anonymous class expression", "blank")
        return Term(term.value, self.label(term.value))

    def label(self, iri: str) -> str:
        label = self.index.label(iri)
        return label if label != iri else short_name(iri)

    def node_name(self, term) -> str:
        """A node in a path: a statement by its identifier (what curators use), anything else by label."""
        if isinstance(term, ox.NamedNode) and self.index.label(term.value) == term.value or \
                term.value.startswith(BASE + "id/statement/"):
            return short_name(term.value)
        return self.term(term).label


def sorted_rows(rows: list[dict]) -> list[dict]:
    """Rows in one order whatever the store returns, so a release always gives the same explanation."""
    return sorted(rows, key=lambda row: sorted((name, str(term)) for name, term in row.items()))


def read_chains(rows: list[dict]) -> dict[str, list[list[tuple[str, bool]]]]:
    """property -> its chains, each a list of (property, is inverse) steps; chains with a step that is
    neither a property nor its inverse are left out (OWL 2 allows no other)."""
    steps: dict[tuple[str, str], list[tuple[int, str, bool]]] = {}
    for row in rows:
        inverse = "inverse" in row
        step = row["inverse"] if inverse else row["step"]
        key = (row["property"].value, str(row["chain"]))
        position = int(row["position"].value) if isinstance(step, ox.NamedNode) else -1
        steps.setdefault(key, []).append((position, step.value, inverse))
    chains: dict[str, list[list[tuple[str, bool]]]] = {}
    for (prop, _), cells in sorted(steps.items()):
        if all(position >= 0 for position, _, _ in cells):
            chains.setdefault(prop, []).append([(step, inverse) for _, step, inverse in sorted(cells)])
    return chains


def chain_query(steps: list[tuple[str, bool]]) -> str:
    """The nodes between ?n0 and ?nK along a chain; each step matches its property or a sub-property."""
    patterns = []
    for i, (prop, inverse) in enumerate(steps):
        here, there = f"?n{i}", f"?n{i + 1}"
        triple = f"{there} ?q{i} {here}" if inverse else f"{here} ?q{i} {there}"
        patterns.append(f"{triple} . ?q{i} rdfs:subPropertyOf* {ox.NamedNode(prop)} .")
    nodes = " ".join(f"?n{i}" for i in range(len(steps) + 1))   # the bound ends too: pyoxigraph binds projected ones
    return PREFIXES + f"SELECT DISTINCT {nodes} WHERE {{ {' '.join(patterns)} }}"


def arrow(prop_label: str, inverse: bool) -> str:
    return f" ←{prop_label}— " if inverse else f" —{prop_label}→ "


def short_name(iri: str) -> str:
    """Our entities by their path (`statement/s004-…`), other IRIs by their last segment."""
    if iri.startswith(BASE + "id/"):
        return iri[len(BASE) + 3:]
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# -- as text ------------------------------------------------------------------------------------------

def as_text(explanation: Explanation) -> str:
    """One line per fact with its status, then its reasons and their statements, indented."""
    lines = [f"{explanation.entity.label}  <{explanation.entity.value}>", ""]
    for fact in explanation.facts:
        lines.append(f"{fact.subject.label}  {fact.predicate.label}  {fact.object.label}  [{fact.status}]")
        for evidence in fact.evidence:
            lines += evidence_lines(evidence, "    ")
        for reason in fact.reasons:
            lines.append(f"    ← {reason.kind} {reason.text}")
            for evidence in reason.evidence:
                lines += evidence_lines(evidence, "        ← ")
    return "\n".join(lines) + "\n"


def evidence_lines(evidence: Evidence, indent: str) -> list[str]:
    line = f"{indent}{short_name(evidence.node.value)}"
    if evidence.printed:
        line += f' "{evidence.printed}"'
    sources = ", ".join(short_name(source.value).replace("/", " ") for source in evidence.sources
                        if source.value.startswith(SEED))   # publications are named by the citation marker
    if sources or evidence.cited_as:
        line += f" ({sources}{'; cited as ' + evidence.cited_as if evidence.cited_as else ''})"
    if evidence.qualifiers:
        line += f" [{', '.join(evidence.qualifiers)}]"
    return [line]

"""What changed between two releases: the quads added and removed, grouped by the entity they are
about and told with labels ("study CROWN: outcome "…5-year iPFS:83%…" added"), as text, JSON or an
RDF Patch (https://afs.github.io/rdf-patch/). `lmkg diff A B`, `/releases/<A>/diff/<B>` and the release
notes of every new release use it.

A release is compared through its N-Quads lines (the data graphs, not the `meta` graph, whose dates and
checksums change with every build). Blank nodes carry canonical labels (graph/distributions.py), so an
unchanged OWL restriction is the same line in both releases.
"""
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from graph.vocab import BASE, GRAPH, GRAPH_META, ID, LMKG, OWL, PREFIXES, RDF, RDFS, SCHEMA, SKOS

LABEL = f"<{RDFS.label}>".encode()
ABOUT = (f"<{SCHEMA.about}>".encode(), f"<{LMKG.statedOfClass}>".encode())
META_SUFFIX = f" <{GRAPH_META}> .".encode()
PATCH_TYPE = "application/rdf-patch"
TYPE = f"<{RDF.type}>".encode()
OWL_PREFIX = f"<{OWL}".encode()
ENTITY_PREFIX = f"<{ID}".encode()
TERM_KINDS = {str(OWL.Class): "class", str(OWL.ObjectProperty): "property", str(OWL.DatatypeProperty): "property",
              str(OWL.AnnotationProperty): "property", str(OWL.NamedIndividual): "individual"}
NUMERIC = {str(PREFIXES["xsd"]) + name for name in ("decimal", "integer", "nonNegativeInteger", "double", "float")}
PREDICATE_NAMES = {str(RDF.type): "type", str(RDFS.label): "label", str(RDFS.subClassOf): "subclass of",
                   str(SKOS.prefLabel): "preferred label", str(SKOS.altLabel): "alternative label"}


class UnknownRelease(LookupError):
    """A release id or path that names no release or dataset file."""


@dataclass
class Snapshot:
    """The data of one release as a set of N-Quads lines."""
    name: str
    lines: set[bytes]

    def subjects(self) -> set[bytes]:
        return {line.split(b" ", 1)[0] for line in self.lines}


# -- reading releases ------------------------------------------------------------------------------------

def read_snapshot(ref: str, releases_dir: Path) -> Snapshot:
    """A release by id ("latest" for the newest), a release folder, or an N-Quads/TriG file (.gz or not)."""
    if ref == "latest" and (releases_dir / "LATEST").exists():
        ref = (releases_dir / "LATEST").read_text().strip()
    if ref.isalnum() and (releases_dir / ref).is_dir():
        return folder_snapshot(releases_dir / ref, ref)
    path = Path(ref)
    if path.is_dir():
        return folder_snapshot(path, str(path))
    if path.is_file():
        return file_snapshot(path, str(path))
    raise UnknownRelease(f"{ref!r} is neither a kept release nor a release folder or dataset file")


def folder_snapshot(folder: Path, name: str) -> Snapshot:
    for file in ("dataset.nq.gz", "dataset.nq"):
        if (folder / file).exists():
            return file_snapshot(folder / file, name)
    raise UnknownRelease(f"{folder} holds no dataset.nq.gz")


def file_snapshot(path: Path, name: str) -> Snapshot:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if ".trig" in path.suffixes:
        data = ox.serialize(ox.parse(data, ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS)
    elif ".nq" not in path.suffixes:
        raise UnknownRelease(f"{path}: give an N-Quads (.nq) or TriG (.trig) file, gzipped or not")
    return Snapshot(name, {line for line in data.splitlines()
                           if line and not line.startswith(b"#") and not line.endswith(META_SUFFIX)})


# -- the diff ------------------------------------------------------------------------------------------

@dataclass
class EntityChanges:
    iri: str
    kind: str
    label: str
    changes: list[str] = field(default_factory=list)
    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.kind} {self.label}"


@dataclass
class Diff:
    old: str
    new: str
    added: list[ox.Quad]
    removed: list[ox.Quad]
    entities: list[EntityChanges]
    gone: list[str] = field(default_factory=list)  # entity IRIs removed without a deprecation entry

    def graph_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {"added": 0, "removed": 0})
        for key, quads in (("added", self.added), ("removed", self.removed)):
            for quad in quads:
                counts[quad.graph_name.value][key] += 1
        return dict(sorted(counts.items()))

    def summary(self) -> str:
        graphs = "; ".join(f"{short_graph(name)} +{c['added']} −{c['removed']}" for name, c in self.graph_counts().items())
        return (f"{len(self.added)} triples added, {len(self.removed)} removed, in {len(self.entities)} entities"
                + (f" ({graphs})" if graphs else ""))

    def text(self) -> str:
        lines = [f"Changes from release {self.old} to {self.new}: {self.summary()}"]
        for entity in self.entities:
            lines.append("")
            lines.extend(f"{entity.heading}: {change}" for change in entity.changes)
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict:
        return {"from": self.old, "to": self.new, "added": len(self.added), "removed": len(self.removed),
                "graphs": self.graph_counts(), "removed_without_deprecation": self.gone,
                "entities": [{"iri": e.iri, "kind": e.kind, "label": e.label, "changes": e.changes,
                              "added": sorted(quad_line(q) for q in e.added),
                              "removed": sorted(quad_line(q) for q in e.removed)} for e in self.entities]}

    def patch(self) -> str:
        """An RDF Patch: a header naming this diff, then the deletions and additions in one transaction."""
        rows = [f"H id <{BASE}releases/{self.old}/diff/{self.new}> .", "TX ."]
        rows += sorted("D " + quad_line(q) for q in self.removed)
        rows += sorted("A " + quad_line(q) for q in self.added)
        return "\n".join(rows + ["TC ."]) + "\n"

    def markdown(self, limit: int = 200) -> str:
        """The changes as Markdown sections, one per entity (at most `limit`); first any entity IRI that
        was removed without an entry in deprecated.yaml, since links to it now answer 404."""
        out = []
        if self.gone:
            out += ["### Removed without a deprecation entry", "",
                    "Add these to `graph/sources/seeds/deprecated.yaml` (with `replaced_by` where one applies):", ""]
            out += [f"- <{iri}>" for iri in self.gone] + [""]
        for entity in self.entities[:limit]:
            out.append(f"### {entity.heading}\n")
            out.extend(f"- {change}" for change in entity.changes)
            out.append("")
        if len(self.entities) > limit:
            out.append(f"… and {len(self.entities) - limit} more entities: run `lmkg diff {self.old} {self.new}`.\n")
        return "\n".join(out)


def quad_line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} {quad.graph_name} ."


def short_graph(name: str) -> str:
    return name[len(str(GRAPH)):] if name.startswith(str(GRAPH)) else name


def parse_lines(lines) -> list[ox.Quad]:
    return list(ox.parse(b"\n".join(lines), ox.RdfFormat.N_QUADS)) if lines else []


def diff(old: Snapshot, new: Snapshot) -> Diff:
    context = Context(old, new)
    removed, added = defaultdict(list), defaultdict(list)
    for quads, lines in ((removed, old.lines - new.lines), (added, new.lines - old.lines)):
        for quad in parse_lines(sorted(lines)):
            quads[context.structure(quad)].append(quad)
    for key in removed.keys() & added.keys():  # the same written differently (another writer, blank-node labels)
        same = min(len(removed[key]), len(added[key]))
        removed[key], added[key] = removed[key][same:], added[key][same:]
    removed = sorted((q for quads in removed.values() for q in quads), key=str)
    added = sorted((q for quads in added.values() for q in quads), key=str)
    gone = sorted(s.decode()[1:-1] for s in context.old_subjects - context.new_subjects if s.startswith(ENTITY_PREFIX))
    return Diff(old.name, new.name, added, removed, group(added, removed, context), gone)


# -- labels and grouping -------------------------------------------------------------------------------

class Context:
    """Labels, what statements are about and the owners of blank nodes, read from both releases (the
    new release wins) for telling a diff."""

    def __init__(self, old: Snapshot, new: Snapshot):
        self.old_subjects, self.new_subjects = old.subjects(), new.subjects()
        self.labels: dict[str, str] = {}
        self.about: dict[str, str] = {}
        self.term_kinds: dict[str, str] = {}   # ontology terms: class, property, individual
        self.bnode_owner: dict[str, tuple[str, str]] = {}
        self.bnode_triples: dict[str, set[ox.Quad]] = defaultdict(set)
        for snapshot in (old, new):  # new last: its labels and links win
            self.read(snapshot)

    def read(self, snapshot: Snapshot) -> None:
        labels, about, bnodes, term_types = [], [], [], []
        for line in snapshot.lines:
            subject, predicate, rest = line.split(b" ", 2)
            if predicate == LABEL:
                labels.append(line)
            elif predicate in ABOUT:
                about.append(line)
            elif predicate == TYPE and rest.startswith(OWL_PREFIX) and not subject.startswith(ENTITY_PREFIX):
                term_types.append(line)
            if subject.startswith(b"_:") or rest.startswith(b"_:"):
                bnodes.append(line)
        found: dict[str, str] = {}
        for quad in parse_lines(labels):  # an English label where there is one
            if quad.subject.value not in found or quad.object.language == "en":
                found[quad.subject.value] = quad.object.value
        self.labels.update(found)
        self.about.update({q.subject.value: q.object.value for q in parse_lines(about)})
        for quad in parse_lines(term_types):
            kind = TERM_KINDS.get(quad.object.value)
            if kind and self.term_kinds.get(quad.subject.value) != "class":
                self.term_kinds[quad.subject.value] = kind
        for quad in parse_lines(bnodes):
            if isinstance(quad.object, ox.BlankNode):
                self.bnode_owner[str(quad.object)] = (str(quad.subject), quad.predicate.value)
            if isinstance(quad.subject, ox.BlankNode):
                self.bnode_triples[str(quad.subject)].add(ox.Quad(quad.subject, quad.predicate, quad.object))

    def structure(self, quad: ox.Quad) -> str:
        """A quad with each blank node spelled out as its content, to compare across releases."""
        def term(t, depth=0) -> str:
            if isinstance(t, ox.Literal) and t.datatype.value in NUMERIC:
                try:
                    return f"{Decimal(t.value).normalize():f}^^{t.datatype}"  # 35.0 and 35 are one value
                except InvalidOperation:
                    return str(t)
            if not isinstance(t, ox.BlankNode) or depth > 20:
                return str(t)
            inner = (f"{q.predicate} {term(q.object, depth + 1)}" for q in self.bnode_triples.get(str(t), ()) if q.object != t)
            return "[" + "; ".join(sorted(inner)) + "]"
        return f"{term(quad.subject)} {quad.predicate} {term(quad.object)} {quad.graph_name}"

    def owner(self, node: str) -> str:
        """The IRI a node's changes are told under: a blank node's referrer; a statement's subject
        matter; an arm's or outcome's study (…/id/<kind>/<id>/…); otherwise the node itself."""
        seen = set()
        while node.startswith("_:") and node in self.bnode_owner and node not in seen:
            seen.add(node)
            node = self.bnode_owner[node][0]
        iri = node.strip("<>")
        if iri.startswith(str(ID) + "statement/") and iri in self.about:
            return self.about[iri]
        if iri.startswith(str(ID)):
            return str(ID) + "/".join(iri[len(str(ID)):].split("/")[:2])
        return iri

    def name(self, term) -> str:
        """A term as people read it: a label (IRIs), the value (literals), a restriction in brackets."""
        if isinstance(term, ox.Literal):
            return term.value if term.datatype.value in NUMERIC else quoted(term.value)
        if isinstance(term, ox.BlankNode):
            parts = [f"{self.predicate(q.predicate.value)} {self.name(q.object)}" for q in self.bnode_triples[str(term)]
                     if q.predicate.value != str(RDF.type) and q.object != term]
            return "[" + "; ".join(sorted(parts)) + "]"
        return self.labels.get(term.value) or curie(term.value)

    def predicate(self, iri: str) -> str:
        return PREDICATE_NAMES.get(iri) or self.labels.get(iri) or words(local_name(iri))

    def kind(self, iri: str) -> str:
        if iri.startswith(str(ID)):
            parts = iri[len(str(ID)):].split("/")
            kind = parts[-2] if len(parts) > 2 else parts[0]
            return {"b3db": "B3DB record", "seed": "seed document"}.get(kind, kind.replace("-", " "))
        return self.term_kinds.get(iri, "term")

    def node_label(self, iri: str) -> str:
        return self.labels.get(iri) or curie(iri)


def group(added: list[ox.Quad], removed: list[ox.Quad], context: Context) -> list[EntityChanges]:
    """Changes by entity (sorted by kind and label), each node's changes told in one or a few lines."""
    by_node: dict[str, dict[str, list]] = defaultdict(lambda: {"added": [], "removed": []})
    for key, quads in (("added", added), ("removed", removed)):
        for quad in quads:
            by_node[str(quad.subject)][key].append(quad)
    entities: dict[str, EntityChanges] = {}
    for node in sorted(by_node):
        owner = context.owner(node)
        entity = entities.setdefault(owner, EntityChanges(owner, context.kind(owner), context.node_label(owner)))
        entity.added += by_node[node]["added"]
        entity.removed += by_node[node]["removed"]
        if node.startswith("_:") and node in context.bnode_owner:
            continue  # told with the triple that points to it
        entity.changes += node_changes(node, owner, by_node[node], context)
    return sorted(entities.values(), key=lambda e: (e.kind, e.label.casefold(), e.iri))


def node_changes(node: str, owner: str, changes: dict[str, list], context: Context) -> list[str]:
    iri = node.strip("<>")
    in_old, in_new = node.encode() in context.old_subjects, node.encode() in context.new_subjects
    where = inferred(changes["added"] + changes["removed"])
    node_name = f"{context.kind(iri)} {quoted(context.node_label(iri))}"
    own = "" if iri == owner else node_name + ": "
    if not in_old and in_new:
        return [f"{node_name} added{where}" if own else f"added ({triples(changes['added'])}){where}"]
    if in_old and not in_new:
        return [f"{node_name} removed{where}" if own else f"removed ({triples(changes['removed'])}){where}"]
    lines = []
    by_predicate: dict[str, dict[str, list]] = defaultdict(lambda: {"added": [], "removed": []})
    for key in ("added", "removed"):
        for quad in changes[key]:
            by_predicate[quad.predicate.value][key].append(quad)
    for predicate in sorted(by_predicate, key=context.predicate):
        olds, news = by_predicate[predicate]["removed"], by_predicate[predicate]["added"]
        name = context.predicate(predicate)
        if len(olds) == 1 and len(news) == 1:
            lines.append(f"{own}{name} changed from {context.name(olds[0].object)} to {context.name(news[0].object)}"
                         f"{inferred(olds + news)}")
            continue
        lines += [f"{own}{name} {context.name(q.object)} removed{inferred([q])}" for q in olds]
        lines += [f"{own}{name} {context.name(q.object)} added{inferred([q])}" for q in news]
    return lines


def inferred(quads: list[ox.Quad]) -> str:
    """A mark for changes only in the inferred graph (they follow from other changes)."""
    return " [inferred]" if all(q.graph_name.value == str(GRAPH.inferred) for q in quads) else ""


def triples(quads: list) -> str:
    return f"{len(quads)} triple{'s' if len(quads) != 1 else ''}"


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def words(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)) and prefix != "id":
            return f"{prefix}:{iri[len(str(namespace)):]}"
    return f"<{iri}>"

"""The files of a release: the dataset as canonical N-Quads lines, the distributions written from them
(gzip-compressed, byte-for-byte the same for the same content), and their SHA-256 checksums.

Blank nodes (the OWL restrictions of the ontology and of class-level facts) get canonical labels, so
the same content gives the same files, the same content id and no spurious lines in a diff.
"""
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from graph.vocab import GRAPH_ONTOLOGY, PREFIXES

CHECKSUMS = "SHA256SUMS"
COMPRESSION = "application/gzip"
OX_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


@dataclass(frozen=True)
class Distribution:
    file: str
    title: str
    format: str        # the format's name, as people know it
    media_type: str    # the media type of the content (inside the gzip)
    standard: str      # the specification the content conforms to
    view: str          # "named graphs", "default graph" (all graphs merged) or "ontology"


DISTRIBUTIONS = [
    Distribution("dataset.nq.gz", "The whole dataset, one named graph per source (N-Quads)", "N-Quads",
                 "application/n-quads", "http://www.w3.org/TR/n-quads/", "named graphs"),
    Distribution("dataset.trig.gz", "The whole dataset, one named graph per source (TriG)", "TriG",
                 "application/trig", "http://www.w3.org/TR/trig/", "named graphs"),
    Distribution("dataset.ttl.gz", "The default view: every named graph merged (Turtle)", "Turtle",
                 "text/turtle", "http://www.w3.org/TR/turtle/", "default graph"),
    Distribution("dataset.jsonld.gz", "The default view: every named graph merged (JSON-LD)", "JSON-LD",
                 "application/ld+json", "http://www.w3.org/TR/json-ld11/", "default graph"),
    Distribution("ontology.owl.gz", "The ontology alone (OWL in RDF/XML)", "RDF/XML",
                 "application/rdf+xml", "http://www.w3.org/TR/rdf-syntax-grammar/", "ontology"),
    Distribution("ontology.ttl.gz", "The ontology alone (OWL in Turtle)", "Turtle",
                 "text/turtle", "http://www.w3.org/TR/turtle/", "ontology"),
]
BY_FILE = {d.file: d for d in DISTRIBUTIONS}


def canonical_lines(graph: Graph) -> list[bytes]:
    """The graph as sorted N-Triples lines, blank nodes labelled from their content (only the triples
    that touch a blank node decide its label, so only those are canonicalised)."""
    if any(isinstance(term, BNode) for triple in graph for term in triple):
        with_bnodes, plain = Graph(), Graph()
        for triple in graph:
            (with_bnodes if any(isinstance(term, BNode) for term in triple) else plain).add(triple)
        graph = plain + to_canonical_graph(with_bnodes)
    return sorted(line for line in graph.serialize(format="nt", encoding="utf-8").splitlines() if line)


def nquads(lines: dict[URIRef, list[bytes]]) -> bytes:
    """N-Quads of the named graphs, graph by graph in name order."""
    out = []
    for name in sorted(lines):
        suffix = f" <{name}> .".encode()
        out.extend(line[:-2] + suffix for line in lines[name])  # "s p o ." -> "s p o <g> ."
    return b"\n".join(out) + b"\n"


def default_view(lines: dict[URIRef, list[bytes]]) -> list[ox.Triple]:
    """The union of the named graphs (the service's default graph), each triple once, sorted."""
    merged = sorted({line for graph_lines in lines.values() for line in graph_lines})
    return list(ox.parse(b"\n".join(merged), ox.RdfFormat.N_TRIPLES))


def serialise(folder: Path, lines: dict[URIRef, list[bytes]], quads: list[ox.Quad]) -> None:
    """Write every distribution into the folder, gzip-compressed (no timestamp, so reproducible)."""
    merged = default_view(lines)
    ontology = list(ox.parse(b"\n".join(lines.get(GRAPH_ONTOLOGY, [])), ox.RdfFormat.N_TRIPLES))
    contents = {
        "dataset.nq.gz": lambda: nquads(lines),
        "dataset.trig.gz": lambda: ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=OX_PREFIXES),
        "dataset.ttl.gz": lambda: ox.serialize(merged, format=ox.RdfFormat.TURTLE, prefixes=OX_PREFIXES),
        "dataset.jsonld.gz": lambda: ox.serialize(merged, format=ox.RdfFormat.JSON_LD),
        "ontology.owl.gz": lambda: ox.serialize(ontology, format=ox.RdfFormat.RDF_XML, prefixes=OX_PREFIXES),
        "ontology.ttl.gz": lambda: ox.serialize(ontology, format=ox.RdfFormat.TURTLE, prefixes=OX_PREFIXES),
    }
    for distribution in DISTRIBUTIONS:
        data = contents[distribution.file]()
        (folder / distribution.file).write_bytes(gzip.compress(data, compresslevel=6, mtime=0))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(folder: Path) -> list[dict]:
    """Each distribution with its format, media type, size and checksum (for release.json and DCAT)."""
    return [{"file": d.file, "title": d.title, "format": d.format, "media_type": d.media_type,
             "compression": COMPRESSION, "view": d.view, "conforms_to": d.standard,
             "bytes": (folder / d.file).stat().st_size, "sha256": sha256(folder / d.file)}
            for d in DISTRIBUTIONS]


def write_checksums(folder: Path, files: list[str]) -> None:
    """SHA256SUMS in the format `sha256sum -c` reads ("<hex>  <file>")."""
    lines = [f"{sha256(folder / name)}  {name}\n" for name in sorted(files)]
    (folder / CHECKSUMS).write_text("".join(lines))

"""Releases: the built dataset written as named graphs, with VoID metadata and a content-hash id.

A release folder `data/releases/<id>/` holds dataset.nq and dataset.trig (named graphs), dataset.ttl
(all graphs merged), void.ttl, release.json and `store/` (a pyoxigraph store the service opens
without re-parsing text). `data/releases/LATEST` names the newest release.
"""
import datetime
import hashlib
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from graph.vocab import BASE, DCTERMS, GRAPH_META, PREFIXES, PROV, RDF, VOID, XSD

LATEST = "LATEST"


@dataclass
class Release:
    id: str
    date: str
    folder: str
    triples: dict[str, int]
    build_seconds: float

    @property
    def store_path(self) -> Path:
        return Path(self.folder) / "store"

    @property
    def iri(self) -> URIRef:
        return release_iri(self.id)


def release_iri(release_id: str) -> URIRef:
    return URIRef(f"{BASE}release/{release_id}")


def releases_dir(data_dir: Path) -> Path:
    return data_dir / "releases"


def content_id(graphs: dict[URIRef, Graph]) -> str:
    """A hash of the dataset's content, independent of blank-node labels and triple order."""
    digest = hashlib.sha256()
    for name in sorted(graphs):
        graph = graphs[name]
        has_bnodes = any(isinstance(term, BNode) for triple in graph for term in triple)
        canonical = to_canonical_graph(graph) if has_bnodes else graph
        lines = sorted(canonical.serialize(format="nt", encoding="utf-8").splitlines())
        digest.update(str(name).encode() + b"\n" + b"\n".join(lines) + b"\n")
    return digest.hexdigest()[:16]


def to_store(graphs: dict[URIRef, Graph], path: Path | None = None) -> ox.Store:
    """A pyoxigraph store with each graph as a named graph (on disk when a path is given)."""
    store = ox.Store(str(path)) if path else ox.Store()
    for name, graph in graphs.items():
        store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(name)))
    return store


def void_graph(release_id: str, date: str, counts: dict[str, int], sources: list) -> Graph:
    """VoID description of the release: the dataset, one subset per named graph, licences, sources."""
    g = Graph()
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace)
    dataset = release_iri(release_id)
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("LungMet KG", lang="en")))
    g.add((dataset, DCTERMS.identifier, Literal(release_id)))
    g.add((dataset, DCTERMS.issued, Literal(date, datatype=XSD.date)))
    g.add((dataset, VOID.triples, Literal(sum(counts.values()))))
    g.add((dataset, VOID.uriSpace, Literal(BASE + "id/")))
    licences = {str(source.graph): source for source in sources}
    for name, count in sorted(counts.items()):
        subset = URIRef(name)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, Literal(count)))
        if name in licences:
            source = licences[name]
            g.add((subset, DCTERMS.title, Literal(source.title, lang="en")))
            g.add((subset, DCTERMS.license, source.license))
            g.add((subset, DCTERMS.source, Literal(source.version())))
            g.add((subset, PROV.wasDerivedFrom, URIRef(f"{BASE}source/{source.name}")))
    return g


def write_release(graphs: dict[URIRef, Graph], sources: list, data_dir: Path, started: float,
                  now: float) -> Release:
    """Write the release folder (atomically) and point LATEST at it."""
    release_id = content_id(graphs)
    date = datetime.date.today().isoformat()
    counts = {str(name): len(graph) for name, graph in graphs.items()}
    root = releases_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / release_id
    release = Release(release_id, date, str(folder), counts, round(now - started, 2))
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        staging = Path(tmp) / release_id
        staging.mkdir()
        meta = void_graph(release_id, date, counts, sources)
        meta.serialize(staging / "void.ttl", format="turtle")
        store = to_store({**graphs, GRAPH_META: meta}, staging / "store")
        store.dump(staging / "dataset.nq", ox.RdfFormat.N_QUADS)
        store.dump(staging / "dataset.trig", ox.RdfFormat.TRIG, prefixes={k: str(v) for k, v in PREFIXES.items()})
        merged = ox.serialize((quad.triple for quad in store), format=ox.RdfFormat.TURTLE,
                              prefixes={k: str(v) for k, v in PREFIXES.items()})
        (staging / "dataset.ttl").write_bytes(merged)
        store.flush()
        del store
        (staging / "release.json").write_text(json.dumps(asdict(release), indent=2))
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    (root / LATEST).write_text(release_id + "\n")
    return release


def latest_release(data_dir: Path) -> Release | None:
    pointer = releases_dir(data_dir) / LATEST
    if not pointer.exists():
        return None
    return read_release(releases_dir(data_dir) / pointer.read_text().strip())


def read_release(folder: Path) -> Release | None:
    info = folder / "release.json"
    if not info.exists():
        return None
    return Release(**json.loads(info.read_text()))

"""Synthetic releases shaped like ours, at a chosen size: the real release's instance data (drugs, trials,
arms, outcomes, statements, sources, B3DB records) copied k times under fresh IRIs, with one ontology.

Copy 0 is the real data, so every canned query keeps its real answers (copies carry a ` ~k` suffix on
their strings, so names stay unique and resolve to the originals); copies 1..k-1 make the store, the
indexes and every unselective pattern k times larger. The derived graph is not copied but derived again
from the whole synthetic store, as `lmkg build` derives it (copies share the ontology, so a therapy group
of one copy summarises the class members of every copy).
"""
import datetime
import re
import json
import time
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox

from graph.release import LATEST, Release, release_iri, releases_dir
from graph.derive import add_derived
from graph.vocab import BASE, GRAPH_DERIVED, GRAPH_META, GRAPH_ONTOLOGY
from service.engine.store import prepare_name_index

XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
ENTITY_BASE = BASE + "id/"
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
KEEP_ONCE = {str(GRAPH_ONTOLOGY), str(GRAPH_META)}


def instance_quads(release: Release) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(quads kept once: ontology, instance quads to copy) of a release's store."""
    store = ox.Store.read_only(str(release.store_path))
    once, instance = [], []
    for quad in store:
        if quad.graph_name.value in (str(GRAPH_META), str(GRAPH_DERIVED)):
            continue
        (once if quad.graph_name.value in KEEP_ONCE else instance).append(quad)
    return once, instance


# In the N-Quads text of the instance data: our entity IRIs, blank-node labels, and plain or
# language-tagged string literals (a literal followed by ^^ has another datatype and is kept).
ENTITY_IRI = re.compile(r"<(" + re.escape(ENTITY_BASE) + r"[^>]*)>")
BLANK_NODE = re.compile(r"(_:[A-Za-z0-9]+)")
STRING_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?=(?:@[A-Za-z0-9-]+)?\s)')


def copy_text(nquads: str, k: int) -> str:
    """Copy k of the instance data: fresh IRIs and blank nodes, strings marked with ` ~k`."""
    text = ENTITY_IRI.sub(lambda m: f"<{m.group(1)}-s{k}>", nquads)
    text = BLANK_NODE.sub(lambda m: f"{m.group(1)}s{k}", text)
    return STRING_LITERAL.sub(lambda m: f'"{m.group(1)} ~{k}"', text)


def copies_for(target_triples: int, once: int, instance: int) -> int:
    return max(1, round((target_triples - once) / instance))


def meta_quads(release_id: str, date: str, counts: dict[str, int]) -> list[ox.Quad]:
    """The part of a release's VoID description the service reads: id, date and triples per graph."""
    void, dcterms = "http://rdfs.org/ns/void#", "http://purl.org/dc/terms/"
    dataset, meta = ox.NamedNode(str(release_iri(release_id))), ox.NamedNode(str(GRAPH_META))
    xsd_date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    quads = [ox.Quad(dataset, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(void + "Dataset"), meta),
             ox.Quad(dataset, ox.NamedNode(dcterms + "identifier"), ox.Literal(release_id), meta),
             ox.Quad(dataset, ox.NamedNode(dcterms + "issued"), ox.Literal(date, datatype=xsd_date), meta)]
    for graph, count in counts.items():
        quads.append(ox.Quad(dataset, ox.NamedNode(void + "subset"), ox.NamedNode(graph), meta))
        quads.append(ox.Quad(ox.NamedNode(graph), ox.NamedNode(void + "triples"), ox.Literal(str(count),
                             datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), meta))
    return quads


def synthetic_release(source: Release, target_triples: int, data_dir: Path) -> tuple[Release, float, float]:
    """Write a synthetic release of about `target_triples` into `data_dir`; (release, seconds to write,
    of which seconds to derive the derived graph)."""
    once, instance = instance_quads(source)
    count = copies_for(target_triples, len(once), len(instance))
    release_id = f"synthetic{count}x"
    folder = releases_dir(data_dir) / release_id
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    store = ox.Store(str(folder / "store"))
    store.bulk_extend(once)
    nquads = ox.serialize(instance, format=ox.RdfFormat.N_QUADS).decode()
    store.bulk_load(nquads.encode(), format=ox.RdfFormat.N_QUADS)
    for k in range(1, count):
        store.bulk_load(copy_text(nquads, k).encode(), format=ox.RdfFormat.N_QUADS)
    deriving = time.monotonic()
    add_derived(store)
    derive_seconds = round(time.monotonic() - deriving, 2)
    counts = {row["g"].value: int(row["n"].value) for row in store.query(GRAPH_SIZES)}
    date = datetime.date.today().isoformat()
    store.extend(meta_quads(release_id, date, counts))
    store.flush()
    store.optimize()
    del store
    release = Release(release_id, date, str(folder), counts, build_seconds=0.0)
    prepare_name_index(release)   # as `lmkg build` does
    release.build_seconds = seconds = round(time.monotonic() - started, 2)
    (folder / "release.json").write_text(json.dumps(asdict(release), indent=2))
    (releases_dir(data_dir) / LATEST).write_text(release_id + "\n")
    return release, seconds, derive_seconds

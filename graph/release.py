"""Releases: the built dataset as a folder of distributions, with its DCAT/VoID description, checksums,
release notes and a content-hash id.

`data/releases/<id>/` holds the distributions (graph/distributions.py: N-Quads and TriG with one named
graph per source, Turtle and JSON-LD of the default view, the ontology as RDF/XML and Turtle, all
gzip-compressed), `void.ttl` (graph/metadata.py), `RELEASE-NOTES.md` (graph/diff.py, against the
previous release), `release.json`, `SHA256SUMS` and `store/` (a pyoxigraph store the service opens
without re-parsing text, with the description in the `meta` graph). `data/releases/LATEST` names the
newest release; `prune` keeps the newest few.
"""
import dataclasses
import datetime
import hashlib
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from graph.diff import Snapshot, UnknownRelease, diff, folder_snapshot
from graph.distributions import (CHECKSUMS, DISTRIBUTIONS, canonical_lines, describe, nquads, serialise, sha256,
                                 write_checksums)
from graph.metadata import describe_release, metadata_violations
from graph.vocab import BASE, DCTERMS, GRAPH_META, GRAPH_ONTOLOGY

LATEST = "LATEST"
NOTES = "RELEASE-NOTES.md"
METADATA_FILES = ["void.ttl", NOTES, "release.json", CHECKSUMS]


@dataclass
class Release:
    id: str
    date: str                  # issued: the day this content was first released (YYYY-MM-DD)
    folder: str
    triples: dict[str, int]
    build_seconds: float
    built: str = ""            # when this folder was written (UTC, ISO 8601)
    previous: str | None = None
    changes: dict = field(default_factory=dict)          # against `previous`: added, removed, entities
    distributions: list[dict] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)  # SHA-256 of the description and notes

    @property
    def store_path(self) -> Path:
        return Path(self.folder) / "store"

    @property
    def iri(self) -> URIRef:
        return release_iri(self.id)

    def files(self) -> list[str]:
        """Every file a client may download from this release."""
        return [d["file"] for d in self.distributions] + [f for f in METADATA_FILES if (Path(self.folder) / f).exists()]


class MetadataInvalid(RuntimeError):
    def __init__(self, violations: list):
        self.violations = violations
        super().__init__("the dataset description fails its SHACL shapes:\n" + "\n".join(f"  {v}" for v in violations))


def release_iri(release_id: str) -> URIRef:
    return URIRef(f"{BASE}release/{release_id}")


def releases_dir(data_dir: Path) -> Path:
    return data_dir / "releases"


def content_id(lines: dict[URIRef, list[bytes]]) -> str:
    """A hash of the dataset's content (its canonical N-Triples lines per named graph), so independent
    of blank-node labels and triple order."""
    digest = hashlib.sha256()
    for name in sorted(lines):
        digest.update(str(name).encode() + b"\n" + b"\n".join(lines[name]) + b"\n")
    return digest.hexdigest()[:16]


def to_store(graphs: dict[URIRef, Graph], path: Path | None = None) -> ox.Store:
    """A pyoxigraph store with each graph as a named graph (on disk when a path is given)."""
    store = ox.Store(str(path)) if path else ox.Store()
    for name, graph in graphs.items():
        store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(str(name)))
    return store


def write_release(graphs: dict[URIRef, Graph], sources: list, data_dir: Path, started: float,
                  now: float) -> Release:
    """Write the release folder (atomically), point LATEST at it, and return it."""
    lines = {name: canonical_lines(graph) for name, graph in graphs.items()}
    release_id = content_id(lines)
    root = releases_dir(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / release_id
    release = new_release(release_id, folder, lines, latest_release(data_dir), round(now - started, 2))
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        staging = Path(tmp) / release_id
        staging.mkdir()
        data, meta = write_data(staging, release, lines, graphs[GRAPH_ONTOLOGY], sources)
        notes, release.changes = release_notes(release, root, Snapshot(release_id, set(data.splitlines()) - {b""}), meta)
        write_records(staging, release, notes)
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    (root / LATEST).write_text(release_id + "\n")
    return release


def write_data(staging: Path, release: Release, lines: dict[URIRef, list[bytes]], ontology: Graph,
               sources: list) -> tuple[bytes, Graph]:
    """The distributions, the store, and the description (void.ttl and the store's meta graph); returns
    the N-Quads and the description."""
    data = nquads(lines)
    quads = list(ox.parse(data, ox.RdfFormat.N_QUADS))
    store = ox.Store(str(staging / "store"))
    store.bulk_extend(quads)
    serialise(staging, lines, quads)
    release.distributions = describe(staging)
    meta = describe_release(release, lines, store, sources, ontology)
    violations = metadata_violations(meta)
    if violations:
        raise MetadataInvalid(violations)
    meta.serialize(staging / "void.ttl", format="turtle")
    store.load(meta.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH_META)))
    store.flush()
    return data, meta


def write_records(staging: Path, release: Release, notes: str) -> None:
    """RELEASE-NOTES.md, release.json and SHA256SUMS (each after the files it names a checksum of)."""
    (staging / NOTES).write_text(notes, encoding="utf-8")
    release.checksums = {name: sha256(staging / name) for name in ("void.ttl", NOTES)}
    (staging / "release.json").write_text(json.dumps(asdict(release), indent=2, ensure_ascii=False))
    write_checksums(staging, [d.file for d in DISTRIBUTIONS] + ["void.ttl", NOTES, "release.json"])


def new_release(release_id: str, folder: Path, lines: dict, latest, build_seconds: float) -> Release:
    """The release record; the same content built again keeps its issue date and predecessor."""
    earlier = read_release(folder)
    if earlier:
        date, previous = earlier.date, earlier.previous
    else:
        date = datetime.date.today().isoformat()
        previous = latest.id if latest and latest.id != release_id else None
    built = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return Release(release_id, date, str(folder), {str(name): len(graph) for name, graph in lines.items()},
                   build_seconds, built=built, previous=previous)


def release_notes(release: Release, root: Path, snapshot: Snapshot, meta: Graph) -> tuple[str, dict]:
    """RELEASE-NOTES.md: what the release holds, and what changed since the previous release (with
    the counts of those changes)."""
    out = [f"# LungMet KG release {release.id}", "",
           f"Released {release.date} (built {release.built}).", "",
           "| named graph | triples | licence |", "|---|---|---|"]
    for name, count in sorted(release.triples.items()):
        out.append(f"| `{name}` | {count:,} | {meta.value(URIRef(name), DCTERMS.license) or ''} |")
    out.append("")
    if not release.previous:
        return "\n".join(out + ["The first release.", ""]), {}
    out.append(f"## Changes since release {release.previous}")
    out.append("")
    try:
        changes = diff(folder_snapshot(root / release.previous, release.previous), snapshot)
    except UnknownRelease:
        return "\n".join(out + [f"Release {release.previous} is no longer kept, so the changes are not listed.", ""]), {}
    counts = {"added": len(changes.added), "removed": len(changes.removed), "entities": len(changes.entities),
              "removed_without_deprecation": changes.gone}
    return "\n".join(out + [changes.summary() + ".", "", changes.markdown()]), counts


def latest_release(data_dir: Path) -> Release | None:
    pointer = releases_dir(data_dir) / LATEST
    if not pointer.exists():
        return None
    return read_release(releases_dir(data_dir) / pointer.read_text().strip())


def read_release(folder: Path) -> Release | None:
    info = folder / "release.json"
    if not info.exists():
        return None
    known = {f.name for f in dataclasses.fields(Release)}
    fields = {k: v for k, v in json.loads(info.read_text()).items() if k in known}
    return Release(**{**fields, "folder": str(folder)})  # where it is now, even if the data dir moved


def kept_releases(data_dir: Path) -> list[Release]:
    """The releases on disk, newest first."""
    root = releases_dir(data_dir)
    found = [read_release(folder) for folder in root.iterdir() if folder.is_dir()] if root.exists() else []
    return sorted((r for r in found if r), key=lambda r: (r.built or r.date, r.date), reverse=True)


def prune(data_dir: Path, keep: int) -> list[str]:
    """Delete all but the `keep` newest releases (the LATEST one is always kept); the ids deleted."""
    if keep < 1:
        raise ValueError("keep at least one release")
    latest = latest_release(data_dir)
    releases = kept_releases(data_dir)
    kept = ([latest.id] if latest else []) + [r.id for r in releases if not latest or r.id != latest.id]
    removed = []
    for release in releases:
        if release.id not in kept[:keep]:
            shutil.rmtree(release.folder)
            removed.append(release.id)
    return removed

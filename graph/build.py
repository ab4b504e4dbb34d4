"""The build: sources -> RDF -> merge with the ontology -> reason -> validate -> release.

Run it with `lmkg build`. A failing SHACL shape or QC query stops the build before anything is
written, with one line per violation naming the rule and the node.
"""
import time
from pathlib import Path
from typing import Callable

from rdflib import Graph, URIRef

from graph.derive import derive_graph
from graph.reason import materialise
from graph.release import Release, prune, to_store, write_release
from graph.transforms import SOURCES
from graph.validate import Violation, load_shapes, qc_violations, shacl_violations
from graph.vocab import GRAPH_DERIVED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from lmkg.paths import ONTOLOGY_DIR, data_dir as default_data_dir


class BuildFailed(RuntimeError):
    def __init__(self, violations: list[Violation]):
        self.violations = violations
        lines = "\n".join(f"  {v}" for v in violations[:50])
        more = f"\n  … and {len(violations) - 50} more" if len(violations) > 50 else ""
        super().__init__(f"validation failed with {len(violations)} violation(s):\n{lines}{more}")


def load_ontology(folder: Path = ONTOLOGY_DIR) -> Graph:
    ontology = Graph()
    for path in sorted(folder.glob("*.ttl")):
        ontology.parse(path)
    return ontology


def build_graphs(log: Callable[[str], None]) -> dict[URIRef, Graph]:
    """All named graphs of a release: ontology, one per source, and the inferences."""
    graphs: dict[URIRef, Graph] = {GRAPH_ONTOLOGY: load_ontology()}
    built: dict[str, Graph] = {}
    for source in SOURCES:
        with step(log, f"source {source.name}"):
            built[source.name] = source.build(built)
            graphs[source.graph] = built[source.name]
    with step(log, "reasoning (HermiT) and materialising inferences"):
        graphs[GRAPH_INFERRED] = materialise(graphs[GRAPH_ONTOLOGY], built["seeds"])
    return graphs


def validate(graphs: dict[URIRef, Graph], log: Callable[[str], None]) -> None:
    with step(log, "validating: SHACL shapes"):
        union = Graph()
        for graph in graphs.values():
            union += graph
        violations = shacl_violations(union, load_shapes())
    with step(log, "validating: QC queries"):
        violations += qc_violations(to_store(graphs))
    if violations:
        raise BuildFailed(violations)


def build(data_dir: Path | None = None, log: Callable[[str], None] = print, keep: int | None = None) -> Release:
    """Build and write a release; with `keep`, then delete all but the `keep` newest releases."""
    started = time.perf_counter()
    data_dir = data_dir or default_data_dir()
    graphs = build_graphs(log)
    validate(graphs, log)
    with step(log, "deriving summaries (graph/derive/)"):
        derived = derive_graph(graphs)
    if derived:
        graphs[GRAPH_DERIVED] = derived
    with step(log, "writing release: distributions, description, notes"):
        release = write_release(graphs, SOURCES, data_dir, started, time.perf_counter())
    log(f"release {release.id} in {release.folder}")
    for name, count in sorted(release.triples.items()):
        log(f"  {count:>7} triples  {name}")
    if release.previous:
        changes = release.changes
        log(f"  since {release.previous}: +{changes.get('added', '?')} −{changes.get('removed', '?')} triples "
            f"in {changes.get('entities', '?')} entities (RELEASE-NOTES.md)")
        for iri in changes.get("removed_without_deprecation", []):
            log(f"  warning: {iri} was removed without an entry in deprecated.yaml; links to it now answer 404")
    if keep:
        for removed in prune(data_dir, keep):
            log(f"  pruned release {removed}")
    log(f"built in {release.build_seconds:.1f} s")
    return release


class step:
    """Logs a build step with its duration."""

    def __init__(self, log: Callable[[str], None], name: str):
        self.log, self.name = log, name

    def __enter__(self):
        self.started = time.perf_counter()
        self.log(f"… {self.name}")

    def __exit__(self, *exc):
        if exc[0] is None:
            self.log(f"  done in {time.perf_counter() - self.started:.1f} s")

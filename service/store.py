"""One way to run a query: the store interface used by the endpoint, the catalogue, the pages and the
CLI. The embedded backend is a read-only pyoxigraph store written by `lmkg build`."""
from pathlib import Path

import pyoxigraph as ox

from graph.release import Release, latest_release
from lmkg.paths import data_dir as default_data_dir

RESULT_FORMATS = {"tsv": ox.QueryResultsFormat.TSV, "csv": ox.QueryResultsFormat.CSV,
                  "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


class NoRelease(RuntimeError):
    """There is no built release to serve."""


class EmbeddedStore:
    """A read-only pyoxigraph store of one release; the default graph is the union of its graphs."""

    def __init__(self, release: Release):
        self.release = release
        self.store = ox.Store.read_only(str(release.store_path))

    def query(self, text: str, substitutions: dict | None = None, default_graph=None, named_graphs=None):
        union = default_graph is None
        return self.store.query(text, use_default_graph_as_union=union, default_graph=default_graph,
                                named_graphs=named_graphs, substitutions=substitutions)

    def run_to_text(self, text: str, fmt: str = "tsv") -> str:
        result = self.query(text)
        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)).decode()
        return result.serialize(format=RESULT_FORMATS.get(fmt, ox.QueryResultsFormat.TSV)).decode()


def ensure_release(data_dir: Path | None = None) -> Release:
    """The latest release, building one first if there is none."""
    folder = data_dir or default_data_dir()
    release = latest_release(folder)
    if release is None:
        from graph.build import build
        release = build(folder)
    return release


def open_release_store(data_dir: Path | None = None) -> EmbeddedStore:
    return EmbeddedStore(ensure_release(data_dir))

"""Shared fixtures: one real build of the graph per test session, from the real sources."""
import os
import re

import pyoxigraph as ox
import pytest
import yaml

from lmkg.paths import SOURCES_DIR, seeds_dir

# The service limits requests per client by default; the suite sends hundreds from one address, so limits
# are off in every app and server it starts, except where a test turns them on (tests/test_abuse.py).
os.environ["LMKG_RATE_LIMIT"] = "off"


@pytest.fixture(scope="session")
def release(tmp_path_factory):
    """A release built from the real sources into a temporary data directory."""
    from graph.build import build
    return build(tmp_path_factory.mktemp("data"), log=lambda message: None)


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory, release):
    """A second build, from a copy of the sources with every list of records in reverse order (B3DB rows
    keep their order: their IRIs are B3DB's own record numbers)."""
    from graph.build import build
    from tests.fixture_sources import copy_sources, reverse_every_list
    sources = copy_sources(tmp_path_factory.mktemp("reordered") / "sources", reverse_every_list)
    patch = pytest.MonkeyPatch()
    patch.setenv("LMKG_SOURCES_DIR", str(sources))
    try:
        yield build(tmp_path_factory.mktemp("data-rebuilt"), log=lambda message: None)
    finally:
        patch.undo()


@pytest.fixture(scope="session")
def store(release):
    from service.engine.store import EmbeddedStore
    return EmbeddedStore(release)


@pytest.fixture(scope="session")
def seed_text():
    """The text of each seed document by key ("000" … "004"); tests that compare with them skip on a bare
    clone, where the seed documents are not beside the repository."""
    if not any(seeds_dir().glob("*.txt")):
        pytest.skip(f"no seed documents at {seeds_dir()}: set LMKG_SEEDS_DIR to them (../shared/seeds)")
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(seeds_dir().glob("*.txt"))}


@pytest.fixture(scope="session")
def curated():
    """The curated YAML of source `seeds`, by file stem."""
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted((SOURCES_DIR / "seeds").glob("*.yaml"))}


def select(store, query: str) -> list[dict]:
    """Rows of a SELECT as dicts of plain strings (IRIs and literal values)."""
    from service.engine.query import QueryRequest
    result = store.run(QueryRequest(query, limit=1_000_000))
    return [{n: (t.value if t is not None else None) for n, t in zip(result.variables, row)} for row in result.rows]


def same_answer(result) -> list:
    """A result as a sorted list of rows (or triples), each joined list of names (GROUP_CONCAT, separated
    by ", ", "; ", " | " or " + ") in sorted order: SPARQL leaves the order of concatenated values, and of
    rows tied in ORDER BY, to the store."""
    def cell(term):
        return ", ".join(sorted(re.split(r", |; | \| | \+ ", term.value))) if isinstance(term, ox.Literal) else str(term)
    rows = [(t.subject, t.predicate, t.object) for t in result.triples] or result.rows
    return sorted(tuple(cell(term) for term in row) for row in rows)


@pytest.fixture(scope="session")
def data_dir(release):
    from pathlib import Path
    return Path(release.folder).parent.parent


@pytest.fixture(scope="session")
def app(data_dir):
    """The service over the session's release (the real queries/ folder)."""
    from service import create_app
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True})
    yield app
    app.extensions["lmkg"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def data_copy(data_dir, tmp_path):
    """A data dir of its own (the session's releases copied): for tests that save, or start servers."""
    import shutil
    shutil.copytree(data_dir / "releases", tmp_path / "releases")
    return tmp_path


@pytest.fixture()
def make_app(data_copy):
    """Apps over `data_copy` with settings of the test's own (one query worker), closed afterwards."""
    from service import create_app
    made = []

    def make(**config):
        app = create_app({"DATA_DIR": str(data_copy), "ISOLATED_WORKERS": 1, **config})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["lmkg"].close()

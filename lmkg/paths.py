"""Where things live: the repository folders and the data directory."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = REPO / "ontology"
SOURCES_DIR = REPO / "graph" / "sources"
SHAPES_DIR = REPO / "graph" / "shapes"
QUERIES_DIR = REPO / "queries"
QC_DIR = QUERIES_DIR / "qc"


def sources_dir() -> Path:
    """The curated sources (graph/sources), overridable by LMKG_SOURCES_DIR (tests build from copies)."""
    return Path(os.environ.get("LMKG_SOURCES_DIR", SOURCES_DIR))


def seeds_dir() -> Path:
    """The seed documents (outside the repo: ../shared/seeds), overridable by LMKG_SEEDS_DIR. Only the
    tests that compare the curation with the seed texts read them; they skip where the folder is absent."""
    return Path(os.environ.get("LMKG_SEEDS_DIR", REPO.parent / "shared" / "seeds"))


def reference_dir() -> Path:
    """The checked external identifiers (graph/sources/reference, copied from ../shared/reference),
    overridable by LMKG_REFERENCE_DIR."""
    return Path(os.environ.get("LMKG_REFERENCE_DIR", SOURCES_DIR / "reference"))


def data_dir() -> Path:
    """Build products and service state (releases, saved queries), overridable by LMKG_DATA_DIR."""
    return Path(os.environ.get("LMKG_DATA_DIR", REPO / "data"))

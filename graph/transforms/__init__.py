"""The registry of sources: one transform per source, each into its own named graph.

A source is registered here and nowhere else; the build and the contract tests iterate over SOURCES.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from rdflib import Graph, URIRef

from graph.transforms import b3db, seeds
from graph.vocab import ID, RDFS, SKOS, source_graph
from lmkg.paths import sources_dir

CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    license: URIRef
    version: Callable[[], str]
    build: Callable[[dict[str, Graph]], Graph]  # given the graphs built so far
    url: Callable[[], str] | None = None        # where this version of the source is published

    @property
    def graph(self) -> URIRef:
        return source_graph(self.name)

    @property
    def folder(self) -> Path:
        return sources_dir() / self.name


def drug_names(seeds_graph: Graph) -> dict[str, URIRef]:
    """Lower-cased labels and synonyms of the curated drugs, for linking other sources to them."""
    names = {}
    for prop in (RDFS.label, SKOS.altLabel):
        for drug, name in seeds_graph.subject_objects(prop):
            if str(drug).startswith(str(ID["drug/"])):
                names[str(name).lower()] = drug
    return names


def seed_documents(folder: Path) -> list[str]:
    """The seed documents' file names as documents.yaml records them: the release is built from the
    repository alone, with or without the documents themselves (../shared/seeds) beside it."""
    return sorted(entry["file"] for entry in yaml.safe_load((folder / "documents.yaml").read_text("utf-8"))["seeds"])


def seed_files() -> str:
    """The version of source `seeds`: the seed documents (their file names carry a content hash) and
    the curated YAML files."""
    documents = seed_documents(sources_dir() / "seeds")
    curated = sorted(p.name for p in (sources_dir() / "seeds").glob("*.yaml"))
    return "seed documents: " + ", ".join(documents) + "; curated YAML: " + ", ".join(curated)


SOURCES = [
    Source("seeds", "Facts curated from the five seed documents", CC_BY, seed_files,
           lambda built: seeds.transform(sources_dir() / "seeds")),
    Source("b3db", "B3DB blood-brain barrier classification (qc-b3db)", CC0,
           lambda: f"qc-b3db {b3db.package_version()}",
           lambda built: b3db.transform(b3db.read_rows(), drug_names(built["seeds"])),
           lambda: f"https://pypi.org/project/qc-b3db/{b3db.package_version()}/"),
]

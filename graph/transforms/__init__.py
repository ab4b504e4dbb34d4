"""The registry of sources: one transform per source, each into its own named graph.

A source is registered here and nowhere else; the build and the contract tests iterate over SOURCES.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rdflib import Graph, URIRef

from graph.transforms import b3db, seeds
from graph.vocab import ID, RDFS, SKOS, source_graph
from lmkg.paths import SOURCES_DIR

CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    license: URIRef
    version: Callable[[], str]
    build: Callable[[dict[str, Graph]], Graph]  # given the graphs built so far

    @property
    def graph(self) -> URIRef:
        return source_graph(self.name)

    @property
    def folder(self) -> Path:
        return SOURCES_DIR / self.name


def drug_names(seeds_graph: Graph) -> dict[str, URIRef]:
    """Lower-cased labels and synonyms of the curated drugs, for linking other sources to them."""
    names = {}
    for prop in (RDFS.label, SKOS.altLabel):
        for drug, name in seeds_graph.subject_objects(prop):
            if str(drug).startswith(str(ID["drug/"])):
                names[str(name).lower()] = drug
    return names


def seed_files() -> str:
    files = sorted(p.name for p in (SOURCES_DIR / "seeds").glob("*.yaml"))
    return "curated YAML: " + ", ".join(files)


SOURCES = [
    Source("seeds", "Facts curated from the five seed documents", CC_BY, seed_files,
           lambda built: seeds.transform(SOURCES_DIR / "seeds")),
    Source("b3db", "B3DB blood-brain barrier classification (qc-b3db)", CC0,
           lambda: f"qc-b3db {b3db.package_version()}",
           lambda built: b3db.transform(b3db.read_rows(), drug_names(built["seeds"]))),
]

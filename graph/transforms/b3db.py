"""Transform of source `b3db`: the B3DB BBB classification table (PyPI `qc-b3db`, CC0) into RDF."""
import csv
from decimal import Decimal, InvalidOperation
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable

from rdflib import Graph, Literal, URIRef

from graph.vocab import DCTERMS, LMKG, PROV, RDF, RDFS, SKOS, XSD, entity_iri, xref_iri

TABLE = "B3DB_classification.tsv"
DATASET = entity_iri("dataset", "b3db")
CLASSES = {"BBB+": LMKG.BBBPositive, "BBB-": LMKG.BBBNegative}


def package_version() -> str:
    return metadata.version("qc-b3db")


def read_rows(path: Path | None = None) -> list[dict]:
    """The rows of the classification table (from the installed package unless a path is given)."""
    path = path or Path(resources.files("B3DB") / TABLE)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def compound_names(row: dict) -> list[str]:
    return [name.strip() for name in row["compound_name"].split(",") if name.strip()]


def add_dataset(g: Graph) -> None:
    g.add((DATASET, RDF.type, PROV.Entity))
    g.add((DATASET, RDFS.label, Literal("B3DB: a curated database of blood-brain barrier permeability", lang="en")))
    g.add((DATASET, DCTERMS.license, URIRef("https://creativecommons.org/publicdomain/zero/1.0/")))
    g.add((DATASET, DCTERMS.identifier, Literal(f"qc-b3db {package_version()} {TABLE}")))
    g.add((DATASET, SKOS.note, Literal("Read from the PyPI package qc-b3db; see graph/sources/b3db/README.md.", lang="en")))


def add_record(g: Graph, row: dict, drugs: dict[str, URIRef]) -> None:
    iri = entity_iri("b3db", row["NO."])
    names = compound_names(row)
    g.add((iri, RDF.type, LMKG.BBBPermeabilityRecord))
    g.add((iri, PROV.wasDerivedFrom, DATASET))
    g.add((iri, RDFS.label, Literal(f"B3DB {row['NO.']}: {row['compound_name'] or row['IUPAC_name']}", lang="en")))
    for name in names:
        g.add((iri, SKOS.altLabel, Literal(name, lang="en")))
    g.add((iri, LMKG.b3dbClass, CLASSES[row["BBB+/BBB-"]]))
    if row["logBB"]:
        g.add((iri, LMKG.logBB, as_decimal(row["logBB"])))
    if row["CID"]:
        g.add((iri, LMKG.pubchemCID, Literal(row["CID"])))
        g.add((iri, SKOS.exactMatch, xref_iri(f"PUBCHEM.COMPOUND:{row['CID']}")))
    for column, prop in (("group", LMKG.b3dbGroup), ("reference", LMKG.b3dbReferences),
                         ("threshold", LMKG.b3dbThreshold)):
        if row[column]:
            g.add((iri, prop, Literal(row[column])))
    for drug in {drugs[name.lower()] for name in names if name.lower() in drugs}:
        g.add((iri, LMKG.recordOfDrug, drug))


def as_decimal(text: str) -> Literal:
    try:
        return Literal(Decimal(text), datatype=XSD.decimal)
    except InvalidOperation as error:
        raise ValueError(f"B3DB logBB {text!r} is not a number") from error


def transform(rows: Iterable[dict], drugs: dict[str, URIRef]) -> Graph:
    """RDF of the B3DB rows; `drugs` maps lower-cased drug names and synonyms to curated drug IRIs."""
    g = Graph()
    add_dataset(g)
    for row in rows:
        add_record(g, row, drugs)
    return g

"""External identifiers in the curated entities agree with the checked table in graph/sources/reference."""
import csv
import re

import pytest

from lmkg.paths import reference_dir


def read_tsv(name):
    with open(reference_dir() / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def checked_ids():
    ids = set()
    for row in read_tsv("drug-identifiers.tsv"):
        ids.add(f"DRUGBANK:{row['drugbank']}")
        ids.update(row["chebi"].split(";") if row["chebi"] else [])
        if row["chembl"]:
            ids.add(f"CHEMBL:{row['chembl']}")
    for row in read_tsv("target-site-disease-identifiers.tsv"):
        ids.add(row["id"])
        ids.update(re.findall(r"\b(?:NCIT|MONDO|UBERON|HGNC):[A-Z0-9]+", row["also"] or ""))
    return ids


@pytest.fixture(scope="module")
def drug_rows():
    return {row["drug"]: row for row in read_tsv("drug-identifiers.tsv")}


def entities(curated):
    return [record for section in curated["entities"].values() for record in section]


def test_every_external_id_is_in_the_reference(curated, checked_ids):
    unchecked = [(r["id"], x) for r in entities(curated) for x in r.get("xrefs", []) if x not in checked_ids]
    assert unchecked == []


def test_drug_ids_belong_to_the_same_drug(curated, drug_rows):
    for drug in curated["entities"]["drugs"]:
        row = drug_rows.get(drug["label"])
        for xref in drug.get("xrefs", []):
            prefix, local = xref.split(":", 1)
            column = {"DRUGBANK": "drugbank", "CHEBI": "chebi", "CHEMBL": "chembl"}[prefix]
            assert row is not None and (xref in row[column].split(";") or local == row[column]), (drug["id"], xref)


def test_reference_drugs_seen_in_the_seeds_have_their_drugbank_id(curated, drug_rows):
    for drug in curated["entities"]["drugs"]:
        if drug["label"] in drug_rows:
            assert f"DRUGBANK:{drug_rows[drug['label']]['drugbank']}" in drug.get("xrefs", []), drug["id"]


def test_ids_listed_as_missing_are_absent(curated):
    for name in ["aumolertinib", "iruplinkib", "repotrectinib", "selpercatinib", "sotorasib", "ivonescimab", "blu-945"]:
        drug = next(d for d in curated["entities"]["drugs"] if d["id"] == name)
        assert not drug.get("xrefs"), name

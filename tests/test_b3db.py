"""The B3DB transform on a small slice of the real table, and its links to curated drugs."""
from decimal import Decimal

import pytest

from graph.transforms import b3db
from graph.vocab import ID, LMKG, PROV, RDFS, SKOS


@pytest.fixture(scope="module")
def rows():
    return b3db.read_rows()


def test_the_packaged_table_has_the_expected_shape(rows):
    assert 7000 < len(rows) < 9000
    assert {"NO.", "compound_name", "CID", "logBB", "BBB+/BBB-", "group", "reference"} <= set(rows[0])
    assert {row["BBB+/BBB-"] for row in rows} == {"BBB+", "BBB-"}


def test_a_slice_becomes_records_with_provenance(rows):
    by_name = {row["compound_name"]: row for row in rows}
    slice_ = [by_name["gefitinib"], by_name["tarceva, erlotinib"], by_name["sulphasalazine"]]
    drugs = {"gefitinib": ID["drug/gefitinib"], "erlotinib": ID["drug/erlotinib"]}
    g = b3db.transform(slice_, drugs)
    gefitinib = ID[f"b3db/{by_name['gefitinib']['NO.']}"]
    assert g.value(gefitinib, LMKG.b3dbClass) == LMKG.BBBPositive
    assert g.value(gefitinib, LMKG.logBB).toPython() == Decimal(by_name["gefitinib"]["logBB"])
    assert g.value(gefitinib, LMKG.recordOfDrug) == ID["drug/gefitinib"]
    assert (gefitinib, PROV.wasDerivedFrom, b3db.DATASET) in g
    erlotinib = ID[f"b3db/{by_name['tarceva, erlotinib']['NO.']}"]
    assert g.value(erlotinib, LMKG.recordOfDrug) == ID["drug/erlotinib"]  # matched on one of its names
    assert {str(n) for n in g.objects(erlotinib, SKOS.altLabel)} == {"tarceva", "erlotinib"}
    sulpha = ID[f"b3db/{by_name['sulphasalazine']['NO.']}"]
    assert g.value(sulpha, LMKG.b3dbClass) == LMKG.BBBNegative
    assert g.value(sulpha, LMKG.recordOfDrug) is None
    assert g.value(sulpha, RDFS.label) is not None


def test_record_without_logbb_has_no_logbb(rows):
    row = next(r for r in rows if not r["logBB"])
    g = b3db.transform([row], {})
    assert g.value(ID[f"b3db/{row['NO.']}"], LMKG.logBB) is None

"""Answers people can read (#15): tables laid out by the queries' `#+ columns:` headers, rows folded by
provenance, readable text, the glossary, browse lists, search, error pages and compression."""
import gzip
import html as html_lib
import re
import urllib.parse

import pyoxigraph as ox
import pytest

from lmkg.paths import QUERIES_DIR
from service.engine.catalogue import load_catalogue
from service.engine.columns import ColumnSpec, read_columns
from service.pages.answer_table import fold_rows
from service.pages.readable import clean, literal_html, outcome_html, registry_url
from tests.test_web_pages import BROWSER, page

CATALOGUE = load_catalogue(QUERIES_DIR)


def lit(text):
    return ox.Literal(text)


def test_rows_that_differ_only_in_provenance_fold_into_one():
    columns = [ColumnSpec("drug", "Drug"), ColumnSpec("source", "Source", provenance=True)]
    rows = [{"drug": lit("a"), "source": lit("s1")}, {"drug": lit("a"), "source": lit("s2")},
            {"drug": lit("b"), "source": lit("s1")}]
    folded = fold_rows(rows, columns, [])
    assert [[len(cell.values) for cell in row] for row in folded] == [[1, 2], [1, 1]]


def test_a_column_may_show_the_comparator_arm_beside_the_intervention_arm():
    specs, fold = read_columns({"columns": {
        "endpoint": {}, "arm": {"from": "value", "when": {"role": "intervention"}},
        "cg": {"from": "value", "when": {"role": "control"}}}, "fold": ["endpoint"]},
        {"endpoint", "value", "role"}, "test.rq")
    rows = [{"endpoint": lit("iORR"), "value": lit("92"), "role": lit("intervention")},
            {"endpoint": lit("iORR"), "value": lit("33"), "role": lit("control")}]
    [row] = fold_rows(rows, specs, fold)
    assert [cell.values[0][0].value for cell in row] == ["iORR", "92", "33"]


def test_a_header_naming_no_variable_is_refused():
    with pytest.raises(ValueError, match="not variables"):
        read_columns({"columns": {"nothing": {}}}, {"drug"}, "test.rq")


def test_text_reads_as_people_write_it():
    assert clean(r"grade $\geq 3$") == "grade ≥ 3"
    assert clean("phase phase III") == "phase III"
    assert clean("highPenetration") == "high penetration" and clean("iORR") == "iORR"
    assert registry_url("NCT03052608") == "https://clinicaltrials.gov/study/NCT03052608"
    assert 'href="https://doi.org/10.1000/xyz"' in literal_html("10.1000/xyz")
    assert "<details" in literal_html("word " * 60)
    assert 'title="intracranial objective response rate' in literal_html("iORR was high")
    html = outcome_html("lorlatinib in CROWN (intervention arm): iORR:92%(CG:33%)")
    assert ">92% vs 33% control · CROWN<" in html


def test_treatment_options_read_one_line_per_therapy(client):
    html_page, html = page(client, "/queries/treatment-options?alteration=ALK-positive&site=brain")
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    lorlatinib = [row for row in rows if ">lorlatinib<" in row]
    assert len(lorlatinib) == 1 and "92% vs 33% control · CROWN" in lorlatinib[0]
    assert "iORR:92%(CG:33%)</td>" not in html and "004_" not in html
    assert "What the strength and evidence level mean" in html and "not a guideline" in html


def test_glossary_and_browse_lists(client):
    glossary, _ = page(client, "/glossary")
    assert {e.attrs.get("id") for e in glossary.find("dt")} >= {"iORR", "iPFS", "iDCR", "CG", "NR", "NE"}
    drugs, html = page(client, "/id/drug/")
    assert "/id/drug/osimertinib" in drugs.local_paths("/id/drug/")
    home, _ = page(client, "/")
    assert {"/id/drug/", "/id/study/", "/id/gene/"} <= set(home.local_paths("/id/"))


def test_search_says_no_match_and_reads_several_words(client):
    _, html = page(client, "/search?q=zzqqxx")
    assert "No match for" in html
    _, html = page(client, "/search?q=ALK+brain+metastases")
    assert "for “ALK”" in html and "for “brain metastases”" in html


def test_errors_are_pages_for_browsers_and_problems_for_api_clients(client):
    response = client.get("/id/drug/no-such-drug", headers=BROWSER)
    assert response.status_code == 404 and response.mimetype == "text/html"
    response = client.get("/id/drug/no-such-drug")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = client.get("/queries/evidence?entity=PD-L1&format=json", headers=BROWSER)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_text_answers_are_gzipped_when_accepted(client):
    response = client.get("/queries/trial-outcomes?trial=CROWN", headers={**BROWSER, "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    assert b"CROWN" in gzip.decompress(response.data)
    assert "Content-Encoding" not in client.get("/queries/trial-outcomes?trial=CROWN", headers=BROWSER).headers
    assert client.get("/queries/trial-outcomes.rq", headers=BROWSER).mimetype == "text/plain"


TABLE_QUERIES = [q for q in CATALOGUE.values() if q.form == "SELECT"]


@pytest.mark.parametrize("query", TABLE_QUERIES, ids=[q.name for q in TABLE_QUERIES])
def test_every_table_query_names_its_columns_and_shows_no_iri_or_file_name(client, query):
    """Each SELECT query's header lays out its table for people; its worked example's table shows names,
    never an IRI or a seed's file name as text (they stay in links and downloads)."""
    assert query.columns, f"{query.name}: no #+ columns: header"
    args = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in query.example_args().items())
    _, html = page(client, f"/queries/{query.name}?{args}")
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    visible = html_lib.unescape(re.sub(r"<[^>]+>", " ", table))
    assert "w3id.org" not in visible and "http://" not in visible and "https://" not in visible, query.name
    assert not re.search(r"\b00\d_[0-9a-f]{16}\.txt\b", visible), query.name

"""The pages for people, through the Flask test client: the home page, the search, a page per canned
query (typed form, results table, links, downloads, SPARQL), drug and trial pages with their evidence,
the outcome charts and the SPARQL editor. Expected values come from the graph (queries against the
session's release) or from the catalogue's declared answers, never from a copy of the data."""
import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from markupsafe import escape

from lmkg.paths import QUERIES_DIR
from service.engine.catalogue import expectation_failures, load_catalogue, run_canned
from service.pages.charts import outcome_panels
from service.pages.editor import editor_text, example_bindings
from tests.conftest import select
from tests.html_page import parse

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CATALOGUE = load_catalogue(QUERIES_DIR)
ID = "https://w3id.org/lungmet-kg/id/"


def page(client, path: str, status: int = 200):
    response = client.get(path, headers=BROWSER)
    assert response.status_code == status, (path, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html"
    return parse(response.get_data(as_text=True)), response.get_data(as_text=True)


def every_input_is_labelled(html_page) -> None:
    for element in html_page.elements:
        if element.tag in ("input", "select") and element.attrs.get("type") not in ("hidden", "submit"):
            assert element.attrs.get("id") and html_page.label_for(element.attrs["id"]), element


# -- home and search --------------------------------------------------------------------------------

def test_home_shows_what_the_graph_holds(client, store, release):
    html_page, html = page(client, "/")
    drugs = select(store, "PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#> "
                          "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lmkg:Drug }")[0]["n"]
    studies = select(store, "PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#> "
                            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lmkg:ClinicalStudy }")[0]["n"]
    outcomes = select(store, "PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#> "
                             "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a lmkg:OutcomeMeasurement }")[0]["n"]
    # each count is the page's text (its number may link to the browse list)
    counts = {name: re.sub(r"<[^>]+>", "", value) for name, value in re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", html)}
    assert counts["Drugs"].split()[0] == drugs and counts["Trials and studies"] == studies
    assert counts["Outcome measurements"] == outcomes
    assert counts["Sources"].startswith("5 seed documents") and "B3DB" in counts["Sources"]
    assert int(counts["Targets"].split()[0]) > 0
    assert release.id in html and str(release.date) in html
    assert html_page.find("form", action="/search", method="get")
    every_input_is_labelled(html_page)


def test_home_counts_are_computed_once_per_release(client, app, monkeypatch):
    from service.pages import views as pages
    runtime = app.extensions["lmkg"]
    runtime.per_release.pop((runtime.current.id, "home-counts"), None)
    calls = []
    counted = pages.count_things
    monkeypatch.setattr(pages, "count_things", lambda store: calls.append(1) or counted(store))
    first = client.get("/", headers=BROWSER).get_data(as_text=True)
    second = client.get("/", headers=BROWSER).get_data(as_text=True)
    assert len(calls) == 1 and first == second


def test_home_example_questions_open_their_answers(client):
    html_page, _ = page(client, "/")
    examples = [path for path in html_page.local_paths("/queries/")]
    assert {path.split("?")[0] for path in examples} == {f"/queries/{name}" for name in CATALOGUE}
    for path in examples:
        answer, _ = page(client, path)
        assert answer.find("table", **{"class": "results"}), path


@pytest.mark.parametrize("text,expected", [("osimertinib", "drug/osimertinib"), ("Osimertinib", "drug/osimertinib"),
                                           ("DRUGBANK:DB09330", "drug/osimertinib"), ("NCT03052608", "study/crown"),
                                           ("alk", "gene/alk"), ("lorlatinb", "drug/lorlatinib")])
def test_search_finds_labels_synonyms_and_identifiers(client, text, expected):
    html_page, _ = page(client, f"/search?q={text}")
    results = [e for e in html_page.find("ol", **{"class": "hits"})]
    assert results
    hits = [path for path in html_page.local_paths("/id/")]
    assert hits[0] == "/id/" + expected, hits[:5]


def test_search_without_text_shows_the_form_and_too_long_text_is_refused(client):
    html_page, html = page(client, "/search")
    assert html_page.find("input", name="q") and "result" not in html
    response = client.get("/search?q=" + "x" * 201, headers=BROWSER)
    assert response.status_code == 400 and response.mimetype == "text/html"    # a browser gets a page
    response = client.get("/search?q=" + "x" * 201)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_search_for_nothing_known_says_so(client):
    _, html = page(client, "/search?q=zzqqxx")
    assert "Nothing in the graph is named like that" in html


# -- canned query pages -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_canned_query_has_a_form_page(client, name):
    query = CATALOGUE[name]
    html_page, html = page(client, f"/queries/{name}")
    every_input_is_labelled(html_page)
    for param in query.params.values():
        field = [e for e in html_page.elements if e.attrs.get("name") == param.name and e.tag in ("input", "select")]
        assert len(field) == 1, param.name
        element = field[0]
        if param.type == "enum":
            assert element.tag == "select"
            assert {o.attrs.get("value", None) for o in html_page.find("option")} and all(
                f">{value}<" in html for value in param.values)
        elif param.type in ("decimal", "integer"):
            assert element.attrs["type"] == "number"
            assert element.attrs["step"] == ("1" if param.type == "integer" else "any")
        elif param.type == "entity":
            options = {o.attrs["value"] for o in html_page.find("option") if "value" in o.attrs}
            assert element.attrs.get("list") and options, param.name
        if param.required:
            assert "required" in element.attrs
    assert str(escape(query.text.splitlines()[-1].strip())) in html  # the SPARQL text is on the page
    assert html_page.find("a", href=f"/queries/{name}.rq")


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_canned_query_page_answers_its_example(client, name):
    query = CATALOGUE[name]
    path = f"/queries/{name}"
    args = query.example_args()
    if args:
        path += "?" + urlencode(args)
    html_page, html = page(client, path)
    assert html_page.find("table", **{"class": "results"})
    assert html_page.local_paths("/id/"), "the results link to entity pages"
    downloads = [e.attrs["href"] for e in html_page.links() if "download" in e.attrs]
    formats = {re.search(r"format=(\w+)", href).group(1) for href in downloads}
    assert formats == ({"ttl", "jsonld", "nt"} if query.form == "CONSTRUCT" else {"csv", "json", "tsv", "xml"})
    for href in downloads:
        data = client.get(href)
        assert data.status_code == 200 and data.mimetype != "text/html", href
    link = html_page.find("input", id="link")[0].attrs["value"]
    assert link.endswith(path) and html_page.find("button", **{"class": "copy", "data-copy-target": "link"})


def test_results_table_names_iris_by_their_labels(client):
    html_page, html = page(client, "/queries/drugs-by-target?target=EGFR")
    header = re.search(r'<table class="results"[^>]*>.*?<thead>(.*?)</thead>', html, re.S).group(1)
    assert "drug_label" not in header and "source_file" not in header and ">Drug<" in header
    osimertinib = [e for e in html_page.links() if e.attrs.get("href") == "/id/drug/osimertinib"]
    assert osimertinib and osimertinib[0].text == "osimertinib"


def test_a_download_is_the_same_answer_as_the_data_url(client):
    page_csv = client.get("/queries/trial-outcomes?trial=FLAURA2&format=csv").data
    accept_csv = client.get("/queries/trial-outcomes?trial=FLAURA2", headers={"Accept": "text/csv"}).data
    assert page_csv == accept_csv and b"30.2" in page_csv


def test_data_clients_still_get_data(client):
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        response = client.get("/queries/drugs-by-target?target=EGFR", headers=headers)
        assert response.mimetype in ("application/sparql-results+json", "application/json"), headers
    response = client.get("/queries/drugs-by-target", headers={"Accept": "*/*"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_a_name_nothing_has_gets_the_form_again_with_suggestions(client):
    html_page, html = page(client, "/queries/drug-profile?drug=osimertnib", status=404)
    assert "Unknown entity" in html and 'role="alert"' in html
    assert "/queries/drug-profile?drug=osimertinib" in html_page.local_paths("/queries/")
    assert html_page.find("input", name="drug")[0].attrs["value"] == "osimertnib"


def test_an_ambiguous_name_offers_the_candidates(client):
    html_page, html = page(client, "/queries/evidence?entity=PD-L1", status=409)
    chosen = {parse_qs(urlsplit(path).query)["entity"][0] for path in html_page.local_paths("/queries/evidence")
              if "entity=" in path}
    assert {f"{ID}gene/pd-l1", f"{ID}biomarker/pd-l1-expression"} <= chosen


def test_the_editor_link_of_a_query_page_carries_its_bound_text(client):
    html_page, _ = page(client, "/queries/trial-outcomes?trial=FLAURA2")
    link = [e.attrs["href"] for e in html_page.links() if e.attrs.get("href", "").startswith("/sparql#")][0]
    fragment = parse_qs(link.split("#", 1)[1])
    assert fragment["tabTitle"] == ["trial-outcomes"]
    assert f"VALUES (?trial) {{ (<{ID}study/flaura2>) }}" in fragment["query"][0]


# -- entity pages ---------------------------------------------------------------------------------------

def test_drug_page_shows_every_facet_with_its_evidence(client):
    html_page, html = page(client, "/id/drug/osimertinib")
    for heading in ("Class and targets", "Blood-brain barrier penetration", "Trials and outcomes", "Adverse events",
                    "Resistance", "Combinations and treatment options"):
        assert f">{heading}</h2>" in html, heading
    assert "third-generation EGFR-TKI" in html and "EGFR T790M" in html
    assert "/id/study/flaura2" in html_page.local_paths("/id/")
    assert "30.2" in html  # FLAURA2's iPFS median, from the trial's outcomes
    assert "osimertinib plus chemotherapy" in html
    statements = [p for p in html_page.local_paths("/id/statement/")]
    assert "/id/statement/s004-osimertinib-bbb" in statements


def test_drug_page_bbb_section_has_the_seed_claim_and_the_b3db_record(client, store):
    rows = select(store, f"""PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
        SELECT ?record WHERE {{ ?record lmkg:recordOfDrug <{ID}drug/crizotinib> }}""")
    assert rows
    html_page, html = page(client, "/id/drug/crizotinib")
    bbb = html.split('id="bbb"')[1].split("</section>")[0]
    for row in rows:
        assert row["record"].replace("https://w3id.org/lungmet-kg", "") in bbb
    assert "<q>" in bbb  # the seed's wording, linked to its statement


def test_every_evidence_link_of_a_drug_page_opens(client):
    html_page, _ = page(client, "/id/drug/lorlatinib")
    evidence = {e.attrs["href"] for e in html_page.links() if e.attrs.get("title") == "the statement and its sources"}
    assert len(evidence) > 10
    for path in evidence:
        assert client.get(path, headers=BROWSER).status_code == 200, path


def test_trial_page_shows_arms_and_every_outcome_with_its_source(client, app, store):
    html_page, html = page(client, "/id/study/crown")
    assert "lorlatinib" in html and "crizotinib" in html
    index = app.extensions["lmkg"].index()
    outcomes = run_canned(store, index, CATALOGUE["trial-outcomes"], {"trial": "CROWN"}).dicts()
    linked = set(html_page.local_paths("/id/"))
    assert {"/id/" + row["outcome"].value.split("/id/", 1)[1] for row in outcomes} <= linked
    # each row names its seed by its title, never by its file name
    assert html.count('href="/id/seed/004">Treatment of Brain Metastases') >= len(outcomes) and ">004_" not in html


def test_trial_page_draws_its_outcomes(client):
    _, html = page(client, "/id/study/flaura2")
    figure = html.split('<figure class="chart">')[1].split("</figure>")[0]
    assert "<svg" in figure and "<title>Outcomes of FLAURA2" in figure
    assert 'xlink:href="/id/study/flaura2/outcome/' in figure and "30.2 mo" in figure


def test_other_entities_list_their_statements(client):
    html_page, html = page(client, "/id/gene/egfr")
    assert "Statements that bear on it" in html and html_page.local_paths("/id/statement/")


# -- charts -------------------------------------------------------------------------------------------

def test_intracranial_chart_draws_every_study_with_arm_values(client, app, store):
    html_page, html = page(client, "/charts/intracranial-outcomes")
    figure = html.split('<figure class="chart">')[1].split("</figure>")[0]
    index = app.extensions["lmkg"].index()
    rows = run_canned(store, index, CATALOGUE["intracranial-efficacy"], {"endpoint": "iORR"}).dicts()
    for row in rows:
        if row.get("study") and row.get("value") and row.get("arm"):
            assert row["study_label"].value.split(" ")[0] in figure
            assert "/id/" + row["outcome"].value.split("/id/", 1)[1] in figure
    assert "iPFS, median" in figure and "iORR, proportion" in figure
    assert ">intervention<" in figure and ">control<" in figure


def test_a_value_for_the_whole_study_is_drawn_only_without_arm_values():
    rows = [{"value": "83", "unit_label": "percent", "arm_role_label": "intervention", "study": "A"},
            {"value": "83", "unit_label": "percent", "study": "A"},
            {"value": "50", "unit_label": "percent", "study": "B"},
            {"lower": "70", "upper": "90", "unit_label": "percent", "study": "C"}]
    panels = outcome_panels(rows, lambda r: "iORR", lambda r: r["study"])
    assert [(b.category, b.role, b.value) for b in panels[0].bars] == [("A", "intervention", 83.0),
                                                                         ("B", "not by arm", 50.0)]


# -- the SPARQL editor ----------------------------------------------------------------------------------

def test_the_endpoint_opens_the_editor_in_a_browser(client):
    html_page, html = page(client, "/sparql")
    config = json.loads(html.split('<script type="application/json" id="editor-config">')[1].split("</script>")[0])
    assert config["endpoint"].endswith("/sparql")
    assert "PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>" in config["starter"]
    assert [e["name"] for e in config["examples"]] == list(CATALOGUE)
    scripts = [e.attrs["src"] for e in html_page.find("script") if "src" in e.attrs]
    assert "/vendor/yasgui/yasgui.min.js" in scripts
    for src in scripts + [e.attrs["href"] for e in html_page.find("link", rel="stylesheet")]:
        assert client.get(src).status_code == 200, src


def test_sparql_clients_still_get_the_service_description(client):
    for accept in ("*/*", "text/turtle", None):
        response = client.get("/sparql", headers={"Accept": accept} if accept else {})
        assert response.mimetype == "text/turtle", accept


def test_only_the_editor_files_are_served_from_node_modules(client):
    assert client.get("/vendor/yasgui/yasgui.min.css").mimetype == "text/css"
    assert client.get("/vendor/yasgui/package.json").status_code == 404
    assert client.get("/vendor/yasgui/..%2F..%2F..%2Fpackage.json").status_code == 404


def test_html_pages_keep_a_same_origin_content_security_policy(client):
    for path in ("/", "/sparql", "/id/drug/osimertinib", "/queries/prevalence", "/charts/intracranial-outcomes"):
        policy = client.get(path, headers=BROWSER).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "http" not in policy, path


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_editor_examples_answer_like_their_canned_queries(client, app, name):
    """What the editor opens for a catalogue query, sent to /sparql as it stands, gives the query's
    declared answer for its worked example."""
    query = CATALOGUE[name]
    text = editor_text(query, example_bindings(query, app.extensions["lmkg"].index()))
    accept = "text/turtle" if query.form == "CONSTRUCT" else "application/sparql-results+json"
    response = client.post("/sparql", data={"query": text}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    import pyoxigraph as ox
    from service.engine.results import Result
    if query.form == "CONSTRUCT":
        result = Result("CONSTRUCT", triples=list(ox.parse(response.data, format=ox.RdfFormat.TURTLE)))
    else:
        parsed = ox.parse_query_results(response.data, format=ox.QueryResultsFormat.JSON)
        variables = [v.value for v in parsed.variables]
        result = Result("SELECT", variables, [tuple(s[v] for v in variables) for s in parsed])
    assert expectation_failures(result, query.expect[0]) == []

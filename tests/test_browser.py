"""End to end in a real browser: Debian's headless Chromium, driven by Playwright for Python, against
the live service (`lmkg serve`, tests/live.py). A person's paths through the site: search from the home
page to a drug, run a canned query from its form and follow a result to its page, see the charts drawn,
and write and run a query in the SPARQL editor — with no JavaScript error and no blocked resource.

Screenshots are written to artifacts/screenshots/ (or LMKG_ARTIFACTS_DIR) for a person to look at.
`make test` installs Chromium (apt) before it runs the suite; Playwright never downloads a browser.
"""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from lmkg.paths import REPO
from tests.live import live_server  # noqa: F401

CHROMIUM = os.environ.get("LMKG_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LMKG_ARTIFACTS_DIR", REPO / "artifacts" / "screenshots"))
# Playwright adds --headless and a fresh temporary --user-data-dir of its own
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000     # generous: the machine is shared, and a first chart renders matplotlib's fonts
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, **context_options):
    """A page in a fresh context that records every console error, page error and failed request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("requestfailed", lambda request: page.problems.append(f"{request.url}: {request.failure}"))
    return page


@pytest.fixture()
def page(browser):
    page = open_page(browser)
    yield page
    problems = page.problems
    page.context.close()
    assert problems == [], problems


def screenshot(target, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if full_page:
        target.screenshot(path=path, full_page=True)
    else:
        target.screenshot(path=path)
    assert path.stat().st_size > 1000
    return path


def assert_chart_drawn(page) -> None:
    """The first chart on the page is an inline SVG with a visible size and bars that link somewhere."""
    svg = page.locator("figure.chart svg").first
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 100, box
    bars = svg.locator("a")
    assert bars.count() > 0
    widths = page.evaluate("""svg => [...svg.querySelectorAll('a path')].map(p => p.getBBox().width)""",
                           svg.element_handle())
    assert widths and max(widths) > 10, widths


def test_search_from_home_to_a_drug_page(page, live_server):
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", name="What the graph holds")).to_be_visible()
    screenshot(page, "home", full_page=True)
    search = page.get_by_label("Name, synonym, symbol or identifier")
    search.fill("osimertinib")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=osimertinib"))
    page.get_by_role("link", name="osimertinib", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("osimertinib")
    expect(page.get_by_role("heading", name="Blood-brain barrier penetration")).to_be_visible()
    screenshot(page, "drug-osimertinib", full_page=False)
    assert_chart_drawn(page)
    screenshot(page.locator("figure.chart").first, "drug-osimertinib-chart")


def test_run_a_canned_query_from_its_form_and_follow_a_result(page, live_server):
    page.goto(live_server + "/queries/trials-for-drug")
    drug = page.get_by_label("drug")
    drug.fill("")
    drug.type("lorlatinib")
    drug.press("Enter")            # the keyboard submits the form
    expect(page).to_have_url(re.compile(r"drug=lorlatinib"))
    results = page.locator("table.results")
    expect(results).to_be_visible()
    assert results.locator("tbody tr").count() > 0
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile(r"format=csv"))
    screenshot(page, "query-trials-for-drug", full_page=True)
    results.get_by_role("link", name="CROWN", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/id/study/crown$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CROWN")
    assert_chart_drawn(page)
    screenshot(page, "trial-crown", full_page=True)


def test_copy_link_puts_the_answer_url_on_the_clipboard(browser, live_server):
    page = open_page(browser, permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/queries/drugs-by-target?target=EGFR")
    button = page.get_by_role("button", name="Copy link").first
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".copied")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == live_server + "/queries/drugs-by-target?target=EGFR"
    problems = page.problems
    page.context.close()
    assert problems == []


def test_intracranial_outcome_chart(page, live_server):
    page.goto(live_server + "/charts/intracranial-outcomes")
    assert_chart_drawn(page)
    figure = page.locator("figure.chart").first
    for panel in ("iORR, proportion (percent)", "iPFS, median (month)"):
        expect(figure.locator("svg")).to_contain_text(panel)
    screenshot(figure, "intracranial-outcomes-chart")
    figure.locator("svg a").first.click()          # a bar opens the measurement it draws
    expect(page).to_have_url(re.compile(r"/id/study/[^/]+/outcome/"))


def editor_results(page):
    return page.locator(".yasr_results >> visible=true")


def run_in_editor(page, query: str) -> None:
    """Type the query (with the lmkg and rdfs prefixes) into the editor and run it."""
    text = ("PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query)
    page.evaluate("text => window.lmkgYasgui.getTab().getYasqe().setValue(text)", text)
    page.locator(".yasqe_queryButton").first.click()


def test_editor_runs_a_query_and_a_catalogue_example(page, live_server):
    page.goto(live_server + "/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    assert "PREFIX lmkg:" in page.evaluate("window.lmkgYasgui.getTab().getYasqe().getValue()")
    run_in_editor(page, "SELECT ?drug ?label WHERE { ?drug a lmkg:ALKTKI ; rdfs:label ?label } ORDER BY ?label")
    expect(editor_results(page)).to_contain_text("lorlatinib")
    expect(page.locator(".yasr")).to_contain_text("results")
    screenshot(page, "editor-query")

    page.get_by_role("button", name="Every reported outcome of a trial or study, arm by arm").click()
    query = page.evaluate("window.lmkgYasgui.getTab().getYasqe().getValue()")
    assert "VALUES (?trial)" in query and "flaura2" in query
    page.locator(".yasqe .CodeMirror >> visible=true").first.click()
    page.keyboard.press("Control+Enter")            # the editor's keyboard shortcut runs the query
    expect(editor_results(page)).to_contain_text("30.2")
    screenshot(page, "editor-catalogue-example")


def test_editor_saves_a_query_as_a_permalink(page, live_server):
    page.goto(live_server + "/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    page.get_by_label("Title").fill("ALK inhibitors by BBB level")
    page.get_by_role("button", name="Save the current query as a permalink").click()
    saved = page.locator("#save-result a")
    expect(saved).to_have_text(re.compile(r"/saved/[0-9a-f]{32}$"))


def test_pages_read_and_work_without_javascript(browser, live_server):
    page = open_page(browser, java_script_enabled=False)
    page.goto(live_server + "/queries/intracranial-efficacy")
    page.get_by_label("endpoint").fill("iPFS")
    page.get_by_label("min_value").fill("20")
    page.get_by_role("button", name="Run the query").click()
    expect(page.locator("table.results")).to_contain_text("FLAURA2")
    expect(page.get_by_role("button", name="Copy link").first).to_be_hidden()   # needs JavaScript
    page.goto(live_server + "/id/study/flaura2")
    expect(page.locator("figure.chart svg")).to_be_visible()
    screenshot(page, "no-javascript-trial-flaura2", full_page=True)
    problems = page.problems
    page.context.close()
    assert problems == []


# Journeys of issue #15: a person's questions answered in readable pages, at desktop and phone width.
PHONE = {"width": 390, "height": 844}


def phone_screenshot(browser, url: str, name: str) -> None:
    """The page at 390 px wide: no wider than the screen (a wide table scrolls in its own box)."""
    page = open_page(browser)
    page.set_viewport_size(PHONE)
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    screenshot(page, name + "-390", full_page=True)
    problems = page.problems
    page.context.close()
    assert problems == [], problems


def answer_row(page, text: str):
    return page.locator("table.results tbody tr", has_text=text).first


def test_journey_alk_positive_brain_metastases(page, browser, live_server):
    page.goto(live_server + "/")                  # from the search box: the words lead to the options query
    page.get_by_label("Name, synonym, symbol or identifier").fill("ALK brain metastases")
    page.get_by_label("Name, synonym, symbol or identifier").press("Enter")
    page.get_by_role("link", name="Treatment options for ALK with brain metastases").click()
    expect(answer_row(page, "lorlatinib")).to_contain_text("92% vs 33% control · CROWN")
    page.goto(live_server + "/queries/treatment-options")
    page.get_by_label("alteration").fill("ALK-positive")
    page.get_by_label("site").fill("brain metastases")
    page.get_by_role("button", name="Run the query").click()
    expect(page.locator(".read-as").first).to_contain_text("ALK-positive read as")
    lorlatinib = answer_row(page, "lorlatinib")
    for text in ("phase III trial", "92% vs 33% control · CROWN", "high", "Treatment of Brain Metastases"):
        expect(lorlatinib).to_contain_text(text)
    headers = page.locator("table.results thead th").all_inner_texts()
    assert [h.split(" ")[0] for h in headers[:5]] == ["Therapy", "Strength", "Evidence", "Best", "BBB"], headers
    assert page.locator("table.results tbody tr", has_text="lorlatinib").count() == 1   # one line per therapy
    expect(page.locator("table.results")).not_to_contain_text("https://")               # no IRI as text
    expect(page.locator("table.results")).not_to_contain_text("iORR:92%(CG:33%)")
    expect(page.get_by_text("What the strength and evidence level mean")).to_be_visible()
    expect(page.locator(".scope")).to_contain_text("not a guideline")
    screenshot(page, "journey-alk-brain", full_page=True)
    page.get_by_label("Filter rows").fill("bevacizumab")           # the filter box (JavaScript)
    expect(page.locator("table.results tbody tr:visible")).to_have_count(1)
    page.get_by_label("Filter rows").fill("")
    page.locator("table.results thead button", has_text="Therapy").click()   # sorting by a column
    expect(page.locator("table.results thead th").first).to_have_attribute("aria-sort", "ascending")
    phone_screenshot(browser, page.url, "journey-alk-brain")


def test_journey_osimertinib_trials_and_intracranial_outcomes(page, browser, live_server):
    page.goto(live_server + "/id/drug/osimertinib")
    summary = page.get_by_role("complementary", name="summary")
    expect(summary).to_contain_text("best intracranial outcome")
    expect(summary.get_by_role("link", name="DRUGBANK:DB09330")).to_have_attribute("href", re.compile("drugbank"))
    assert_chart_drawn(page)
    page.get_by_role("link", name="Trials and outcomes").click()
    page.get_by_role("heading", name="FLAURA2").get_by_role("link", name="FLAURA2").click()
    expect(page).to_have_url(re.compile(r"/id/study/flaura2$"))
    assert_chart_drawn(page)
    screenshot(page.locator("figure.chart").first, "journey-flaura2-chart")
    page.goto(live_server + "/queries/trial-outcomes?trial=CROWN")
    ipfs = page.locator("table.results tbody tr", has_text="PFS").first
    headers = page.locator("table.results thead th").all_inner_texts()
    assert any("Intervention arm" in h for h in headers) and any("Control arm" in h for h in headers), headers
    expect(ipfs).to_contain_text("not reached")
    expect(page.locator("figure.chart")).to_have_count(0)
    page.goto(live_server + "/id/study/crown")
    expect(page.locator("figure.chart svg")).to_contain_text("NR (not reached)")   # a marked bar, not a missing one
    screenshot(page.locator("figure.chart").first, "journey-crown-chart")
    phone_screenshot(browser, live_server + "/id/drug/osimertinib", "journey-osimertinib")


@pytest.mark.parametrize("site, therapy", [("leptomeninges", "intrathecal pemetrexed"), ("liver", "osimertinib")])
def test_journey_leptomeningeal_and_liver_options(page, live_server, site, therapy):
    page.goto(live_server + "/queries/treatment-options?alteration=EGFR+mutation&site=" + site)
    row = answer_row(page, therapy)
    expect(row).to_be_visible()
    expect(row.locator("td").nth(2)).not_to_be_empty()              # its evidence level
    screenshot(page, f"journey-egfr-{site}", full_page=True)


def test_journey_drug_and_trial_pages(page, browser, live_server):
    page.goto(live_server + "/id/study/crown")
    expect(page.get_by_role("link", name="NCT03052608").first).to_have_attribute(
        "href", "https://clinicaltrials.gov/study/NCT03052608")
    expect(page.locator("body")).not_to_contain_text("004_")           # seeds by title, not file name
    expect(page.get_by_role("navigation", name="on this page")).to_be_visible()
    screenshot(page, "journey-trial-crown", full_page=False)
    phone_screenshot(browser, live_server + "/id/study/crown", "journey-trial-crown")
    page.goto(live_server + "/glossary")
    expect(page.locator("dt#NR")).to_be_visible()


def test_journey_write_run_save_and_reopen_a_query(page, live_server):
    page.goto(live_server + "/sparql")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    expect(page.locator(".yasqe .CodeMirror")).to_contain_text("SELECT ?drug")   # prefixes folded: starter in view
    page.evaluate("window.lmkgYasgui.getTab().getYasqe().setValue('SELECT * WHERE { ?s ?p }')")
    page.locator(".yasqe_queryButton").first.click()
    expect(page.locator(".yasr [role=alert]")).to_contain_text("Malformed query")    # read as a sentence
    expect(page.locator(".yasr")).not_to_contain_text('"status"')
    page.problems.clear()        # the 400 of the broken query is logged by the browser as a failed resource
    run_in_editor(page, "SELECT ?drug ?drug_label WHERE { ?drug a lmkg:ALKTKI ; rdfs:label ?drug_label } ORDER BY ?drug_label")
    expect(editor_results(page)).to_contain_text("lorlatinib")
    page.get_by_label("Title").fill("ALK inhibitors")
    page.get_by_role("button", name="Save the current query as a permalink").click()
    saved = page.locator("#save-result a")
    expect(saved).to_have_text(re.compile(r"/saved/[0-9a-f]{32}$"))
    page.goto(saved.get_attribute("href"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ALK inhibitors")
    expect(page.locator("table.results")).to_contain_text("lorlatinib")
    expect(page.get_by_role("link", name="Open in the SPARQL editor")).to_be_visible()
    screenshot(page, "journey-saved-query", full_page=True)


def test_journey_catalogue_to_answer_to_download(page, live_server):
    page.goto(live_server + "/queries")
    page.locator("section#trials-for-drug").get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/queries/trials-for-drug\?drug="))
    expect(page.locator("table.results")).to_be_visible()        # the answer page, not raw JSON
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename and "study" in Path(download.value.path()).read_text()
    page.goto(live_server + "/queries")
    page.get_by_role("link", name=re.compile("Every reported outcome of a trial")).click()
    expect(page).to_have_url(re.compile(r"/queries/trial-outcomes$"))


def test_journey_misspelled_ambiguous_and_empty(page, live_server):
    page.goto(live_server + "/search?q=osimertinb")
    expect(page.get_by_role("heading", name=re.compile("No match"))).to_be_visible()
    page.get_by_role("link", name="osimertinib", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("osimertinib")
    page.goto(live_server + "/search?q=ALK+brain+metastases")
    expect(page.get_by_role("heading", name=re.compile("for “ALK”"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("for “brain metastases”"))).to_be_visible()
    screenshot(page, "journey-search-several-words", full_page=True)
    page.goto(live_server + "/queries/evidence?entity=PD-L1")
    expect(page.get_by_role("alert")).to_contain_text("Ambiguous")
    expect(page.get_by_role("alert").get_by_role("link").first).not_to_have_text(re.compile("^https?://"))
    response = page.goto(live_server + "/queries/trials-for-drug?drug=")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Missing parameter")
    response = page.goto(live_server + "/id/drug/no-such-drug")
    assert response.status == 404 and "text/html" in response.headers["content-type"]   # no raw JSON
    expect(page.get_by_role("alert")).to_contain_text("Unknown entity")
    screenshot(page, "journey-unknown-entity")
    page.problems.clear()         # the 400 and 404 are logged by the browser as failed resources


def test_no_page_is_wider_than_a_phone(browser, live_server):
    page = open_page(browser)
    page.set_viewport_size(PHONE)
    for path in ["/", "/queries", "/queries/trial-outcomes?trial=FLAURA2", "/charts/intracranial-outcomes",
                 "/id/gene/alk", "/search?q=EGFR", "/glossary", "/downloads", "/api", "/ontology"]:
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    screenshot(page, "ontology-390")
    page.context.close()

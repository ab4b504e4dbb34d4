"""Text of the graph made readable on the pages: the seeds' LaTeX and doubled words cleaned, the
abbreviations explained on hover (<abbr title>) and in the glossary, registry numbers and DOIs linked,
and outcome cells ("lorlatinib in CROWN (intervention arm): iORR:92%(CG:33%)") read as arm value
versus comparator value. Everything returns HTML (markupsafe) and escapes what it is given.
"""
import re

from markupsafe import Markup, escape

# the terms a reader meets in the answers; the glossary page lists them in this order
GLOSSARY = {
    "iORR": "intracranial objective response rate: the share of patients whose brain metastases shrank "
            "or disappeared (complete or partial response)",
    "iPFS": "intracranial progression-free survival: the time until the brain metastases grow or the patient dies",
    "iDCR": "intracranial disease control rate: the share with an intracranial response or stable disease",
    "ORR": "objective response rate", "PFS": "progression-free survival", "OS": "overall survival",
    "CG": "control group: the comparator arm of a trial",
    "NR": "not reached: the median had not been reached when the trial reported (fewer than half had the event)",
    "NE": "not evaluable: the value could not be estimated",
    "BBB": "blood–brain barrier: how well a drug passes from the blood into the brain",
    "CNS": "central nervous system (brain, spinal cord and the meninges)",
    "LMD": "leptomeningeal disease: metastases in the membranes around the brain and spinal cord",
    "BM": "brain metastases",
    "TKI": "tyrosine kinase inhibitor",
    "HR": "hazard ratio: below 1 favours the intervention arm",
}
ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(GLOSSARY, key=len, reverse=True)) + r")\b")
LATEX = [(re.compile(r"\\geq?\b"), "≥"), (re.compile(r"\\leq?\b"), "≤"), (re.compile(r"\\times\b"), "×"),
         (re.compile(r"\\pm\b"), "±"), (re.compile(r"\\%"), "%"), (re.compile(r"[${}]"), "")]
DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)     # "phase phase III"
CAMEL = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]+)+$")       # "highPenetration"
NCT = re.compile(r"\bNCT\d{8}\b")
CHICTR = re.compile(r"\bChiCTR[-\w]*\d{6,}\b")
EUDRACT = re.compile(r"\d{4}-\d{6}-\d{2}")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
LONG = 140                                               # longer wording folds behind <details>
OUTCOME = re.compile(r"^(?P<given>.+?) in (?P<study>.+?)(?: \((?P<role>[^)]*) arm\))?: (?P<printed>.*)$")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
COMPARATOR = re.compile(r"\b(?:CG|control)\s*[:=]?\s*(\d+(?:\.\d+)?\s*%?)", re.IGNORECASE)


def clean(text: str) -> str:
    """The seeds' LaTeX as symbols, a word printed twice once, a camelCase name as words."""
    for pattern, symbol in LATEX:
        text = pattern.sub(symbol, text)
    text = DOUBLED.sub(r"\1", text)
    if CAMEL.match(text):
        text = re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: " " + m.group(1).lower(), text)
    return text


def abbreviate(text: str) -> Markup:
    """Escaped text with each glossary abbreviation as <abbr title>, registry numbers linked."""
    html = str(escape(text))
    html = ABBREVIATION.sub(lambda m: f'<abbr title="{escape(GLOSSARY[m.group(1)])}">{m.group(1)}</abbr>', html)
    html = NCT.sub(lambda m: f'<a href="{registry_url(m.group(0))}" rel="external">{m.group(0)}</a>', html)
    html = CHICTR.sub(lambda m: f'<a href="{registry_url(m.group(0))}" rel="external">{m.group(0)}</a>', html)
    return Markup(html)


def registry_url(number: str) -> str | None:
    """The registry page of a trial registry number (ChiCTR has no stable study URL: its search)."""
    if NCT.fullmatch(number):
        return f"https://clinicaltrials.gov/study/{number}"
    if CHICTR.fullmatch(number):
        return "https://www.chictr.org.cn/searchprojEN.html?regno=" + number
    if EUDRACT.fullmatch(number):
        return "https://www.clinicaltrialsregister.eu/ctr-search/search?query=" + number
    return None


def literal_html(text: str) -> Markup:
    """A literal as readable HTML: a DOI or registry number linked, long wording folded."""
    text = clean(text.strip())
    if DOI.match(text):
        return Markup(f'<a href="https://doi.org/{escape(text)}" rel="external">{escape(text)}</a>')
    if EUDRACT.fullmatch(text):
        return Markup(f'<a href="{registry_url(text)}" rel="external">{escape(text)}</a>')
    if len(text) <= LONG:
        return abbreviate(text)
    cut = text.rfind(" ", 0, LONG - 20)
    head = text[:cut if cut > 40 else LONG - 20]
    return Markup(f"<details class=\"more\"><summary>{abbreviate(head)}…</summary>{abbreviate(text)}</details>")


def outcome_html(text: str) -> Markup:
    """Each outcome of a " | "-separated cell as "92% vs 33% control · CROWN", the cell as printed on hover;
    a cell of another shape as readable text."""
    parts = []
    for piece in text.split(" | "):
        match = OUTCOME.match(piece)
        value = PERCENT.search(match.group("printed")) if match else None
        if not value:
            parts.append(literal_html(piece))
            continue
        comparator = COMPARATOR.search(match.group("printed"))
        versus = f" vs {comparator.group(1).replace(' ', '')} control" if comparator else ""
        parts.append(Markup('<span title="{}">{}%{} · {}</span>').format(
            clean(piece), value.group(1), versus, clean(match.group("study"))))
    return Markup("<br>").join(parts)


def local_name(iri: str) -> str:
    """A reader's name for an IRI without a label: its last path segment, as words."""
    name = re.split(r"[/#]", iri.rstrip("/"))[-1]
    return clean(name).replace("-", " ").replace("_", " ")


LEGEND = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scale ?rank ?label ?definition WHERE {
  VALUES ?scale { lmkg:RecommendationStatus lmkg:EvidenceLevel }
  ?level a ?scale ; lmkg:levelRank ?rank ; rdfs:label ?label ; skos:definition ?definition .
} ORDER BY ?scale ?rank ?label"""


def legend(store) -> dict[str, list[tuple[int, str, str]]]:
    """The two ranked scales of a claim, strongest first: {"strength": [(rank, label, definition)…],
    "evidence level": […]}, from the ontology (so the legend and the graph cannot disagree)."""
    from service.engine.query import QueryRequest
    names = {"RecommendationStatus": "strength", "EvidenceLevel": "evidence level"}
    scales: dict[str, list] = {"strength": [], "evidence level": []}
    for row in store.run(QueryRequest(LEGEND)).dicts():
        scale = names[row["scale"].value.rsplit("#", 1)[-1]]
        scales[scale].append((int(row["rank"].value), row["label"].value, row["definition"].value))
    return scales

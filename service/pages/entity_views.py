"""What the HTML page of an entity shows, by kind: a therapy (drug, regimen, local therapy), a clinical
study, or any other entity. Sections are answers of the canned queries (so each section links to the
same data as CSV or JSON), plus a few page queries for facts no canned query returns whole.

Every row keeps its evidence: the statement or measurement node, its printed wording and its source.
"""
from dataclasses import dataclass, field

from graph.vocab import BASE
from service.engine.catalogue import CannedQuery, ParameterError, run_canned
from service.pages.charts import outcome_panels, render_svg
from service.engine.query import QueryRequest
from service.pages.query_page import query_url, rows_table

LMKG = BASE + "ontology#"
THERAPY, STUDY = LMKG + "Therapy", LMKG + "ClinicalStudy"
INTRACRANIAL_ENDPOINTS = ["iORR", "iPFS"]

B3DB_RECORDS = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?drug ?record ?record_label ?class ?class_label ?group ?references ?source ?source_label WHERE {
  ?record lmkg:recordOfDrug ?drug ; rdfs:label ?record_label ; lmkg:b3dbClass ?class ; prov:wasDerivedFrom ?source .
  OPTIONAL { ?class rdfs:label ?class_label }
  OPTIONAL { ?record lmkg:b3dbGroup ?group }
  OPTIONAL { ?record lmkg:b3dbReferences ?references }
  OPTIONAL { ?source rdfs:label ?source_label }
} ORDER BY ?record_label"""

STUDY_FACTS = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?study ?fact ?value ?value_label WHERE {
  VALUES (?property ?fact) {
    (rdf:type "kind") (lmkg:acronym "acronym") (lmkg:registryNumber "registry number") (lmkg:phase "phase")
    (lmkg:studyDesign "design") (lmkg:studyPopulation "population") (lmkg:printedN "patients (as printed)")
    (lmkg:forAlteration "driver alteration") (lmkg:forSite "site") (lmkg:evidenceLevel "evidence level")
    (lmkg:pools "pools") (lmkg:describedIn "described in")
    (prov:wasDerivedFrom "source") (skos:note "note")
  }
  ?study ?property ?value .
  FILTER (?property != rdf:type || STRSTARTS(STR(?value), STR(lmkg:)))
  FILTER NOT EXISTS { ?study a ?narrower . ?narrower rdfs:subClassOf ?value . FILTER (?narrower != ?value) }
  OPTIONAL { ?value rdfs:label ?value_label FILTER (LANG(?value_label) IN ("en", "")) }
} ORDER BY ?fact ?value_label ?value"""

STUDY_ARMS = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?study ?arm ?arm_role_label ?regimen ?regimen_label ?n ?printed ?source ?source_file WHERE {
  ?study lmkg:hasArm ?arm .
  ?arm lmkg:armRole/rdfs:label ?arm_role_label ; lmkg:printedAs ?printed .
  OPTIONAL { ?arm lmkg:receives ?regimen . ?regimen rdfs:label ?regimen_label }
  OPTIONAL { ?arm lmkg:participantCount ?n }
  OPTIONAL { ?arm prov:wasDerivedFrom ?source . ?source a lmkg:SeedDocument ; dcterms:identifier ?source_file }
} ORDER BY DESC(?arm_role_label) ?arm"""


SUMMARY = """
PREFIX lmkg: <https://w3id.org/lungmet-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
SELECT ?entity ?fact ?value ?value_label WHERE {
  { ?entity a ?value . FILTER STRSTARTS(STR(?value), STR(lmkg:))
    FILTER NOT EXISTS { ?entity a ?narrower . ?narrower rdfs:subClassOf ?value . FILTER (?narrower != ?value) }
    BIND ("kind" AS ?fact) }
  UNION { ?entity dcterms:identifier ?value BIND ("identifier" AS ?fact) }
  UNION { ?entity skos:exactMatch ?value BIND ("match" AS ?fact) }
  UNION { ?entity skos:altLabel ?value BIND ("also called" AS ?fact) }
  UNION { ?entity lmkg:registryNumber ?value BIND ("registry number" AS ?fact) }
  UNION { ?entity lmkg:hasBBBPenetrationLevel ?value BIND ("BBB penetration" AS ?fact) }
  UNION { ?entity prov:wasDerivedFrom ?value . ?value a lmkg:SeedDocument BIND ("source" AS ?fact) }
  UNION { ?entity bibo:doi ?value BIND ("DOI" AS ?fact) }
  UNION { ?entity dcterms:bibliographicCitation ?value BIND ("cited as" AS ?fact) }
  UNION { ?entity a lmkg:Publication ; dcterms:title ?value BIND ("title" AS ?fact) }
  OPTIONAL { ?value rdfs:label ?value_label FILTER (LANG(?value_label) IN ("en", "")) }
} ORDER BY ?fact ?value_label ?value"""


@dataclass
class Summary:
    """The box that opens an entity page: what it is, its identifiers (linked to where they resolve), key facts."""
    facts: dict[str, list] = field(default_factory=dict)      # fact name -> terms (with labels)
    identifiers: list[tuple[str, str | None]] = field(default_factory=list)   # (identifier, URL)
    best_intracranial: list[dict] = field(default_factory=list)


def summary_of(rows: list[dict]) -> Summary:
    summary = Summary()
    matches = [row["value"].value for row in rows if row["fact"].value == "match"]
    for row in rows:
        fact = row["fact"].value
        if fact == "identifier":
            local = row["value"].value.split(":", 1)[-1]
            summary.identifiers.append((row["value"].value, next((m for m in matches if m.endswith(local)), None)))
        elif fact != "match":
            summary.facts.setdefault(fact, []).append((row["value"], row.get("value_label")))
    return summary


def best_intracranial(rows: list[dict]) -> list[dict]:
    """The highest iORR and longest median iPFS among intracranial outcome rows, with their study."""
    best = []
    for endpoint, statistic in (("iORR", None), ("iPFS", "median")):
        found = [r for r in rows if r["endpoint_label"].value == endpoint and r.get("value")
                 and (statistic is None or r["statistic_label"].value == statistic)]
        if found:
            top = max(found, key=lambda r: float(r["value"].value))
            best.append(top)
    return best


@dataclass
class Section:
    """One block of an entity page: rows of one canned query (or page query), with where they came from."""
    title: str
    rows: list[dict]
    data_url: str | None = None     # the same rows from the canned query, as data


@dataclass
class EntityView:
    kind: str                        # "therapy", "study" or "entity": which template part to use
    sections: dict[str, Section] = field(default_factory=dict)
    trials: list[dict] = field(default_factory=list)   # therapy: each study with its arms and outcomes
    chart: object = None             # inline SVG markup, or None when there is nothing to draw
    chart_title: str = ""
    summary: Summary = field(default_factory=Summary)
    side_by_side: object = None      # study: its outcomes with the arm's and the comparator's values side by side


class ViewBuilder:
    """Runs the queries of one entity page against one release."""

    def __init__(self, store, index, catalogue: dict[str, CannedQuery], iri: str):
        self.store, self.index, self.catalogue, self.iri = store, index, catalogue, iri
        self.types = index.types.get(iri, set())

    def canned(self, name: str, title: str, **args) -> Section:
        """The rows of a canned query for this entity; empty when the entity is not of a type the query
        takes (its parameter's classes)."""
        query = self.catalogue[name]
        try:
            rows = run_canned(self.store, self.index, query, args).dicts()
        except ParameterError:
            rows = []
        return Section(title, rows, query_url(name, args))

    def page_query(self, text: str, title: str, binding: str) -> Section:
        import pyoxigraph as ox
        result = self.store.run(QueryRequest(text, bindings={binding: ox.NamedNode(self.iri)}))
        return Section(title, result.dicts())

    def build(self) -> EntityView:
        is_individual = self.iri.startswith(BASE + "id/")
        if is_individual and THERAPY in self.types:
            view = self.therapy()
        elif is_individual and STUDY in self.types:
            view = self.study()
        else:
            view = EntityView("entity", {"evidence": self.canned("evidence", "Statements that bear on it", entity=self.iri)})
        view.summary = summary_of(self.page_query(SUMMARY, "Summary", "entity").rows)
        outcomes = [row for trial in view.trials for row in trial["outcomes"].rows] if view.trials \
            else view.sections.get("outcomes", Section("", [])).rows
        view.summary.best_intracranial = best_intracranial(
            [r for r in outcomes if r.get("scope_label") and r["scope_label"].value == "intracranial"])
        return view

    def therapy(self) -> EntityView:
        profile = self.canned("drug-profile", "Profile", drug=self.iri)
        by_facet = lambda facet: Section(profile.title, [r for r in profile.rows if r["facet"].value == facet],
                                         profile.data_url)
        arms = self.canned("trials-for-drug", "Trials and studies", drug=self.iri)
        view = EntityView("therapy", {
            "class": by_facet("class"), "target": by_facet("target"), "bbb": by_facet("BBB penetration"),
            "b3db": self.page_query(B3DB_RECORDS, "B3DB records", "drug"),
            "mechanism": by_facet("mechanism"), "option": by_facet("treatment option"),
            "arms": arms,
            "adverse": self.canned("adverse-events", "Adverse events", therapy=self.iri),
            "resistance": self.canned("resistance", "Resistance", drug=self.iri),
            "combinations": self.canned("combinations", "Combinations", drug=self.iri),
        })
        view.trials = self.trials_of(arms.rows)
        label = self.index.label(self.iri)
        outcomes = [row for trial in view.trials for row in trial["outcomes"].rows
                    if row.get("scope_label") and row["scope_label"].value == "intracranial"]
        view.chart_title = f"Intracranial outcomes of the studies in which {label} was given"
        view.chart = outcome_chart(outcomes, view.chart_title, per="study")
        return view

    def trials_of(self, arm_rows: list[dict]) -> list[dict]:
        """Each study in which the therapy was given: its arms that received it, and every outcome."""
        studies: dict[str, dict] = {}
        for row in arm_rows:
            study = row["study"].value
            entry = studies.setdefault(study, {"study": row["study"], "study_label": row.get("study_label"),
                                               "registry": row.get("registry"), "phase": row.get("phase"),
                                               "arms": []})
            entry["arms"].append(row)
        for study, entry in studies.items():
            entry["outcomes"] = self.canned("trial-outcomes", "Outcomes", trial=study)
        return list(studies.values())

    def study(self) -> EntityView:
        outcomes = self.canned("trial-outcomes", "Outcomes", trial=self.iri)
        view = EntityView("study", {
            "facts": self.page_query(STUDY_FACTS, "About the study", "study"),
            "arms": self.page_query(STUDY_ARMS, "Arms", "study"),
            "outcomes": outcomes,
            "evidence": self.canned("evidence", "Other statements about the study", entity=self.iri),
        })
        view.sections["evidence"].rows = [row for row in view.sections["evidence"].rows
                                          if row["type"].value != LMKG + "OutcomeMeasurement"]
        view.side_by_side = rows_table(self.catalogue["trial-outcomes"], outcomes.rows)
        view.chart_title = f"Outcomes of {self.index.label(self.iri)}, arm by arm"
        view.chart = outcome_chart(outcomes.rows, view.chart_title, per="endpoint")
        return view


def plain(row: dict) -> dict:
    return {key: term.value for key, term in row.items()}


def outcome_chart(rows: list[dict], title: str, per: str):
    """A chart of outcome rows (terms, as the canned queries return them): one panel per endpoint and
    statistic with a row per study (`per="study"`), or one panel per unit with a row per endpoint."""
    rows = [plain(row) for row in rows]

    def when(row):
        return f" ({row['timepoint']})" if row.get("timepoint") else ""

    if per == "study":
        panel_of = lambda r: f"{r['endpoint_label']}, {r['statistic_label']} ({r['unit_label']})"
        category_of = lambda r: r["study_label"] + when(r)
    else:
        panel_of = lambda r: {"percent": "Rates and proportions (%)", "month": "Medians and durations (months)"}.get(
            r["unit_label"], r["unit_label"])
        category_of = lambda r: f"{r['endpoint_label']} {r['statistic_label']}{when(r)}"
    panels = outcome_panels(rows, panel_of, category_of, href_of=lambda r: page_path(r.get("outcome")))
    return render_svg(panels, title) if panels else None


def page_path(iri: str | None) -> str | None:
    """The path of an entity's page on this service, for an IRI of ours."""
    if iri and iri.startswith(BASE + "id/"):
        return "/id/" + iri[len(BASE) + 3:]
    return None


def intracranial_chart(store, index, catalogue: dict[str, CannedQuery]) -> tuple[object, list[dict], list[str]]:
    """The chart of intracranial outcomes per study (iORR, iPFS; intervention vs control), the rows it
    draws from (every intracranial iORR and iPFS measurement), and the URLs of those rows as data."""
    query = catalogue["intracranial-efficacy"]
    rows, urls = [], []
    for endpoint in INTRACRANIAL_ENDPOINTS:
        rows += [row for row in run_canned(store, index, query, {"endpoint": endpoint}).dicts() if row.get("study")]
        urls.append(query_url(query.name, {"endpoint": endpoint}))
    title = "Intracranial outcomes per study: iORR and iPFS, intervention vs control arm"
    return outcome_chart(rows, title, per="study"), rows, urls

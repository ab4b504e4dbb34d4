"""Transform of source `seeds`: the curated YAML of graph/sources/seeds into RDF.

Every entity, study, arm, outcome and statement gets `prov:wasDerivedFrom` its seed document and,
where the seed cites one, the cited publication. Statements made of a whole class become a class
restriction, so the reasoner carries them to the class members.
"""
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import yaml
from rdflib import BNode, Graph, Literal, URIRef

from graph.vocab import (
    BIBO,
    DCTERMS,
    ID,
    LMKG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    entity_iri,
    xref_iri,
)
from lmkg.paths import ONTOLOGY_DIR

# Sections of entities.yaml -> (IRI kind, default classes)
ENTITY_SECTIONS = {
    "drugs": ("drug", []),
    "therapy_groups": ("therapy-group", ["TherapyGroup"]),
    "local_therapies": ("therapy", []),
    "regimens": ("regimen", ["Regimen"]),
    "genes": ("gene", ["Gene"]),
    "alterations": ("alteration", ["GeneAlteration"]),
    "resistance_mechanisms": ("resistance", ["ResistanceMechanism"]),
    "biomarkers": ("biomarker", ["Biomarker"]),
    "sites": ("site", ["AnatomicalSite"]),
    "barriers": ("barrier", ["BiologicalBarrier"]),
    "diseases": ("disease", ["Disease"]),
    "metastatic_diseases": ("disease", ["MetastaticDisease"]),
    "mechanisms": ("mechanism", ["Mechanism"]),
    "adverse_events": ("adverse-event", ["AdverseEvent"]),
}
STUDY_CLASSES = {"trial": "ClinicalTrial", "pooled": "PooledAnalysis",
                 "observational": "ObservationalStudy", "meta-analysis": "MetaAnalysis"}
PHASES = {"I": "phase1", "I/II": "phase1_2", "II": "phase2", "III": "phase3"}
STATISTICS = {"median": "median", "rate": "rateAtTimepoint", "proportion": "proportion"}
INTRACRANIAL_ENDPOINTS = {"iORR", "iPFS", "iDCR", "iDoR", "localControl"}
LEVELS = {"none": "noPenetration", "low": "lowPenetration", "moderate": "moderatePenetration",
          "high": "highPenetration"}
# A mechanism's role: (effect individual, the role's statement property, the shortcut it chains to)
MECHANISM_ROLES = {"action": ("actionOfTherapy", "actionMechanism", "actsThrough"),
                   "enables": ("enablesTherapy", "enablingMechanism", "enabledBy"),
                   "limits": ("limitsTherapy", "limitingMechanism", "limitedBy"),
                   "bypasses": ("bypassedByTherapy", "bypassedMechanism", "bypasses")}
QUANTIFIERS = {"all": "allMembers", "most": "mostMembers", "some": "someMembers", "unquantified": "unquantified"}
CERTAINTIES = {"stated": "stated", "suggested": "suggested"}
PENETRATION_CLAIMS = {"crosses": "crossesUngraded", "cns-activity": "cnsActivity"}
EVIDENCE_LEVELS = {"phase3": "evidencePhase3Trial", "meta-analysis": "evidenceMetaAnalysis",
                   "pooled": "evidencePooledAnalysis", "phase2": "evidencePhase2Trial",
                   "early-phase": "evidenceEarlyPhaseTrial", "observational": "evidenceObservational",
                   "review": "evidenceReviewOpinion"}
PHASE_EVIDENCE = {"III": "phase3", "II": "phase2", "I/II": "early-phase", "I": "early-phase"}
KIND_EVIDENCE = {"pooled": "pooled", "observational": "observational", "meta-analysis": "meta-analysis"}
OBSERVATIONAL_WORDS = ("retrospective", "real-world", "real world")
ROUTES = {"intrathecal": "intrathecalRoute"}
SPECIAL_VALUES = {"NR": "notReached", "NE": "notEstimable"}
OTHER_LANGUAGES = ("zh",)  # entities.yaml: label_zh (skos:prefLabel@zh) and alt_zh (skos:altLabel@zh)
STATEMENT_CLASSES = {
    "outcome": "OutcomeMeasurement", "frequency": "FrequencyMeasurement", "bbb": "BBBPenetrationAssessment",
    "target": "TargetingStatement", "adverse-event": "AdverseEventReport", "resistance": "ResistanceReport",
    "mechanism": "MechanismStatement", "option": "TreatmentOption", "biomarker": "BiomarkerStatement",
    "finding": "Finding",
}


class CurationError(ValueError):
    """A curated record is inconsistent; the message names the record."""


def load_yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def en(text) -> Literal:
    return Literal(str(text), lang="en")


def decimal(value) -> Literal:
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


def citation_numbers(marker: str | None) -> list[int]:
    """Numbers of a printed citation marker: "[9-11]" -> 9, 10, 11; "[13, 14]" -> 13, 14."""
    numbers = []
    for part in re.findall(r"\d+(?:\s*-\s*\d+)?", marker or ""):
        low, _, high = part.partition("-")
        numbers.extend(range(int(low), int(high or low) + 1))
    return numbers


class SeedsTransform:
    def __init__(self, source_dir: Path):
        self.dir = source_dir
        self.g = Graph()
        self.iris: dict[str, URIRef] = {}
        self.labels: dict[str, str] = {}
        self.regimens: dict[tuple, str] = {}
        self.seeds: dict[str, dict] = {}
        self.study_evidence: dict[str, str] = {}
        self.publication_study: dict[str, str] = {}
        self.class_labels = ontology_labels()

    # -- identifiers ------------------------------------------------------------------------
    def register(self, slug: str, iri: URIRef, label: str) -> URIRef:
        if slug in self.iris and self.iris[slug] != iri:
            raise CurationError(f"identifier {slug!r} is used twice")
        self.iris[slug] = iri
        self.labels[slug] = label
        return iri

    def iri(self, slug: str, context: str) -> URIRef:
        if slug not in self.iris:
            raise CurationError(f"{context}: unknown identifier {slug!r}")
        return self.iris[slug]

    def seed_iri(self, key: str, context: str) -> URIRef:
        if key not in self.seeds:
            raise CurationError(f"{context}: unknown seed {key!r}")
        return entity_iri("seed", key)

    # -- provenance -------------------------------------------------------------------------
    def derive(self, node: URIRef, seed: str, cited_as: str | None, context: str) -> None:
        """Link a node to its seed document and to the publications its citation marker names."""
        self.g.add((node, PROV.wasDerivedFrom, self.seed_iri(seed, context)))
        if cited_as:
            self.g.add((node, LMKG.citedAs, Literal(cited_as)))
            for publication in self.cited_publications(seed, cited_as):
                self.g.add((node, PROV.wasDerivedFrom, self.iri(publication, context)))

    def cited_publications(self, seed: str, cited_as: str | None) -> list[str]:
        """Ids of the publications a printed citation marker names (the seed's numbering may be offset)."""
        offset = self.seeds[seed].get("citation_offset", 0)
        return [f"{seed}-ref-{number + offset}" for number in citation_numbers(cited_as)]

    # -- documents --------------------------------------------------------------------------
    def add_documents(self, data: dict) -> None:
        for pub in data["publications"]:
            iri = self.register(pub["id"], entity_iri("publication", pub["id"]), pub.get("title") or pub["id"])
            self.add_publication(iri, pub)
        for seed in data["seeds"]:
            self.seeds[seed["key"]] = seed
            self.add_seed(seed)

    def add_publication(self, iri: URIRef, pub: dict) -> None:
        g = self.g
        g.add((iri, RDF.type, LMKG.Publication))
        label = pub.get("title") or pub.get("citation") or pub["id"]
        g.add((iri, RDFS.label, en(label)))
        for key, prop in (("title", DCTERMS.title), ("citation", DCTERMS.bibliographicCitation)):
            if pub.get(key):
                g.add((iri, prop, en(pub[key])))
        if pub.get("authors"):
            g.add((iri, DCTERMS.creator, Literal(pub["authors"])))
        if pub.get("year"):
            g.add((iri, DCTERMS.date, Literal(str(pub["year"]), datatype=XSD.gYear)))
        if pub.get("doi"):
            g.add((iri, BIBO.doi, Literal(pub["doi"])))
        if pub.get("number"):
            g.add((iri, LMKG.referenceNumber, Literal(int(pub["number"]))))
        if pub.get("note"):
            g.add((iri, SKOS.note, en(pub["note"])))

    def add_seed(self, seed: dict) -> None:
        g, iri = self.g, entity_iri("seed", seed["key"])
        self.register(f"seed-{seed['key']}", iri, seed["file"])
        g.add((iri, RDF.type, LMKG.SeedDocument))
        g.add((iri, DCTERMS.identifier, Literal(seed["file"])))
        title = seed.get("title")
        # people read a seed by its title; one without a printed title by its curated label (never its file name)
        label = title or seed.get("label") or f"{seed['authors'][0]} et al. ({seed['kind'].replace('-', ' ')})"
        g.add((iri, RDFS.label, en(label)))
        if title:
            g.add((iri, DCTERMS.title, en(title)))
        for author in seed.get("authors", []):
            g.add((iri, DCTERMS.creator, Literal(author)))
        for language in seed.get("languages", []):
            g.add((iri, DCTERMS.language, Literal(language)))
        if seed.get("description"):
            g.add((iri, DCTERMS.description, en(seed["description"])))
        if seed.get("publication"):
            g.add((iri, PROV.wasDerivedFrom, self.iri(seed["publication"], f"seed {seed['key']}")))

    # -- entities ---------------------------------------------------------------------------
    def add_entities(self, data: dict) -> None:
        for section, (kind, _) in ENTITY_SECTIONS.items():
            for record in data.get(section, []):
                self.register(record["id"], entity_iri(kind, record["id"]), record["label"])
        for section, (_, default_classes) in ENTITY_SECTIONS.items():
            for record in data.get(section, []):
                self.add_entity(record, default_classes)

    def add_entity(self, record: dict, default_classes: list[str]) -> None:
        g, slug = self.g, record["id"]
        iri, context = self.iris[slug], f"entity {slug}"
        g.add((iri, RDF.type, OWL.NamedIndividual))
        for cls in record.get("classes", []) + default_classes:
            g.add((iri, RDF.type, LMKG[cls]))
        for cls in record.get("curator_classes", []):  # no seed states these: kept for search, not reasoned on
            if not record.get("class_basis"):
                raise CurationError(f"{context}: curator_classes need a class_basis")
            g.add((iri, LMKG.curatorClassification, LMKG[cls]))
        g.add((iri, RDFS.label, en(record["label"])))
        for alt in record.get("alt", []):
            g.add((iri, SKOS.altLabel, en(alt)))
        for language in OTHER_LANGUAGES:  # names a seed prints in another language (seed 003: Chinese)
            if record.get(f"label_{language}"):
                g.add((iri, SKOS.prefLabel, Literal(record[f"label_{language}"], lang=language)))
            for alt in record.get(f"alt_{language}", []):
                g.add((iri, SKOS.altLabel, Literal(alt, lang=language)))
        for curie in record.get("xrefs", []):
            g.add((iri, SKOS.exactMatch, xref_iri(curie)))
            g.add((iri, DCTERMS.identifier, Literal(curie)))
        for key, prop in (("note", SKOS.note), ("class_basis", LMKG.classificationBasis)):
            if record.get(key):
                g.add((iri, prop, Literal(record[key]) if key == "class_basis" else en(record[key])))
        links = (("gene", LMKG.alterationOf), ("primary", LMKG.primarySite), ("site", LMKG.metastaticSite),
                 ("part_of", LMKG.partOfSite), ("barrier", LMKG.involvesBarrier))
        for key, prop in links:
            if record.get(key):
                g.add((iri, prop, self.iri(record[key], context)))
        if record.get("term"):
            g.add((iri, LMKG.ontologyTerm, LMKG[record["term"]]))
        if "components" in record:
            self.add_regimen_parts(iri, record, context)
        for seed in record["seeds"]:
            self.derive(iri, seed, None, context)

    def add_regimen_parts(self, iri: URIRef, record: dict, context: str) -> None:
        key = (frozenset(record["components"]), record.get("route"))
        if key in self.regimens:
            raise CurationError(f"{context}: same components as regimen {self.regimens[key]!r}")
        self.regimens[key] = record["id"]
        for component in record["components"]:
            self.g.add((iri, LMKG.hasComponent, self.iri(component, context)))
        if len(record["components"]) > 1:
            self.g.add((iri, RDF.type, LMKG.CombinationRegimen))
        if record.get("route"):
            self.g.add((iri, LMKG.route, LMKG[ROUTES[record["route"]]]))

    def therapy(self, components: list[str], route: str | None, context: str) -> URIRef:
        """The therapy an arm receives: the single therapy itself, or the declared regimen."""
        if len(components) == 1 and not route:
            return self.iri(components[0], context)
        key = (frozenset(components), route)
        if key not in self.regimens:
            raise CurationError(f"{context}: declare a regimen with components {sorted(components)} route {route}")
        return self.iris[self.regimens[key]]

    # -- studies ----------------------------------------------------------------------------
    def add_studies(self, studies: list[dict]) -> None:
        for study in studies:
            self.register(study["id"], entity_iri("study", study["id"]), study["label"])
            for registration in study.get("registrations", []):
                if "id" in registration:
                    self.register(registration["id"], entity_iri("study", registration["id"]),
                                  registration.get("acronym") or registration["registry"])
        for study in studies:
            self.add_study(study)

    def add_study(self, study: dict) -> None:
        g, slug = self.g, study["id"]
        iri, context = self.iris[slug], f"study {slug}"
        g.add((iri, RDF.type, LMKG[STUDY_CLASSES[study["kind"]]]))
        g.add((iri, RDFS.label, en(study["label"])))
        self.derive(iri, study["seed"], study.get("cited_as"), context)
        if study.get("table"):
            g.add((iri, LMKG.seedTable, Literal(f"Table {study['table']}")))
        for key, prop in (("design", LMKG.studyDesign), ("n_printed", LMKG.printedN),
                          ("population", LMKG.studyPopulation)):
            if study.get(key):
                g.add((iri, prop, Literal(study[key])))
        if study.get("note"):
            g.add((iri, SKOS.note, en(study["note"])))
        for key, prop in (("alteration", LMKG.forAlteration), ("site", LMKG.forSite)):
            if study.get(key):
                g.add((iri, prop, self.iri(study[key], context)))
        self.add_registration_facts(iri, study)
        self.add_registrations(iri, study, context)
        self.study_evidence[slug] = study_evidence(study)
        g.add((iri, LMKG.evidenceLevel, LMKG[EVIDENCE_LEVELS[self.study_evidence[slug]]]))
        arms = {arm["role"]: self.add_arm(iri, study, arm) for arm in study.get("arms", [])}
        for outcome in study.get("outcomes", []):
            self.add_table_outcome(study, arms, outcome)

    def add_registration_facts(self, iri: URIRef, record: dict) -> None:
        g = self.g
        if record.get("registry"):
            g.add((iri, LMKG.registryNumber, Literal(str(record["registry"]))))
        if record.get("registry_scheme"):
            g.add((iri, LMKG.registryScheme, Literal(record["registry_scheme"])))
        if record.get("acronym"):
            g.add((iri, LMKG.acronym, Literal(record["acronym"])))
            g.add((iri, SKOS.altLabel, en(record["acronym"])))
        if record.get("phase"):
            g.add((iri, LMKG.phase, LMKG[PHASES[str(record["phase"])]]))

    def add_registrations(self, iri: URIRef, study: dict, context: str) -> None:
        registrations = study.get("registrations", [])
        if len(registrations) == 1 and "id" not in registrations[0]:
            self.add_registration_facts(iri, registrations[0])
            return
        for registration in registrations:
            part = self.iri(registration["id"], context)
            self.g.add((part, RDF.type, LMKG.ClinicalTrial))
            self.g.add((part, RDFS.label, en(registration.get("acronym") or registration["registry"])))
            self.add_registration_facts(part, registration)
            self.derive(part, study["seed"], study.get("cited_as"), context)
            self.g.add((iri, LMKG.pools, part))

    def add_arm(self, study_iri: URIRef, study: dict, arm: dict) -> URIRef:
        g, context = self.g, f"study {study['id']} arm {arm['role']}"
        iri = URIRef(f"{study_iri}/arm/{arm['role']}")
        g.add((iri, RDF.type, LMKG.TrialArm))
        g.add((study_iri, LMKG.hasArm, iri))
        g.add((iri, LMKG.armRole, LMKG[f"{arm['role']}Arm"]))
        therapy = self.therapy(arm["receives"], arm.get("route"), context)
        g.add((iri, LMKG.receives, therapy))
        g.add((iri, LMKG.printedAs, Literal(arm["printed"])))
        g.add((iri, RDFS.label, en(f"{study['label']} {arm['role']} arm: {arm['printed']}")))
        for n in arm.get("n", []):
            g.add((iri, LMKG.participantCount, Literal(int(n))))
        if arm.get("note"):
            g.add((iri, SKOS.note, en(arm["note"])))
        self.derive(iri, study["seed"], study.get("cited_as"), context)
        return iri

    def add_table_outcome(self, study: dict, arms: dict, outcome: dict) -> None:
        for role in ("intervention", "control"):
            if role not in outcome:
                continue
            context = f"study {study['id']} outcome {outcome['printed']!r} ({role})"
            if role not in arms:
                raise CurationError(f"{context}: the study has no {role} arm")
            slug = outcome_slug(outcome, role)
            iri = URIRef(f"{self.iris[study['id']]}/outcome/{slug}")
            if (iri, RDF.type, LMKG.OutcomeMeasurement) in self.g:
                raise CurationError(f"{context}: outcome identifier {slug!r} is used twice")
            self.g.add((iri, LMKG.ofArm, arms[role]))
            self.g.add((iri, LMKG.inStudy, self.iris[study["id"]]))
            self.add_measurement(iri, outcome, outcome[role], context)
            self.g.add((iri, LMKG.evidenceLevel, LMKG[EVIDENCE_LEVELS[self.study_evidence[study["id"]]]]))
            label = f"{study['label']} {role} arm: {outcome['printed']}"
            self.g.add((iri, RDFS.label, en(label)))
            self.g.add((iri, LMKG.printedAs, Literal(outcome["printed"])))
            if outcome.get("note"):
                self.g.add((iri, SKOS.note, en(outcome["note"])))
            self.derive(iri, study["seed"], study.get("cited_as"), context)

    def add_measurement(self, iri: URIRef, record: dict, value, context: str) -> None:
        """Endpoint, scope, statistic, value(s), qualifier, unit and time point of an outcome."""
        g = self.g
        g.add((iri, RDF.type, LMKG.OutcomeMeasurement))
        endpoint = record["endpoint"]
        g.add((iri, LMKG.endpoint, LMKG[endpoint]))
        scope = "intracranial" if endpoint in INTRACRANIAL_ENDPOINTS else "systemic"
        g.add((iri, LMKG.scope, LMKG[scope]))
        g.add((iri, LMKG.statistic, LMKG[STATISTICS[record["statistic"]]]))
        g.add((iri, LMKG.unit, LMKG[record["unit"]]))
        self.add_value(iri, record, value, context)
        if record.get("statistic") == "rate":
            if record.get("timepoint_months") is not None:
                g.add((iri, LMKG.timepointMonths, decimal(record["timepoint_months"])))
                g.add((iri, LMKG.timepointLabel, Literal(record["timepoint"])))
            else:
                g.add((iri, LMKG.valueQualifier, LMKG.timepointNotPrinted))

    def add_value(self, iri: URIRef, record: dict, value, context: str) -> None:
        g = self.g
        if isinstance(value, str) and value in SPECIAL_VALUES:
            g.add((iri, LMKG.valueQualifier, LMKG[SPECIAL_VALUES[value]]))
        elif value is not None:
            g.add((iri, LMKG.value, decimal(value)))
        elif "lower" in record and "upper" in record:
            g.add((iri, LMKG.lowerValue, decimal(record["lower"])))
            g.add((iri, LMKG.upperValue, decimal(record["upper"])))
        else:
            raise CurationError(f"{context}: no value")
        if record.get("qualifier"):
            g.add((iri, LMKG.valueQualifier, LMKG[record["qualifier"]]))

    # -- statements -------------------------------------------------------------------------
    def add_statements(self, statements: list[dict]) -> None:
        seen = set()
        for record in statements:
            if record["id"] in seen:
                raise CurationError(f"statement {record['id']!r} is used twice")
            seen.add(record["id"])
            self.add_statement(record)

    def add_statement(self, record: dict) -> None:
        g, context = self.g, f"statement {record['id']}"
        iri = entity_iri("statement", record["id"])
        kind = record["type"]
        g.add((iri, RDF.type, LMKG[STATEMENT_CLASSES[kind]]))
        subject_label = self.add_subject(iri, record, context)
        g.add((iri, RDFS.label, en(f"{subject_label}: {statement_summary(record, self.labels)}")))
        g.add((iri, LMKG.printedAs, Literal(record["printed"])))
        if record.get("text"):
            g.add((iri, LMKG.claimText, en(record["text"])))
        if record.get("note"):
            g.add((iri, SKOS.note, en(record["note"])))
        self.add_statement_links(iri, record, context)
        self.add_qualifiers(iri, record, context)
        getattr(self, "fill_" + kind.replace("-", "_"))(iri, record, context)
        self.derive(iri, record["seed"], record.get("cited_as"), context)

    def add_subject(self, iri: URIRef, record: dict, context: str) -> str:
        if record.get("about_class"):
            self.g.add((iri, LMKG.statedOfClass, LMKG[record["about_class"]]))
            return "class " + self.class_labels[record["about_class"]]
        about = record.get("about") or record.get("measured") or record.get("biomarker")
        self.g.add((iri, SCHEMA.about, self.iri(about, context)))
        return self.labels[about]

    def add_statement_links(self, iri: URIRef, record: dict, context: str) -> None:
        links = (("study", LMKG.inStudy), ("site", LMKG.forSite), ("disease", LMKG.forDisease),
                 ("alteration", LMKG.forAlteration), ("biomarker", LMKG.biomarker))
        for key, prop in links:  # one id, or a list where the seed gives the claim several contexts
            values = record.get(key) or []
            for value in [values] if isinstance(values, str) else values:
                self.g.add((iri, prop, self.iri(value, context)))
        for key, prop in (("population", LMKG.studyPopulation), ("context", LMKG.patientContext)):
            if record.get(key):
                self.g.add((iri, prop, Literal(record[key])))

    def add_qualifiers(self, iri: URIRef, record: dict, context: str) -> None:
        """Certainty, quantifier (statements of a class) and evidence level: what the seed said of the claim."""
        certainty = record.get("certainty", "stated")
        if certainty not in CERTAINTIES:
            raise CurationError(f"{context}: certainty must be one of {sorted(CERTAINTIES)}")
        self.g.add((iri, LMKG.certainty, LMKG[CERTAINTIES[certainty]]))
        if record.get("about_class"):
            if record.get("quantifier") not in QUANTIFIERS:
                raise CurationError(f"{context}: a statement of a class needs quantifier: {'|'.join(QUANTIFIERS)}")
            self.g.add((iri, LMKG.quantifier, LMKG[QUANTIFIERS[record["quantifier"]]]))
        elif record.get("quantifier"):
            raise CurationError(f"{context}: quantifier is for statements of a class (about_class)")
        self.g.add((iri, LMKG.evidenceLevel, LMKG[EVIDENCE_LEVELS[self.statement_evidence(record, context)]]))

    def statement_evidence(self, record: dict, context: str) -> str:
        """The evidence level: as curated, else that of the study the statement names, else observational
        where the seed says the data are retrospective or real-world, else that of the strongest study its
        cited references report, else the review's own statement."""
        if record.get("evidence"):
            if record["evidence"] not in EVIDENCE_LEVELS:
                raise CurationError(f"{context}: evidence must be one of {sorted(EVIDENCE_LEVELS)}")
            return record["evidence"]
        if record.get("study"):   # an id add_statement_links has already checked
            return self.study_evidence[record["study"]]
        words = f"{record['printed']} {record.get('population', '')}".lower()
        if any(word in words for word in OBSERVATIONAL_WORDS):
            return "observational"
        cited = self.cited_studies(record["seed"], record.get("cited_as"))
        return min(cited, key=list(EVIDENCE_LEVELS).index) if cited else "review"

    def cited_studies(self, seed: str, cited_as: str | None) -> list[str]:
        """Evidence levels of the studies that the publications a citation marker names report."""
        studies = (self.publication_study.get(publication) for publication in self.cited_publications(seed, cited_as))
        return [self.study_evidence[study] for study in studies if study]

    def firm(self, record: dict) -> bool:
        """A statement whose shortcut stays true when its qualifiers are ignored: stated (not hedged), and
        either about one individual or about all members of a class."""
        return record.get("certainty", "stated") == "stated" and record.get("quantifier") in (None, "all")

    def restrict(self, cls: str, prop: URIRef, value: URIRef) -> None:
        """A fact stated of a whole class: cls ⊑ prop value `value`, inherited by its members. The
        restriction's blank node is named from what it says, so two statements of one class fact give
        one axiom and every build labels it the same."""
        restriction = BNode("r" + hashlib.sha256(f"{cls} {prop} {value}".encode()).hexdigest()[:24])
        self.g.add((restriction, RDF.type, OWL.Restriction))
        self.g.add((restriction, OWL.onProperty, prop))
        self.g.add((restriction, OWL.hasValue, value))
        self.g.add((LMKG[cls], RDFS.subClassOf, restriction))

    def fill_values(self, iri, record, values, statement_prop, member_prop, context):
        """Values of a statement whose property carries a shortcut (a property chain to member_prop): only a
        firm statement may carry one, and only a firm statement of a class becomes a class restriction."""
        if not self.firm(record) and not record.get("about_class"):
            raise CurationError(f"{context}: a hedged statement about one individual cannot carry a shortcut; "
                                "record it as a finding")
        for value in values:
            self.g.add((iri, statement_prop, value))
            if record.get("about_class") and self.firm(record):
                self.restrict(record["about_class"], member_prop, value)

    def fill_outcome(self, iri, record, context):
        self.add_measurement(iri, record, record.get("value"), context)

    def fill_frequency(self, iri, record, context):
        self.g.add((iri, LMKG.measuredIn, self.iri(record["in"], context)))
        self.g.add((iri, LMKG.unit, LMKG[record.get("unit", "percent")]))
        self.add_value(iri, record, record.get("value"), context)

    def fill_bbb(self, iri, record, context):
        if bool(record.get("level")) == bool(record.get("claim")):
            raise CurationError(f"{context}: give a level where the seed grades penetration, else a claim "
                                f"({'|'.join(PENETRATION_CLAIMS)})")
        if record.get("claim"):
            self.g.add((iri, LMKG.penetrationClaim, LMKG[PENETRATION_CLAIMS[record["claim"]]]))
            return
        level = LMKG[LEVELS[record["level"]]]
        self.fill_values(iri, record, [level], LMKG.assessedLevel, LMKG.hasBBBPenetrationLevel, context)

    def fill_target(self, iri, record, context):
        targets = [self.iri(t, context) for t in record["targets"]]
        self.fill_values(iri, record, targets, LMKG.statedTarget, LMKG.targets, context)

    def fill_adverse_event(self, iri, record, context):
        events = [self.iri(e, context) for e in record["events"]]
        self.fill_values(iri, record, events, LMKG.reportedAdverseEvent, LMKG.hasAdverseEvent, context)
        if record.get("grade"):
            self.g.add((iri, LMKG.grade, Literal(record["grade"])))
        if record.get("value") is not None:
            self.g.add((iri, LMKG.value, decimal(record["value"])))
            self.g.add((iri, LMKG.unit, LMKG.percent))

    def fill_resistance(self, iri, record, context):
        mechanism = self.iri(record["mechanism"], context)
        self.fill_values(iri, record, [mechanism], LMKG.resistanceMechanism, LMKG.meetsResistance, context)
        for therapy in record.get("overcome_by", []):
            self.g.add((iri, LMKG.overcomeBy, self.iri(therapy, context)))

    def fill_mechanism(self, iri, record, context):
        """The mechanism with its role; only a firm statement gets the role's property (and so a shortcut:
        acts through, limited by, enabled by, bypasses). A hedged one keeps the mechanism and its role."""
        mechanism = self.iri(record["mechanism"], context)
        effect, role_property, shortcut = MECHANISM_ROLES[record["effect"]]
        self.g.add((iri, LMKG.mechanismEffect, LMKG[effect]))
        self.g.add((iri, LMKG.statedMechanism, mechanism))
        if not self.firm(record):
            return
        self.g.add((iri, LMKG[role_property], mechanism))
        if record.get("about_class"):
            self.restrict(record["about_class"], LMKG[shortcut], mechanism)

    def fill_option(self, iri, record, context):
        self.g.add((iri, LMKG.recommendationStatus, LMKG[record["status"]]))

    def fill_biomarker(self, iri, record, context):
        for therapy in record.get("predicts", []):
            self.g.add((iri, LMKG.predictsResponseTo, self.iri(therapy, context)))

    def fill_finding(self, iri, record, context):
        if not record.get("text"):
            raise CurationError(f"{context}: a finding needs text")

    # -- entities removed from the data --------------------------------------------------------
    def add_deprecations(self, records: list[dict]) -> None:
        """Published IRIs of removed entities: kept as owl:deprecated, with the entity that replaces
        them, so old links say what happened instead of dying (run after everything else)."""
        for record in records:
            iri, context = ID[record["iri"]], f"deprecated {record['iri']}"
            if (iri, None, None) in self.g:
                raise CurationError(f"{context}: the entity is still in the data; deprecate only removed entities")
            self.g.add((iri, OWL.deprecated, Literal(True)))
            self.g.add((iri, RDFS.label, en(record["label"])))
            self.g.add((iri, SKOS.historyNote, en(record["reason"])))
            if record.get("replaced_by"):
                replacement = ID[record["replaced_by"]]
                if (replacement, RDFS.label, None) not in self.g or (replacement, OWL.deprecated, None) in self.g:
                    raise CurationError(f"{context}: replaced_by {record['replaced_by']!r} is not an entity of the data")
                self.g.add((iri, DCTERMS.isReplacedBy, replacement))

    # -- publications reporting studies -----------------------------------------------------
    def link_publications(self, publications: list[dict]) -> None:
        for pub in publications:
            if pub.get("study"):
                self.publication_study[pub["id"]] = pub["study"]
                study = self.iri(pub["study"], f"publication {pub['id']}")
                self.g.add((study, LMKG.describedIn, self.iris[pub["id"]]))


def study_evidence(study: dict) -> str:
    """A study's evidence level from its kind and its (highest printed) phase."""
    if study["kind"] in KIND_EVIDENCE:
        return KIND_EVIDENCE[study["kind"]]
    phases = [str(r["phase"]) for r in study.get("registrations", []) if r.get("phase")]
    phases += [str(study["phase"])] if study.get("phase") else []
    for phase in ("III", "II", "I/II", "I"):
        if phase in phases:
            return PHASE_EVIDENCE[phase]
    return "review"


def outcome_slug(outcome: dict, role: str) -> str:
    parts = [outcome["endpoint"].lower(), outcome["statistic"]]
    if outcome.get("timepoint_months") is not None:
        parts.append(f"{outcome['timepoint_months']}m")
    return "-".join(parts + [role])


def ontology_labels() -> dict[str, str]:
    """English labels of the ontology's terms by local name (statements made of a class name it)."""
    ontology = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        ontology.parse(path)
    return {str(term).split("#", 1)[1]: str(label) for term, label in ontology.subject_objects(RDFS.label)
            if str(term).startswith(str(LMKG))}


def statement_summary(record: dict, labels: dict) -> str:
    """A short human label of a statement, e.g. "BBB penetration high"."""
    kind = record["type"]
    if kind == "outcome":
        value = record.get("value", f"{record.get('lower')}–{record.get('upper')}")
        return f"{record['endpoint']} {record['statistic']} {value} {record['unit']}"
    if kind == "frequency":
        value = record.get("value", f"{record.get('lower')}–{record.get('upper')}")
        return f"frequency {value}% ({record.get('population', '')})"
    if kind == "bbb":
        return f"BBB penetration {record['level']}" if record.get("level") else f"BBB: {record['claim']} (ungraded)"
    if kind == "target":
        return "targets " + ", ".join(labels[t] for t in record["targets"])
    if kind == "adverse-event":
        return "adverse events: " + ", ".join(labels[e] for e in record["events"])
    if kind == "resistance":
        return "resistance: " + labels[record["mechanism"]]
    if kind == "mechanism":
        return f"mechanism ({record['effect']}): " + labels[record["mechanism"]]
    if kind == "option":
        where = record.get("site") or record.get("disease") or ""
        where = labels.get(where if isinstance(where, str) else where[0], "")
        return f"treatment option{' for ' + where if where else ''} ({record['status']})"
    if kind == "biomarker":
        return "biomarker statement"
    return "finding"


def transform(source_dir: Path) -> Graph:
    """Build the RDF of the seeds source from its YAML files."""
    t = SeedsTransform(source_dir)
    documents = load_yaml(source_dir / "documents.yaml")
    t.add_documents(documents)
    t.add_entities(load_yaml(source_dir / "entities.yaml"))
    studies = load_yaml(source_dir / "trials.yaml").get("studies", []) + \
        load_yaml(source_dir / "studies.yaml").get("studies", [])
    t.add_studies(studies)
    t.link_publications(documents["publications"])
    t.add_statements(load_yaml(source_dir / "statements.yaml")["statements"])
    deprecated = source_dir / "deprecated.yaml"
    t.add_deprecations(load_yaml(deprecated).get("deprecated") or [] if deprecated.exists() else [])
    return t.g

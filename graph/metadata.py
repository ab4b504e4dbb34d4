"""The dataset description of a release: DCAT (dataset, distributions with media type, size and
checksum) and VoID (SPARQL endpoint, example resources, vocabularies, triple counts, class and property
partitions, one subset per named graph with its licence and where it was derived from).

It is written as `void.ttl`, loaded into the release's `meta` graph, served at `/.well-known/void` and
merged into the SPARQL service description. `graph/shapes/metadata/` holds the SHACL shapes it meets.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from graph.vocab import (BASE, DCTERMS, GRAPH_DERIVED, GRAPH_INFERRED, GRAPH_ONTOLOGY, ID, LMKG, ONTOLOGY_IRI, OWL,
                         PREFIXES, PROV, RDF, RDFS, VOID, XSD)
from lmkg.paths import SHAPES_DIR

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
METADATA_SHAPES = SHAPES_DIR / "metadata"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
SPARQL_ENDPOINT = URIRef(BASE + "sparql")
FEATURES = {"application/n-quads": "N-Quads", "application/trig": "TriG", "text/turtle": "Turtle",
            "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF_XML"}
# Classes whose first member (in IRI order) is shown as an example resource.
EXAMPLE_CLASSES = [LMKG.Drug, LMKG.ClinicalStudy, LMKG.OutcomeMeasurement, LMKG.EvidenceStatement,
                   LMKG.BBBPermeabilityRecord]
DESCRIPTION = ("An OWL knowledge graph of lung-cancer metastasis therapy (brain, leptomeningeal and liver "
               "metastases): drugs and drug classes, targets, blood-brain-barrier penetration, clinical "
               "studies with their arms and outcomes, adverse events and resistance, curated fact by fact "
               "from five seed documents with provenance, enriched with the B3DB blood-brain-barrier table "
               "and reasoned with HermiT.")
KEYWORDS = ["lung cancer", "brain metastases", "leptomeningeal metastases", "liver metastases",
            "blood-brain barrier", "targeted therapy", "immunotherapy", "knowledge graph"]


def download_url(release_id: str, file: str) -> URIRef:
    return URIRef(f"{BASE}downloads/{release_id}/{file}")


def media_type_iri(media_type: str) -> URIRef:
    return URIRef(MEDIA_TYPES + media_type)


# -- statistics of the stored data -------------------------------------------------------------------

@dataclass
class Statistics:
    """VoID counts of one named graph, or of the whole dataset (graph None)."""
    triples: int = 0
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)      # class IRI -> members
    properties: dict[str, int] = field(default_factory=dict)   # property IRI -> triples


TYPE = f"<{RDF.type}>".encode()
ENTITY_PREFIX = f"<{ID}".encode()


def statistics(lines: dict[URIRef, list[bytes]]) -> dict[str | None, Statistics]:
    """Counts and partitions per named graph (key: graph IRI) and over all of them (key: None), read
    straight from the N-Triples lines ("<s> <p> object .")."""
    stats: dict[str | None, Statistics] = {}
    every = {"subjects": set(), "objects": set(), "members": defaultdict(set)}
    for name, graph_lines in lines.items():
        subjects, objects, members, properties = set(), set(), defaultdict(set), Counter()
        for line in graph_lines:
            subject, predicate, rest = line.split(b" ", 2)
            obj = rest[:-2]
            subjects.add(subject)
            objects.add(obj)
            properties[predicate] += 1
            if predicate == TYPE and obj.startswith(b"<"):
                members[obj].add(subject)
        stats[str(name)] = Statistics(
            triples=len(graph_lines), entities=sum(1 for s in subjects if s.startswith(ENTITY_PREFIX)),
            subjects=len(subjects), objects=len(objects),
            classes={iri(c): len(m) for c, m in members.items()}, properties={iri(p): n for p, n in properties.items()})
        every["subjects"] |= subjects
        every["objects"] |= objects
        for cls, m in members.items():
            every["members"][cls] |= m
    whole = Statistics(triples=sum(s.triples for s in stats.values()),
                       entities=sum(1 for s in every["subjects"] if s.startswith(ENTITY_PREFIX)),
                       subjects=len(every["subjects"]), objects=len(every["objects"]),
                       classes={iri(c): len(m) for c, m in every["members"].items()})
    for graph_stats in stats.values():
        for prop, count in graph_stats.properties.items():
            whole.properties[prop] = whole.properties.get(prop, 0) + count
    stats[None] = whole
    return stats


def iri(token: bytes) -> str:
    return token.decode()[1:-1]


def example_resources(store: ox.Store) -> list[URIRef]:
    values = " ".join(f"<{c}>" for c in EXAMPLE_CLASSES)
    query = f"""SELECT ?class (MIN(STR(?s)) AS ?example) WHERE {{ VALUES ?class {{ {values} }}
      GRAPH ?g {{ ?s a ?class }} FILTER STRSTARTS(STR(?s), "{ID}") }} GROUP BY ?class"""
    examples = sorted(URIRef(row["example"].value) for row in store.query(query))
    if not examples:  # a dataset without those classes: any entity
        row = next(iter(store.query(f'SELECT (MIN(STR(?s)) AS ?e) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?s), "{ID}") }}')))
        examples = [URIRef(row["e"].value)] if row["e"] is not None else []
    return examples


def seed_documents(store: ox.Store) -> list[URIRef]:
    """The seed documents the data names: what the curated facts were derived from."""
    query = f"SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ ?doc a <{LMKG.SeedDocument}> }} }} ORDER BY ?doc"
    return [URIRef(row["doc"].value) for row in store.query(query)]


def vocabularies(stats: Statistics) -> list[URIRef]:
    """The namespaces of the classes and properties used (void:vocabulary)."""
    known = sorted((str(ns) for ns in PREFIXES.values()), key=len, reverse=True)
    found = set()
    for term in [*stats.classes, *stats.properties]:
        namespace = next((ns for ns in known if term.startswith(ns)), None)
        if namespace is None:
            cut = max(term.rfind("#"), term.rfind("/"))
            namespace = term[:cut + 1]
        found.add(namespace)
    return [URIRef(ns) for ns in sorted(found)]


# -- the description -----------------------------------------------------------------------------------

@dataclass
class GraphInfo:
    """What the description says of one named graph: title, licence, what it was derived from."""
    title: str
    license: URIRef
    derived_from: list[URIRef]


def graph_infos(sources: list, ontology: Graph, store: ox.Store) -> dict[URIRef, GraphInfo]:
    ontology_licence = ontology.value(ONTOLOGY_IRI, DCTERMS.license) or CC_BY
    version_iri = ontology.value(ONTOLOGY_IRI, OWL.versionIRI) or ONTOLOGY_IRI
    infos = {GRAPH_ONTOLOGY: GraphInfo("The LungMet KG ontology (TBox)", ontology_licence, [version_iri])}
    for source in sources:
        derived = [source_iri(source)]
        if source.name == "seeds":
            derived += seed_documents(store)
        infos[source.graph] = GraphInfo(source.title, source.license, derived)
    # Inferences follow from the ontology and the curated facts, under their licence.
    infos[GRAPH_INFERRED] = GraphInfo("Inferences of the HermiT reasoner (materialised)", CC_BY,
                                      [GRAPH_ONTOLOGY, *(s.graph for s in sources if s.name == "seeds")])
    # Summaries of the asserted and inferred triples (graph/derive/), computed by the build.
    infos[GRAPH_DERIVED] = GraphInfo("Summaries derived by the build for canned queries (graph/derive/)", CC_BY,
                                     [GRAPH_ONTOLOGY, *(s.graph for s in sources), GRAPH_INFERRED])
    return infos


def source_iri(source) -> URIRef:
    return URIRef(f"{BASE}source/{source.name}")


def describe_release(release, lines: dict[URIRef, list[bytes]], store: ox.Store, sources: list, ontology: Graph) -> Graph:
    """The DCAT + VoID description of a release (its files must already be written and described),
    from the N-Triples lines of its graphs and its store."""
    g = Graph()
    for prefix, namespace in {**PREFIXES, "dcat": DCAT, "spdx": SPDX, "formats": FORMATS}.items():
        g.bind(prefix, namespace)
    stats = statistics(lines)
    dataset = release.iri
    add_dataset(g, dataset, release, stats[None], example_resources(store))
    add_distributions(g, dataset, release)
    add_ontology_version(g, ontology)
    infos = graph_infos(sources, ontology, store)
    for name in sorted(release.triples):
        subset = URIRef(name)
        g.add((dataset, VOID.subset, subset))
        add_counts(g, subset, stats.get(name, Statistics()))
        info = infos.get(subset)
        if info:
            g.add((subset, DCTERMS.title, Literal(info.title, lang="en")))
            g.add((subset, DCTERMS.license, info.license))
            for origin in info.derived_from:
                g.add((subset, PROV.wasDerivedFrom, origin))
        if subset == GRAPH_DERIVED:
            add_build_activity(g, subset, release)
    for source in sources:
        add_source(g, dataset, source)
    return g  # nothing the data graphs already say: the service's default graph is their union


def add_dataset(g: Graph, dataset: URIRef, release, stats: Statistics, examples: list[URIRef]) -> None:
    for cls in (DCAT.Dataset, VOID.Dataset):
        g.add((dataset, RDF.type, cls))
    g.add((dataset, DCTERMS.title, Literal("LungMet KG", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((dataset, DCTERMS.identifier, Literal(release.id)))
    g.add((dataset, DCAT.version, Literal(release.id)))
    g.add((dataset, DCTERMS.issued, Literal(release.date, datatype=XSD.date)))
    g.add((dataset, DCTERMS.modified, Literal(release.built, datatype=XSD.dateTime)))
    g.add((dataset, DCTERMS.license, CC_BY))
    g.add((dataset, DCAT.landingPage, URIRef(BASE)))
    for keyword in KEYWORDS:
        g.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    if release.previous:
        g.add((dataset, DCAT.previousVersion, URIRef(f"{BASE}release/{release.previous}")))
    g.add((dataset, VOID.sparqlEndpoint, SPARQL_ENDPOINT))
    g.add((dataset, VOID.uriSpace, Literal(str(ID))))
    for example in examples:
        g.add((dataset, VOID.exampleResource, example))
    for vocabulary in vocabularies(stats):
        g.add((dataset, VOID.vocabulary, vocabulary))
    add_counts(g, dataset, stats)


def add_counts(g: Graph, dataset: URIRef, stats: Statistics) -> None:
    g.add((dataset, VOID.triples, Literal(stats.triples)))
    g.add((dataset, VOID.entities, Literal(stats.entities)))
    g.add((dataset, VOID.distinctSubjects, Literal(stats.subjects)))
    g.add((dataset, VOID.distinctObjects, Literal(stats.objects)))
    g.add((dataset, VOID.classes, Literal(len(stats.classes))))
    g.add((dataset, VOID.properties, Literal(len(stats.properties))))
    for cls, members in sorted(stats.classes.items()):
        partition = BNode()
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, Literal(members)))
    for prop, triples in sorted(stats.properties.items()):
        partition = BNode()
        g.add((dataset, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, URIRef(prop)))
        g.add((partition, VOID.triples, Literal(triples)))


def add_distributions(g: Graph, dataset: URIRef, release) -> None:
    for entry in release.distributions:
        url = download_url(release.id, entry["file"])
        g.add((dataset, DCAT.distribution, url))
        if entry["view"] != "ontology":
            g.add((dataset, VOID.dataDump, url))
        g.add((dataset, VOID.feature, FORMATS[FEATURES[entry["media_type"]]]))
        g.add((url, RDF.type, DCAT.Distribution))
        g.add((url, DCTERMS.title, Literal(entry["title"], lang="en")))
        g.add((url, DCAT.downloadURL, url))
        g.add((url, DCAT.accessURL, URIRef(f"{BASE}downloads/{release.id}")))
        g.add((url, DCAT.mediaType, media_type_iri(entry["media_type"])))
        g.add((url, DCAT.compressFormat, media_type_iri(entry["compression"])))
        g.add((url, DCTERMS.conformsTo, URIRef(entry["conforms_to"])))
        g.add((url, DCAT.byteSize, Literal(entry["bytes"], datatype=XSD.nonNegativeInteger)))
        g.add((url, DCTERMS.license, CC_BY))
        g.add((url, DCTERMS.issued, Literal(release.date, datatype=XSD.date)))
        checksum = BNode()
        g.add((url, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(entry["sha256"], datatype=XSD.hexBinary)))


def add_ontology_version(g: Graph, ontology: Graph) -> None:
    version_iri = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    if version_iri is None:
        return
    g.add((version_iri, RDF.type, PROV.Entity))
    g.add((version_iri, RDFS.label, Literal("LungMet KG ontology", lang="en")))
    g.add((version_iri, DCAT.version, Literal(str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)))))


def build_activity_iri(release_id: str) -> URIRef:
    return URIRef(f"{BASE}release/{release_id}#build")


def add_build_activity(g: Graph, subset: URIRef, release) -> None:
    """The build that generated a graph (the derived one): a prov:Activity ending when the release was
    written, using the graphs the subset was derived from."""
    activity = build_activity_iri(release.id)
    g.add((subset, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"lmkg build of release {release.id}", lang="en")))
    g.add((activity, PROV.endedAtTime, Literal(release.built, datatype=XSD.dateTime)))
    for origin in g.objects(subset, PROV.wasDerivedFrom):
        g.add((activity, PROV.used, origin))


def add_source(g: Graph, dataset: URIRef, source) -> None:
    iri = source_iri(source)
    g.add((dataset, PROV.wasDerivedFrom, iri))
    g.add((iri, RDF.type, PROV.Entity))
    g.add((iri, RDFS.label, Literal(source.title, lang="en")))
    g.add((iri, DCAT.version, Literal(source.version())))
    g.add((iri, DCTERMS.license, source.license))
    if source.url:
        g.add((iri, DCTERMS.source, URIRef(source.url())))


def metadata_violations(metadata: Graph) -> list:
    """SHACL violations of the description against graph/shapes/metadata/."""
    from graph.validate import load_shapes, shacl_violations
    return shacl_violations(metadata, load_shapes(METADATA_SHAPES))

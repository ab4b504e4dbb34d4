"""The dataset description: DCAT and VoID that validate against our SHACL shapes, licences and sources per
named graph, counts that match the data, served at /.well-known/void and linked from /sparql."""
from importlib import metadata as package_metadata
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from graph.metadata import DCAT, SPDX, metadata_violations
from graph.transforms import CC0, CC_BY
from graph.transforms import seed_documents
from lmkg.paths import SOURCES_DIR
from graph.vocab import DCTERMS, GRAPH, ONTOLOGY_IRI, OWL, PROV, RDF, RDFS, VOID
from tests.conftest import select


@pytest.fixture(scope="module")
def void(release) -> Graph:
    return Graph().parse(f"{release.folder}/void.ttl")


def test_description_meets_the_shapes(void):
    assert metadata_violations(void) == []


@pytest.mark.parametrize("broken", ["checksum", "licence", "byte size", "partition", "source version"])
def test_shapes_catch_a_missing_field(void, broken):
    g = Graph() + void
    if broken == "checksum":
        g.remove((None, SPDX.checksumValue, None))
    elif broken == "licence":
        g.remove((GRAPH.b3db, DCTERMS.license, None))
    elif broken == "byte size":
        distribution = next(g.subjects(RDF.type, DCAT.Distribution))
        g.set((distribution, DCAT.byteSize, Literal("big")))
    elif broken == "partition":
        g.remove((None, VOID.propertyPartition, None))
    else:
        g.remove((URIRef("https://w3id.org/lungmet-kg/source/b3db"), DCAT.version, None))
    assert metadata_violations(g), broken


def test_dataset_fields(void, release):
    dataset = release.iri
    assert (dataset, RDF.type, DCAT.Dataset) in void and (dataset, RDF.type, VOID.Dataset) in void
    assert str(void.value(dataset, DCTERMS.issued)) == release.date
    assert str(void.value(dataset, DCTERMS.identifier)) == release.id
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef("https://w3id.org/lungmet-kg/sparql")
    assert int(void.value(dataset, VOID.triples)) == sum(release.triples.values())
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert {"https://w3id.org/lungmet-kg/ontology#", "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies


def test_example_resources_are_in_the_data(void, release, store):
    examples = list(void.objects(release.iri, VOID.exampleResource))
    assert len(examples) >= 3
    for example in examples:
        assert select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{example}> ?p ?o }}")[0]["n"] != "0", example


def test_licence_and_origin_of_every_named_graph(void, release):
    licences = {name: void.value(URIRef(name), DCTERMS.license) for name in release.triples}
    assert licences == {str(GRAPH.seeds): CC_BY, str(GRAPH.b3db): CC0, str(GRAPH.ontology): CC_BY, str(GRAPH.inferred): CC_BY,
                        str(GRAPH.derived): CC_BY}
    b3db = URIRef("https://w3id.org/lungmet-kg/source/b3db")
    assert b3db in set(void.objects(GRAPH.b3db, PROV.wasDerivedFrom))
    assert str(void.value(b3db, DCAT.version)) == f"qc-b3db {package_metadata.version('qc-b3db')}"
    seeds = URIRef("https://w3id.org/lungmet-kg/source/seeds")
    version = str(void.value(seeds, DCAT.version))
    seed_files = seed_documents(SOURCES_DIR / "seeds")
    assert all(name in version for name in seed_files) and "statements.yaml" in version
    documents = {str(d) for d in void.objects(GRAPH.seeds, PROV.wasDerivedFrom)}
    assert documents >= {f"https://w3id.org/lungmet-kg/id/seed/{name[:3]}" for name in seed_files}


def test_partitions_add_up(void, release, store):
    for name, count in release.triples.items():
        partitions = list(void.objects(URIRef(name), VOID.propertyPartition))
        assert sum(int(void.value(p, VOID.triples)) for p in partitions) == count, name
    drugs = select(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a <https://w3id.org/lungmet-kg/ontology#Drug> } }")
    partition = next(p for p in void.objects(release.iri, VOID.classPartition)
                     if void.value(p, VOID["class"]) == URIRef("https://w3id.org/lungmet-kg/ontology#Drug"))
    assert int(void.value(partition, VOID.entities)) == int(drugs[0]["n"])


def test_distributions_carry_media_type_size_and_checksum(void, release):
    folder = Path(release.folder)
    for entry in release.distributions:
        url = URIRef(f"https://w3id.org/lungmet-kg/downloads/{release.id}/{entry['file']}")
        assert (release.iri, DCAT.distribution, url) in void
        assert str(void.value(url, DCAT.mediaType)).endswith("/" + entry["media_type"])
        assert str(void.value(url, DCAT.compressFormat)) == "http://www.iana.org/assignments/media-types/application/gzip"
        assert int(void.value(url, DCAT.byteSize)) == (folder / entry["file"]).stat().st_size
        checksum = void.value(url, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == entry["sha256"]


def test_ontology_carries_version_licence_and_description(release, store):
    from graph.build import load_ontology
    ontology = load_ontology()
    version_info = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    version_iri = ontology.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version_info and str(version_iri) == f"{ONTOLOGY_IRI}/{version_info}"
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == CC_BY
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description).language == "en"
    void = Graph().parse(f"{release.folder}/void.ttl")
    assert version_iri in set(void.objects(GRAPH.ontology, PROV.wasDerivedFrom))


def test_well_known_void_is_turtle_by_default_and_negotiable(client, release):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    turtle = Graph().parse(data=response.data, format="turtle")
    assert metadata_violations(turtle) == []
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=jsonld.data, format="json-ld")) == len(turtle)
    refused = client.get("/.well-known/void", headers={"Accept": "text/csv"})
    assert refused.status_code == 406 and refused.mimetype == "application/problem+json"


def test_service_description_links_the_dataset_description(client, release):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert 'rel="describedby"' in response.headers["Link"] and "/.well-known/void" in response.headers["Link"]
    g = Graph().parse(data=response.data, format="turtle")
    assert any(str(o).endswith("/.well-known/void") for o in g.objects(None, RDFS.seeAlso))
    assert (release.iri, RDF.type, DCAT.Dataset) in g and (None, DCAT.distribution, None) in g


def test_release_iri_dereferences(client, release):
    rdf = client.get(f"/release/{release.id}", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 303 and rdf.headers["Location"].endswith(f"/.well-known/void?release={release.id}")
    page = client.get(f"/release/{release.id}", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["Location"].endswith(f"/downloads/{release.id}")

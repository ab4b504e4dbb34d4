"""The SPARQL Service Description of `/sparql`, with the VoID description of the dataset it serves.

A release's description is its void.ttl, or, in remote mode, the meta graph of the store (which `lmkg
load` writes, and `lmkg load --meta-only` adds to a store bulk-loaded from the dumps). It names the
canonical w3id.org IRIs of the endpoint and the files; the deployment adds where it serves them, under
`PUBLIC_BASE_URL` (or, unset, the URL the request came to).
"""
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Response, current_app, request, url_for
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT

from graph.vocab import GRAPH_META, PREFIXES, RDF, RDFS, SD, VOID
from service.api.http import answer_headers
from service.api.problems import Problem
from service.engine.query import QueryRequest
from service.engine.results import GRAPH_TYPES, content_type

RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG"]
FORMATS = "http://www.w3.org/ns/formats/"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                  "application/ld+json": "json-ld", "application/n-quads": "nquads", "application/trig": "trig",
                  "text/plain": "nt", "application/json": "json-ld"}


META_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def void_path(release) -> Path | None:
    path = Path(release.folder) / "void.ttl" if release.folder else None
    return path if path and path.exists() else None


def release_description(release) -> Graph:
    """A release's DCAT + VoID description: its void.ttl, or the meta graph of the store that holds it."""
    path = void_path(release)
    if path:
        return parsed_void(str(path))
    runtime = current_app.extensions["lmkg"]
    return runtime.once_per_release(release.id, "description", lambda: store_description(runtime.store(release.id)))


@lru_cache(maxsize=8)
def parsed_void(path: str) -> Graph:
    """A release's void.ttl, parsed once (release folders never change)."""
    return Graph().parse(path, format="turtle")


def store_description(store) -> Graph:
    triples = store.run(QueryRequest(META_QUERY, default_graphs=(str(GRAPH_META),), limit=1_000_000)).triples
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def public_url(endpoint: str, **values) -> str:
    """This deployment's URL for a route: under PUBLIC_BASE_URL when set, else the request's own host."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    return base.rstrip("/") + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)


def deployment_statements(release, description: Graph) -> Graph:
    """Where this deployment serves the endpoint and the files, beside the canonical IRIs: the endpoint as
    another `void:sparqlEndpoint`, each file it holds as another `dcat:accessURL` (a distribution has one
    `dcat:downloadURL`, the canonical one: graph/shapes/metadata)."""
    g = Graph()
    g.add((release.iri, VOID.sparqlEndpoint, URIRef(public_url("sparql.endpoint"))))
    if void_path(release):
        for distribution, url in description.subject_objects(DCAT.downloadURL):
            name = str(url).rsplit("/", 1)[-1]
            g.add((distribution, DCAT.accessURL, URIRef(public_url("downloads.file", release_id=release.id, name=name))))
    return g


def serialize(graph: Graph, media_type: str) -> bytes:
    """RDF in any of RDFLIB_FORMATS; for the quad formats the triples are the default graph of a dataset."""
    if RDFLIB_FORMATS[media_type] in ("nquads", "trig"):
        dataset = Dataset()
        for triple in graph:
            dataset.add(triple)
        return dataset.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    return graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")


def description_graph(release, endpoint: str, void_url: str | None = None) -> Graph:
    g = Graph()
    for prefix, namespace in {**PREFIXES, "sd": SD}.items():
        g.bind(prefix, namespace)
    description = release_description(release)
    g += description
    g += deployment_statements(release, description)
    service, dataset = URIRef(endpoint), release.iri
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(FORMATS + name)))
    g.add((service, SD.defaultDataset, dataset))
    if void_url:  # the same description on its own, and the downloads it lists
        g.add((service, RDFS.seeAlso, URIRef(void_url)))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, service))
    default_graph = BNode()
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    g.add((default_graph, VOID.triples, Literal(sum(release.triples.values()))))
    for name in [*sorted(release.triples), str(GRAPH_META)]:  # meta: this VoID description
        named, described = BNode(), URIRef(name)
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, described))
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
    return g


def service_description() -> Response:
    media_type = request.accept_mimetypes.best_match(list(GRAPH_TYPES)) or "text/turtle"
    if media_type not in RDFLIB_FORMATS:
        raise Problem(406, "Not Acceptable", "the service description is available as: " + ", ".join(RDFLIB_FORMATS),
                      slug="not-acceptable")
    runtime = current_app.extensions["lmkg"]
    endpoint = public_url("sparql.endpoint")
    void_url = public_url("downloads.void")
    graph = description_graph(runtime.current, endpoint, void_url)
    body = serialize(graph, media_type)
    response = Response(body, content_type=content_type(media_type))
    response.headers["Link"] = f'<{void_url}>; rel="describedby"; type="text/turtle"'
    answer_headers(response, runtime.current.id)
    return response

"""The SPARQL Service Description of `/sparql`, with the VoID description of the dataset it serves."""
from flask import Response, current_app, request, url_for
from rdflib import BNode, Graph, Literal, URIRef

from graph.vocab import GRAPH_META, PREFIXES, RDF, RDFS, SD, VOID
from service.http import answer_headers
from service.problems import Problem
from service.results import GRAPH_TYPES, content_type

RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG"]
FORMATS = "http://www.w3.org/ns/formats/"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
                  "application/ld+json": "json-ld", "application/n-quads": "nquads", "application/trig": "trig",
                  "text/plain": "nt"}


def description_graph(release, endpoint: str, void_url: str | None = None) -> Graph:
    g = Graph()
    for prefix, namespace in {**PREFIXES, "sd": SD}.items():
        g.bind(prefix, namespace)
    g.parse(f"{release.folder}/void.ttl")
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
    endpoint = url_for("sparql.endpoint", _external=True)
    void_url = url_for("downloads.void", _external=True)
    graph = description_graph(runtime.current, endpoint, void_url)
    body = graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    response = Response(body, content_type=content_type(media_type))
    response.headers["Link"] = f'<{void_url}>; rel="describedby"; type="text/turtle"'
    answer_headers(response, runtime.current.id)
    return response

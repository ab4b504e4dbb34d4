"""The remote backend: the same queries sent through SPARQLWrapper to any SPARQL 1.1 endpoint that holds a
release loaded by `lmkg load` (Oxigraph server, Virtuoso, Fuseki, GraphDB, QLever...).

Parameters are bound as the embedded store binds them (`service.engine.query.bind_values`): a VALUES block of
escaped terms placed first in the query's WHERE group.

The release's named graphs are sent as the protocol dataset (`default-graph-uri` for the union view,
`named-graph-uri` for GRAPH patterns), so no store-specific "union default graph" setting is needed.

Requests are what every store answers: GET, or a form-encoded POST for a long query (Virtuoso 7 never
answers a POST of application/sparql-query: openlink/virtuoso-opensource#842), content negotiation by
`Accept` only (no `format=`, which Virtuoso answers 406).
"""
import ast
import json
import socket
import urllib.error
from urllib.parse import urlencode

import pyoxigraph as ox
from SPARQLWrapper import GET, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, QueryBadFormed

from graph.release import Release
from graph.vocab import GRAPH_META
from service.engine.query import QueryFailed, QueryRequest, QueryTimeout, Slots, StoreUnavailable, bind_values
from service.engine.results import Result, TooManyResults, collect, collect_triples
from service.engine.catalogue import query_form

SOLUTIONS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
USER_AGENT = "lmkg (LungMet KG service; remote mode)"
MAX_GET_LENGTH = 4000   # characters of a GET request's query string; longer requests are POSTed as a form
# Virtuoso cuts a result at its ResultSetMaxRows and says so in this header: the service refuses it (422)
# rather than serve a silently truncated answer
CAPPED_HEADER = "X-SPARQL-MaxRows"

# The release that `lmkg load` put in the store: its VoID description in the meta graph.
RELEASE_QUERY = """
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?date ?graph ?triples WHERE {
  ?dataset a void:Dataset ; dcterms:identifier ?id ; dcterms:issued ?date ; void:subset ?graph .
  ?graph void:triples ?triples .
}"""
# Its files, as the description lists them (the store holds no files: they are published elsewhere).
DISTRIBUTIONS_QUERY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX spdx: <http://spdx.org/rdf/terms#>
SELECT ?url ?title ?media ?bytes ?sha256 WHERE {
  ?dataset dcat:distribution ?distribution .
  ?distribution dcat:downloadURL ?url ; dcterms:title ?title ; dcat:mediaType ?media ; dcat:byteSize ?bytes .
  OPTIONAL { ?distribution spdx:checksum/spdx:checksumValue ?sha256 }
} ORDER BY ?url"""
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


class RemoteStore:
    """A SPARQL 1.1 endpoint holding one release; the interface of EmbeddedStore."""
    name_index_path = None   # the name index is built from the store's rows, in each worker

    def __init__(self, endpoint: str, slots: Slots, timeout: float = 30.0, release: Release | None = None):
        self.endpoint, self.slots, self.timeout = endpoint, slots, timeout
        self.release = release or self.read_release()

    # -- the store interface -------------------------------------------------------------------------
    def run(self, request: QueryRequest) -> Result:
        return self.query(request, self.timeout)

    def run_isolated(self, request: QueryRequest, timeout: float) -> Result:
        """The remote store does the work; we stop waiting at `timeout` (503). The wait holds a web
        thread, so as many as `slots` allows wait at once (503 beyond)."""
        with self.slots.held():
            return self.query(request, timeout)

    def rows(self, text: str):
        """The rows of a trusted SELECT, uncapped."""
        return iter(self.query(QueryRequest(text, limit=100_000_000), self.timeout).rows)

    def close(self) -> None:
        pass

    # -- one request ---------------------------------------------------------------------------------
    def query(self, request: QueryRequest, timeout: float) -> Result:
        text = bind_values(request.text, request.bindings)
        form = query_form(text) or "SELECT"   # no form found: the store reports the syntax error
        body = self.fetch(self.client(text, form, request, timeout), timeout, request.limit)
        if form == "CONSTRUCT":
            triples = (quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            return collect_triples(triples, request.limit)
        return collect(ox.parse_query_results(blank_node_labels(body), format=ox.QueryResultsFormat.JSON),
                       request.limit)

    def client(self, text: str, form: str, request: QueryRequest, timeout: float) -> SPARQLWrapper:
        client = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        client.setOnlyConneg(True)
        client.setTimeout(max(1, round(timeout)))
        if request.base_iri:
            text = f"BASE <{request.base_iri}> {text}"  # same line: error positions stay right
        client.setQuery(text)
        # SPARQLWrapper guesses the form with a regex that a quote in a comment can mislead (it then
        # sends the query as an update); our lexer's answer is the one that counts
        client.queryType = form
        client.addCustomHttpHeader("Accept", N_TRIPLES if form == "CONSTRUCT" else SOLUTIONS_JSON)
        default, named = self.dataset(request)
        parameters = [("query", text)]
        for name, graphs in (("default-graph-uri", default), ("named-graph-uri", named)):
            for graph in graphs:
                client.addParameter(name, graph)
                parameters.append((name, graph))
        client.setMethod(GET if len(urlencode(parameters)) <= MAX_GET_LENGTH else POST)
        client.setRequestMethod(URLENCODED)
        return client

    def dataset(self, request: QueryRequest) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The protocol dataset: the request's own, none when the text names its own (FROM), else every
        graph of the release as both the default graph (their union) and the named graphs."""
        if request.default_graphs or request.named_graphs:
            return request.default_graphs, request.named_graphs
        if request.query_dataset:
            return (), ()
        graphs = tuple(self.release.triples) + (str(GRAPH_META),)
        return graphs, graphs

    def fetch(self, client: SPARQLWrapper, timeout: float, limit: int) -> bytes:
        try:
            with client.query().response as response:
                if response.headers.get(CAPPED_HEADER):
                    raise TooManyResults(limit)
                return response.read()
        except QueryBadFormed as error:
            raise QueryFailed(f"the store rejected the query: {store_message(error)}") from None
        except (socket.timeout, TimeoutError):
            raise QueryTimeout(timeout) from None
        except urllib.error.HTTPError as error:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} answered {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                raise QueryTimeout(timeout) from None
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} cannot be reached") from None
        except (SPARQLWrapperException, ConnectionError, OSError):
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} failed to answer") from None

    # -- what the store holds ------------------------------------------------------------------------
    def read_release(self) -> Release:
        """The release recorded in the store's meta graph by `lmkg load`."""
        request = QueryRequest(RELEASE_QUERY, default_graphs=(str(GRAPH_META),))
        try:
            rows = self.query(request, self.timeout).dicts()
        except QueryTimeout:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} did not answer within "
                                   f"{self.timeout:g} s") from None
        if not rows:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} holds no LungMet KG release; "
                                   "load one with `lmkg load --endpoint ...`")
        first = rows[0]
        triples = {row["graph"].value: int(row["triples"].value) for row in rows}
        return Release(id=first["id"].value, date=first["date"].value, folder="", triples=triples,
                       build_seconds=0.0, distributions=self.distributions())

    def distributions(self) -> list[dict]:
        rows = self.query(QueryRequest(DISTRIBUTIONS_QUERY, default_graphs=(str(GRAPH_META),)), self.timeout).dicts()
        return [{"file": row["url"].value.rsplit("/", 1)[-1], "title": row["title"].value,
                 "media_type": row["media"].value.removeprefix(IANA_MEDIA_TYPES), "bytes": int(row["bytes"].value),
                 "sha256": row["sha256"].value if "sha256" in row else "", "download_url": row["url"].value}
                for row in rows]


def blank_node_labels(body: bytes) -> bytes:
    """JSON results with Virtuoso's blank-node labels (`nodeID://b10000`, which no RDF syntax allows as a
    label) made plain labels (`b10000`)."""
    if b"nodeID://" not in body:
        return body
    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("type") == "bnode":
                cell["value"] = cell["value"].removeprefix("nodeID://")
    return json.dumps(document).encode()


def store_message(error: SPARQLWrapperException) -> str:
    """The store's own error text, shortened. SPARQLWrapper keeps the response body only as the repr of
    bytes at the end of its message, so it is read back from there."""
    _, _, body = str(error).partition("Response:\n")
    try:
        text = ast.literal_eval(body).decode("utf-8", "replace")
    except (ValueError, SyntaxError, AttributeError):
        text = ""
    return " ".join(text.split())[:500] or "syntax error"

"""Query results as data (pyoxigraph terms), their serialisations, and content negotiation.

SPARQL JSON is written here directly (it is the canonical form); pyoxigraph converts it to XML, CSV
and TSV, and serialises graphs (CONSTRUCT/DESCRIBE) to every RDF format.
"""
import json
from dataclasses import dataclass, field

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# media type -> (format key, pyoxigraph format); the first of each kind is the default
SOLUTION_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/json": ox.RdfFormat.JSON_LD,   # a client asking for JSON gets JSON-LD (not 406)
}
# short names accepted in `format=` (and SPARQLWrapper's output=/results=) parameters
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle", "nt": "application/n-triples",
    "ntriples": "application/n-triples", "n-triples": "application/n-triples", "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml", "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "nquads": "application/n-quads", "trig": "application/trig", "rdf+xml": "application/rdf+xml",
    "n3": "text/turtle",
}


@dataclass
class Result:
    form: str                                  # SELECT, ASK or CONSTRUCT (DESCRIBE answers as CONSTRUCT)
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)

    @property
    def is_graph(self) -> bool:
        return self.form == "CONSTRUCT"

    def dicts(self) -> list[dict]:
        """SELECT rows as {variable: term} (unbound variables left out)."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]


class TooManyResults(Exception):
    # args hold the limit alone: the exception comes back pickled from a query worker, and unpickling
    # calls the class with its args (a message there came back as "more than the result has more than")
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit

    def __str__(self) -> str:
        return f"the result has more than {self.limit} rows; add LIMIT/OFFSET to page through it"


def collect(raw, limit: int) -> Result:
    """A pyoxigraph query result read into memory, refusing more than `limit` rows or triples."""
    if isinstance(raw, ox.QueryBoolean):
        return Result("ASK", boolean=bool(raw))
    if isinstance(raw, ox.QueryTriples):
        return collect_triples(raw, limit)
    variables = [v.value for v in raw.variables]
    rows = [tuple(solution[v] for v in variables) for solution in take(raw, limit)]
    return Result("SELECT", variables=variables, rows=rows)


def collect_triples(triples, limit: int) -> Result:
    return Result("CONSTRUCT", triples=take(triples, limit))


def take(iterable, limit: int) -> list:
    items = []
    for item in iterable:
        if len(items) == limit:
            raise TooManyResults(limit)
        items.append(item)
    return items


def term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def solutions_json(result: Result) -> bytes:
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": result.boolean}).encode()
    bindings = [{v: term_json(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


def serialize(result: Result, media_type: str) -> bytes:
    if result.is_graph:
        fmt = GRAPH_TYPES[media_type]
        items = result.triples
        if fmt.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
        return ox.serialize(items, format=fmt)
    body = solutions_json(result)
    fmt = SOLUTION_TYPES[media_type]
    if fmt == ox.QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def available_types(form: str) -> list[str]:
    return list(GRAPH_TYPES if form == "CONSTRUCT" else SOLUTION_TYPES)


def negotiate(form: str, accept, format_name: str | None = None) -> str | None:
    """The media type to answer in: an explicit format name wins, else the Accept header's best match
    (with q-values); None when nothing acceptable exists. `accept` is a werkzeug MIMEAccept."""
    offered = available_types(form)
    if format_name:
        wanted = FORMAT_NAMES.get(format_name.lower(), format_name.lower())
        if form == "CONSTRUCT":  # SPARQLWrapper names graph formats json / xml too
            wanted = {"application/sparql-results+json": "application/ld+json",
                      "application/sparql-results+xml": "application/rdf+xml"}.get(wanted, wanted)
        return wanted if wanted in offered else None
    if not accept:
        return offered[0]
    return accept.best_match(offered)


def content_type(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples", "quads", "trig"))
    return f"{media_type}; charset=utf-8" if textual else media_type

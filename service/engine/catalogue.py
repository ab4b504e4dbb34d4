"""The catalogue of canned queries: one `queries/<name>.rq` file per query, its metadata in `#+ key: value`
YAML comment lines (so the file stays valid SPARQL), its parameters typed and bound as RDF terms.

Header keys: summary, description, tags, params, expect, and optionally question (the question the
query answers for its first expected answer, shown on the home page) and columns and fold (how its
answer reads as a table for people: service/engine/columns.py). A parameter:

    #+ params:
    #+   target:
    #+     type: entity            # entity | enum | decimal | integer | string
    #+     classes: [lmkg:Gene]    # entity: the types it may resolve to
    #+     values: {high: lmkg:highPenetration}   # enum: accepted values and the terms they bind
    #+     description: …
    #+     example: EGFR
    #+     default: …              # optional parameters only
    #+     required: true

The query uses the parameter as a variable (`?target`); its value is bound to that variable as a term, in
a VALUES block joined in first (`service.engine.query.bind_values`), never spliced into the query's text. An
entity value that names nothing of the declared classes may still be read the clinical way
(service/engine/clinical.py): "ALK" binds every alteration of ALK, several VALUES rows for one variable.
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal, DecimalException, InvalidOperation, localcontext
from pathlib import Path

import pyoxigraph as ox
import yaml

from graph.vocab import PREFIXES
from service.engine import clinical
from service.engine.columns import ColumnSpec, read_columns
from service.engine.query import terms
from service.engine.resolve import NameIndex

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = {"entity", "enum", "decimal", "integer", "string"}
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_VALUE_LENGTH = 200
NUMBER_BOUND = Decimal("1e30")  # number parameters are smaller than this in size
DECIMAL_PLACES = 30


class CatalogueError(ValueError):
    """A query file is broken; the message names the file."""


class ParameterError(ValueError):
    """A parameter value cannot be bound. `status` is the HTTP status it maps to."""

    def __init__(self, status: int, title: str, detail: str, **extra):
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return str(PREFIXES[prefix]) + local
    return curie


@dataclass
class Parameter:
    name: str
    type: str
    description: str
    example: str | None = None
    default: str | None = None
    required: bool = False
    classes: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def bind(self, raw: str, index: NameIndex, catalogue: dict | None = None):
        """The RDF term (or tuple of terms) a raw value binds to, or ParameterError; `catalogue` names the
        parameters that would take an entity of another type."""
        if len(raw) > MAX_VALUE_LENGTH:
            raise ParameterError(400, "Parameter value too long",
                                 f"{self.name}: at most {MAX_VALUE_LENGTH} characters", parameter=self.name)
        if self.type == "entity":
            return self.bind_entity(raw, index, catalogue)
        if self.type == "enum":
            term = {k.casefold(): v for k, v in self.values.items()}.get(raw.strip().casefold())
            if term is None:
                raise ParameterError(400, "Invalid parameter value", f"{self.name} must be one of: "
                                     + ", ".join(self.values), parameter=self.name, allowed=list(self.values))
            return ox.NamedNode(term)
        if self.type in ("decimal", "integer"):
            return self.bind_number(raw)
        return ox.Literal(raw)

    def bind_number(self, raw: str):
        """A number below 10^30 in size; decimals are kept to 30 places (`1e-999999999` is short to send
        but a billion digits to write out) and written in plain notation, as xsd:decimal requires."""
        try:
            number = Decimal(raw.strip())
            if not number.is_finite() or number.copy_abs() >= NUMBER_BOUND \
                    or (self.type == "integer" and number != number.to_integral_value()):
                raise InvalidOperation
        except DecimalException:
            raise ParameterError(400, "Invalid parameter value", f"{self.name} must be a {self.type} number "
                                 f"between -{NUMBER_BOUND:f} and {NUMBER_BOUND:f}", parameter=self.name) from None
        if self.type == "integer":
            return ox.Literal(str(int(number)), datatype=ox.NamedNode(XSD + "integer"))
        with localcontext() as context:
            context.prec = 100
            if number.as_tuple().exponent < -DECIMAL_PLACES:
                number = number.quantize(Decimal(1).scaleb(-DECIMAL_PLACES))
        return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))

    def bind_entity(self, raw: str, index: NameIndex, catalogue: dict | None):
        allowed = set(self.classes) or None
        resolution = index.resolve(raw, allowed)
        if len(resolution.matches) == 1:
            return ox.NamedNode(resolution.matches[0])
        if resolution.matches:
            raise self.ambiguous(raw, [{"iri": iri, "label": index.label(iri)} for iri in resolution.matches])
        readings = clinical.readings(index, raw, allowed) if allowed else []
        if len({reading.targets for reading in readings}) == 1:
            found = tuple(ox.NamedNode(iri) for iri in readings[0].targets)
            return found if len(found) > 1 else found[0]
        if readings:
            raise self.ambiguous(raw, [{"iri": r.source, "label": index.label(r.source),
                                        "read_as": [index.label(t) for t in r.targets]} for r in readings])
        raise self.unknown(raw, index, resolution.suggestions, catalogue or {})

    def ambiguous(self, raw: str, candidates: list[dict]) -> ParameterError:
        detail = f"{self.name}: {raw!r} names {len(candidates)} entities"
        if any("read_as" in c for c in candidates):
            detail += ": " + "; ".join(f"{c['label']} (read as {', '.join(c['read_as'])})" for c in candidates)
        return ParameterError(409, "Ambiguous entity", detail, parameter=self.name, candidates=candidates)

    def unknown(self, raw: str, index: NameIndex, suggestions: list[str], catalogue: dict) -> ParameterError:
        """404. When the name is of something else, say what it is and which parameters take it."""
        named = sorted(iri for iri in index.candidates(raw) if index.is_primary(iri))
        missing = clinical.missing_kind(index, raw, set(self.classes)) if self.classes and not named else None
        if missing:
            gene, kind, others = missing
            return ParameterError(404, "Unknown entity", f"{self.name}: the graph has no {index.label(kind)} of "
                                  f"{index.label(gene)}; its alterations are "
                                  + ", ".join(index.label(iri) for iri in others),
                                  parameter=self.name, suggestions=[index.label(iri) for iri in others])
        if not named:
            return ParameterError(404, "Unknown entity", f"{self.name}: nothing in the graph is named {raw!r}",
                                  parameter=self.name, suggestions=suggestions)
        kinds = sorted({kind for iri in named for kind in index.kinds(iri)})
        what = " and ".join(map(article, kinds)) or "something else"
        wanted = " or ".join(index.label(c) for c in self.classes)
        detail = f"{self.name}: {raw!r} is {what}; the parameter {self.name} takes {article(wanted)}"
        # a parameter fits when it takes the entity or what the entity stands for (a gene's alterations)
        meant = {x for iri in named for x in (iri, *index.stands_for.get(iri, ()))}
        fits = fitting_parameters(catalogue, {t for iri in meant for t in index.types.get(iri, ())})
        if fits:
            detail += " — it fits " + "; ".join(f"parameter {p!r} of {', '.join(qs)}" for p, qs in fits.items())
        return ParameterError(404, "Entity of another type", detail, parameter=self.name, suggestions=suggestions,
                              entities=[{"iri": iri, "label": index.label(iri)} for iri in named], kinds=kinds,
                              fits=[{"parameter": p, "queries": qs} for p, qs in fits.items()])


def article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def fitting_parameters(catalogue: dict, types: set[str]) -> dict[str, list[str]]:
    """Parameter name -> the queries whose entity parameter of that name takes one of these types."""
    fits: dict[str, list[str]] = {}
    for query in catalogue.values():
        for param in query.params.values():
            if param.type == "entity" and set(param.classes) & types:
                fits.setdefault(param.name, []).append(query.name)
    return fits


@dataclass
class CannedQuery:
    name: str
    text: str
    summary: str
    description: str
    tags: list[str]
    params: dict[str, Parameter]
    expect: list[dict]
    form: str
    question: str = ""          # the question it answers, in a reader's words (defaults to the summary)
    columns: list[ColumnSpec] = field(default_factory=list)   # the answer's table for people, if declared
    fold: list[str] = field(default_factory=list)             # the columns that key one folded row

    def example_args(self) -> dict[str, str] | None:
        """The parameters of its first expected answer: a worked example that is known to answer."""
        if not self.expect:
            return None
        return {name: str(value) for name, value in (self.expect[0].get("params") or {}).items()}

    def bindings(self, args: dict[str, str], index: NameIndex, catalogue: dict | None = None) -> dict:
        """Terms for the given parameter values (defaults filled in); ParameterError on bad input."""
        unknown = sorted(set(args) - set(self.params))
        if unknown:
            raise ParameterError(400, "Unknown parameter", f"{self.name} takes no parameter "
                                 + ", ".join(unknown), allowed=sorted(self.params))
        bound = {}
        for name, param in self.params.items():
            raw = args.get(name, param.default)
            if raw is None or raw == "":
                if param.required:
                    raise ParameterError(400, "Missing parameter", f"{self.name} needs {name}", parameter=name)
                continue
            bound[name] = param.bind(str(raw), index, catalogue)
        return bound

    def readings(self, args: dict[str, str], bindings: dict, index: NameIndex) -> list[tuple[str, str, list[str]]]:
        """(parameter, value as given, labels of what it was read as) for each entity parameter given."""
        return [(name, args[name], [index.label(term.value) for term in terms(bindings[name])])
                for name, param in self.params.items() if param.type == "entity" and name in args and name in bindings]


def read_header(text: str) -> dict:
    lines = [line[3:] if line.startswith("#+ ") else line[2:] for line in text.splitlines() if line.startswith("#+")]
    return yaml.safe_load("\n".join(lines)) or {}


def query_form(text: str) -> str:
    from service.engine.sparql_text import analyse
    form = analyse(text).form
    return "CONSTRUCT" if form == "DESCRIBE" else form


def load_query(path: Path) -> CannedQuery:
    name = path.stem
    if not NAME.match(name):
        raise CatalogueError(f"{path.name}: a query name is lower-case letters, digits and hyphens")
    text = path.read_text(encoding="utf-8")
    try:
        header = read_header(text)
        ox.Store().query(text)  # parses the query: a broken file stops the service here
    except (yaml.YAMLError, SyntaxError) as error:
        raise CatalogueError(f"{path.name}: {error}") from None
    for key in ("summary", "description", "expect"):
        if not header.get(key):
            raise CatalogueError(f"{path.name}: the header needs `{key}`")
    params = {n: load_parameter(path, n, spec, text) for n, spec in (header.get("params") or {}).items()}
    try:
        columns, fold = read_columns(header, set(re.findall(r"[?$](\w+)", text)), path.name)
    except ValueError as error:
        raise CatalogueError(str(error)) from None
    return CannedQuery(name, text, header["summary"], header["description"], header.get("tags", []),
                       params, header["expect"], query_form(text), header.get("question") or header["summary"],
                       columns, fold)


def load_parameter(path: Path, name: str, spec: dict, text: str) -> Parameter:
    where = f"{path.name}: parameter {name}"
    if not PARAM_NAME.match(name) or not re.search(rf"[?$]{name}\b", text):
        raise CatalogueError(f"{where}: must be a variable of the query")
    if spec.get("type") not in PARAM_TYPES or not spec.get("description"):
        raise CatalogueError(f"{where}: needs a type ({', '.join(sorted(PARAM_TYPES))}) and a description")
    return Parameter(name=name, type=spec["type"], description=spec["description"],
                     example=str(spec["example"]) if spec.get("example") is not None else None,
                     default=str(spec["default"]) if spec.get("default") is not None else None,
                     required=bool(spec.get("required", False)),
                     classes=[expand(c) for c in spec.get("classes", [])],
                     values={str(k): expand(v) for k, v in (spec.get("values") or {}).items()})


def load_catalogue(folder: Path) -> dict[str, CannedQuery]:
    """Every `<name>.rq` directly in the folder (QC checks live in its qc/ subfolder)."""
    return {path.stem: load_query(path) for path in sorted(folder.glob("*.rq"))}


def run_canned(store, index: NameIndex, query: CannedQuery, args: dict[str, str], limit: int = 10_000):
    """Run a canned query with its parameters bound (in-process: catalogue queries are trusted)."""
    from service.engine.query import QueryRequest
    return store.run(QueryRequest(query.text, bindings=query.bindings(args, index), limit=limit))


def expectation_failures(result, expectation: dict) -> list[str]:
    """What an expected answer misses. An expectation names `params`, and `column` + `contains` (values
    that must appear in that column; for CONSTRUCT queries the column is `object`), and/or `min_rows`."""
    if result.is_graph:
        values = {t.object.value for t in result.triples}
        count = len(result.triples)
    else:
        column = expectation.get("column")
        values = {row.get(column).value for row in result.dicts() if row.get(column) is not None} if column else set()
        count = len(result.rows)
    failures = [f"missing {value!r} in {expectation.get('column', 'object')}"
                for value in expectation.get("contains", []) if str(value) not in values]
    if count < expectation.get("min_rows", 1):
        failures.append(f"{count} rows, expected at least {expectation.get('min_rows', 1)}")
    return failures

"""How a canned query's answer reads as a table for people, as its `#+ columns:` and `fold:` header
declares it (read with the catalogue, so a broken header stops the service at start-up):

    #+ columns:
    #+   therapy: {title: Therapy, label: therapy_label}   # an IRI column, named by its label column
    #+   best_iorr_evidence: {title: Best iORR, format: outcome}
    #+   source: {title: Source, provenance: true}
    #+   option: {hidden: true}
    #+   control: {from: value, title: Control arm, format: measure, when: {arm_role_label: control}}

Columns show in the header's order; variables the header does not name, and those marked hidden, stay
out of the table (they are in the downloads). A column may show another variable (`from`), only for rows
whose variables have the given values (`when`; null for unbound): the arm's and the comparator's value
of an outcome side by side. The measure format writes a value with its range, unit and qualifier. Rows
that differ only in their provenance columns (or, with `fold: [col, …]` in the header, rows with the same
values in those columns) fold into one row listing every distinct value, in answer order: one line per
therapy, with all its sources. The table itself is drawn by service/pages/answer_table.py.
"""
from dataclasses import dataclass, field

import pyoxigraph as ox

FORMATS = {"text", "outcome", "measure"}
UNITS = {"percent": "%", "month": " months"}


@dataclass
class ColumnSpec:
    name: str
    title: str
    label: str | None = None       # the column whose text names this column's IRI
    hidden: bool = False
    provenance: bool = False       # sources and wording: rows differing only here fold into one
    format: str = "text"           # outcome: "<given> in <study> (<role> arm): <printed>" cells
    help: str | None = None        # hover text of the column title
    source: str = ""               # the variable shown (the column's name unless `from` says otherwise)
    when: dict = field(default_factory=dict)

    def value(self, row: dict):
        """The term this column shows for a row (None when the row is not for this column)."""
        if any(getattr(row.get(k), "value", None) != v for k, v in self.when.items()):
            return None
        if self.format == "measure":
            return measure(row)
        return row.get(self.source or self.name)


def read_columns(header: dict, variables: set[str], where: str) -> tuple[list[ColumnSpec], list[str]]:
    """The column specs and fold keys a query's header declares; ValueError names what is wrong."""
    specs = []
    for name, spec in (header.get("columns") or {}).items():
        spec = spec or {}
        used = {spec.get("from", name), *(spec.get("when") or {})} | ({spec["label"]} if spec.get("label") else set())
        if used - variables:
            raise ValueError(f"{where}: column {name} uses {', '.join(sorted(used - variables))}, not variables of the query")
        if spec.get("format", "text") not in FORMATS:
            raise ValueError(f"{where}: column {name}: format is one of {', '.join(sorted(FORMATS))}")
        specs.append(ColumnSpec(name, spec.get("title") or name.replace("_", " "), spec.get("label"),
                                bool(spec.get("hidden")), bool(spec.get("provenance")),
                                spec.get("format", "text"), spec.get("help"), spec.get("from", name),
                                {k: (None if v is None else str(v)) for k, v in (spec.get("when") or {}).items()}))
    fold = list(header.get("fold") or [])
    if set(fold) - {s.name for s in specs}:
        raise ValueError(f"{where}: fold names columns the header does not declare")
    return specs, fold


def measure(row: dict):
    """An outcome's value as people write it: "30.2 months", "12–18 months", "not reached"."""
    number = getattr(row.get("value"), "value", None)
    if number is None and row.get("lower") is not None:
        number = f"{row['lower'].value}–{row['upper'].value}"
    unit = UNITS.get(getattr(row.get("unit_label"), "value", ""), "")
    qualifier = getattr(row.get("qualifier_label"), "value", None)
    if number is None and qualifier is None:
        return None
    text = f"{number}{unit}" if number is not None else ""
    text = f"{text} ({qualifier})" if text and qualifier else text or qualifier
    return ox.Literal(text)

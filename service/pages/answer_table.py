"""An answer as a table for people, laid out by the query's declared columns (service/engine/columns.py:
the `#+ columns:` header, its formats, `from`, `when` and `fold`). Rows that differ only in their provenance
columns (or have the same values in the `fold` columns) fold into one row listing every distinct value, in
answer order. A query without the header shows every variable, an IRI named by its `<name>_label` column.
"""
from dataclasses import dataclass

import pyoxigraph as ox
from markupsafe import Markup

from service.engine.columns import ColumnSpec
from service.pages.readable import PERCENT, clean, literal_html, local_name, outcome_html

COMPANION_SUFFIXES = ("_label", "_file")


def default_columns(variables: list[str]) -> list[ColumnSpec]:
    """Every variable; an IRI column shows its companion label column's text, which is not shown again
    (drug + drug_label → one "drug" column)."""
    present = set(variables)
    companions = {f"{name}{suffix}": name for name in variables for suffix in COMPANION_SUFFIXES}
    shown = []
    for name in variables:
        if name in companions and companions[name] in present:
            continue
        label = next((f"{name}{s}" for s in COMPANION_SUFFIXES if f"{name}{s}" in present), None)
        provenance = name in ("source", "printed")
        shown.append(ColumnSpec(name, name.replace("_", " "), label, provenance=provenance))
    return shown


@dataclass
class Cell:
    """The distinct values of one column over the folded rows: (term, label term) pairs."""
    values: list[tuple]


def fold_rows(rows: list[dict], columns: list[ColumnSpec], fold: list[str]) -> list[list[Cell]]:
    """Rows as lists of cells, rows with the same key folded into the first one's place."""
    keyed = [c for c in columns if c.name in fold] if fold else [c for c in columns if not c.provenance]
    groups: dict[tuple, list[list]] = {}
    for row in rows:
        key = tuple(c.value(row) for c in keyed)
        cells = groups.setdefault(key, [[] for _ in columns])
        for cell, column in zip(cells, columns):
            value = column.value(row)
            pair = (value, row.get(column.label) if column.label else None)
            if value is not None and pair not in cell:
                cell.append(pair)
    return [[Cell(values) for values in cells] for cells in groups.values()]


def cell_html(cell: Cell, column: ColumnSpec) -> Markup:
    """A cell's values as HTML, one per line: IRIs linked by their labels (never shown as IRIs), literals
    readable, outcome cells as arm value versus comparator."""
    from service.pages.views import known_label, link
    parts = []
    for term, label in cell.values:
        if isinstance(term, ox.NamedNode):
            name = getattr(label, "value", None) or known_label(term.value) or local_name(term.value)
            parts.append(link(term.value, clean(name)))
        elif column.format == "outcome":
            parts.append(outcome_html(term.value))
        else:
            parts.append(literal_html(term.value))
    return Markup("<br>").join(parts)


def sort_key(cell: Cell, column: ColumnSpec) -> str:
    """What the table's sort script orders a cell by (data-sort): a number as itself (an outcome cell by
    its first percentage), else its text."""
    if not cell.values:
        return ""
    term, label = cell.values[0]
    if column.format == "outcome":
        number = PERCENT.search(term.value.split(": ", 1)[-1])
        return number.group(1) if number else ""
    return getattr(label, "value", None) or term.value

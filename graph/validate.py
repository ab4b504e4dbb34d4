"""Validation of a build: SHACL shapes (pyshacl) and QC queries (queries/qc/*-violation.rq).

Each check that finds something yields a Violation naming the rule and the node, so a failing
build says exactly what to fix.
"""
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace

from lmkg.paths import QC_DIR, SHAPES_DIR

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    rule: str
    node: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.node}: {self.message}"


def load_shapes(folder: Path = SHAPES_DIR) -> Graph:
    shapes = Graph()
    for path in sorted(folder.glob("*.ttl")):
        shapes.parse(path)
    return shapes


def shacl_violations(data: Graph, shapes: Graph) -> list[Violation]:
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    if conforms:
        return []
    violations = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        path = report.value(result, SH.resultPath)
        violations.append(Violation(
            rule=shape_name(shapes, report.value(result, SH.sourceShape)) + (f" {path}" if path is not None else ""),
            node=str(report.value(result, SH.focusNode)),
            message=str(report.value(result, SH.resultMessage))))
    return sorted(violations, key=str)


def shape_name(shapes: Graph, shape) -> str:
    """The named node shape a (possibly anonymous property) shape belongs to."""
    owner = shapes.value(predicate=SH.property, object=shape)
    return f"shape {owner if owner is not None else shape}"


def qc_queries(folder: Path = QC_DIR) -> dict[str, str]:
    """QC checks by name: every `*-violation.rq` file; each must return no rows."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*-violation.rq"))}


def qc_violations(store: ox.Store, folder: Path = QC_DIR) -> list[Violation]:
    violations = []
    for name, query in qc_queries(folder).items():
        for solution in store.query(query, use_default_graph_as_union=True):
            values = [term.value for term in solution if term is not None]
            violations.append(Violation(rule=f"qc {name}", node=values[0] if values else "",
                                        message=" ".join(values[1:]) or "returned a row"))
    return violations

"""Every query the project ships is plain SPARQL 1.1, so that it runs on any SPARQL 1.1 store (remote mode,
`lmkg serve --endpoint`): rdflib's SPARQL 1.1 parser reads each canned query, QC check and derived-graph
CONSTRUCT. An extension such as LATERAL (SEP-0006), which pyoxigraph accepts and Virtuoso does not,
fails here."""
from pathlib import Path

import pytest
from rdflib.plugins.sparql import prepareQuery

from graph.derive import DERIVE_DIR
from lmkg.paths import QUERIES_DIR

SHIPPED = sorted([*QUERIES_DIR.rglob("*.rq"), *DERIVE_DIR.glob("*.rq")])


def test_there_are_queries_to_check():
    assert len(SHIPPED) > 20


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(Path(QUERIES_DIR).parent)))
def test_parses_as_sparql_1_1(path):
    prepareQuery(path.read_text(encoding="utf-8"))


def test_lateral_is_rejected():
    """The check has teeth: the parser refuses LATERAL."""
    with pytest.raises(Exception):
        prepareQuery("SELECT * WHERE { ?s ?p ?o LATERAL { OPTIONAL { ?o ?q ?v } } }")

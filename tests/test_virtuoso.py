"""Remote mode over Virtuoso 7 (Debian's `virtuoso-opensource`): the README's commands run as written —
`lmkg load --graph-store …/sparql-graph-crud-auth --user dba --password dba` (Digest auth), `lmkg serve
--endpoint …/sparql` — against a throw-away database on a loopback port, and every row of every canned
query's declared examples compared with the embedded service."""
import os
import shutil
import subprocess

import pyoxigraph as ox
import pytest
import requests
from requests.auth import HTTPDigestAuth

from graph.load import UpdateEndpoint
from lmkg.bench.servers import lmkg_server, venv_command, virtuoso_server
from service import create_app
from service.engine.catalogue import expand, expectation_failures
from tests.test_remote import CATALOGUE, EXPECTATIONS, canned, comparable

USER, PASSWORD = "dba", "dba"    # a fresh Virtuoso database's administrator
# Queries Virtuoso 7.2.5 answers differently from the SPARQL 1.1 semantics the embedded store follows;
# each is a known difference still to be resolved (see the README's store requirements). therapies-for-site
# and treatment-options left the list with issue #16: they read the derived graph (no EXISTS in a BIND, no
# aggregating subqueries) and Virtuoso answers them as the embedded store does.
DIFFERS = {
    "drug-profile": "Virtuoso drops a drug's most specific class when two rdf:type patterns of the drug meet "
                    "an `rdfs:subClassOf*` path",
}
SAMPLE = 3   # entities of each entity parameter's classes, beside the declared examples


def install_virtuoso() -> str:
    """virtuoso-t, installed from Debian when missing (as `make system-deps` does); skips only if that fails."""
    if not shutil.which("virtuoso-t"):
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for step in (["update", "-q"], ["install", "-y", "-q", "--no-install-recommends", "virtuoso-opensource"]):
            subprocess.run([*sudo, "apt-get", *step], env=env, capture_output=True, timeout=600)
    if not shutil.which("virtuoso-t"):
        pytest.skip("Virtuoso cannot be installed here (apt-get install virtuoso-opensource failed)")
    return shutil.which("virtuoso-t")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, release, data_dir):
    """Virtuoso holding the session's release, loaded by the CLI as the README says."""
    install_virtuoso()
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as base:
        load = subprocess.run([venv_command("lmkg"), "--data-dir", str(data_dir), "load", "--graph-store",
                               f"{base}/sparql-graph-crud-auth", "--user", USER, "--password", PASSWORD],
                              capture_output=True, text=True, timeout=600)
        assert load.returncode == 0, load.stderr
        yield base, load.stdout


@pytest.fixture(scope="module")
def virtuoso_client(virtuoso, data_dir):
    base, _ = virtuoso
    app = create_app({"DATA_DIR": str(data_dir), "SPARQL_ENDPOINT": f"{base}/sparql", "TESTING": True})
    return app.test_client()


def test_the_cli_loads_every_graph_with_digest_auth(virtuoso, release):
    _, output = virtuoso
    assert f"loaded release {release.id}" in output and "in 6 graphs" in output


def test_sparql_update_with_digest_auth(virtuoso):
    """/sparql-auth answers Basic with 401 and a Digest challenge: the loader answers the challenge."""
    base, _ = virtuoso
    endpoint = UpdateEndpoint(f"{base}/sparql-auth", 30, (USER, PASSWORD))
    endpoint.insert("urn:lmkg:test", [ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))])
    endpoint.drop("urn:lmkg:test")
    assert isinstance(endpoint.session.auth, HTTPDigestAuth)


@pytest.mark.parametrize("query,expectation", EXPECTATIONS,
                         ids=[f"{q.name}-{i}" for q in CATALOGUE.values() for i, _ in enumerate(q.expect)])
def test_every_canned_answer_is_the_same_over_virtuoso(virtuoso_client, client, query, expectation, request):
    if query.name in DIFFERS:
        request.applymarker(pytest.mark.xfail(reason=DIFFERS[query.name], strict=False))
    params = expectation.get("params", {})
    remote = canned(virtuoso_client, query, params)
    assert expectation_failures(remote, expectation) == []
    assert comparable(remote) == comparable(canned(client, query, params))


def sampled_values(release):
    """(query, params): each entity parameter of each query bound to the first SAMPLE entities (by IRI) of
    its classes, the other parameters to their examples."""
    store = ox.Store.read_only(str(release.store_path))
    for query in CATALOGUE.values():
        examples = {p.name: p.example for p in query.params.values() if p.example is not None}
        for param in query.params.values():
            if param.type != "entity" or not param.classes:
                continue
            classes = " ".join(f"<{expand(c)}>" for c in param.classes)
            found = store.query(f"SELECT DISTINCT ?x {{ VALUES ?c {{ {classes} }} ?x a ?c }} ORDER BY ?x LIMIT {SAMPLE}",
                                use_default_graph_as_union=True)
            for row in found:
                yield query, {**examples, param.name: row["x"].value}


def test_a_sample_of_parameter_values_gives_the_same_answers(virtuoso_client, client, release):
    differ = []
    for query, params in sampled_values(release):
        if query.name in DIFFERS:
            continue
        if comparable(canned(virtuoso_client, query, params)) != comparable(canned(client, query, params)):
            differ.append((query.name, params))
    assert differ == []


def test_a_blank_node_in_an_ad_hoc_answer(virtuoso_client):
    text = "SELECT ?o { GRAPH <https://w3id.org/lungmet-kg/graph/meta> { ?s ?p ?o FILTER isBlank(?o) } } LIMIT 3"
    response = virtuoso_client.get("/sparql", query_string={"query": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [b["o"]["type"] for b in response.json["results"]["bindings"]] == ["bnode"] * 3


def test_a_result_the_store_cut_is_refused_not_truncated(virtuoso, data_dir):
    """virtuoso.ini caps results at 100,001 rows; a service whose own limit is that cap cannot count one row
    more, so it reads Virtuoso's X-SPARQL-MaxRows header."""
    base, _ = virtuoso
    app = create_app({"DATA_DIR": str(data_dir), "SPARQL_ENDPOINT": f"{base}/sparql", "TESTING": True,
                      "MAX_ROWS": 100_001, "QUERY_TIMEOUT": 60})   # 100,001 rows take seconds on a loaded machine
    response = app.test_client().get("/sparql", query_string={"query": "SELECT ?s { { ?s ?p ?o } UNION { ?s ?p ?o } }"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_lmkg_serve_over_virtuoso(virtuoso, data_dir, release):
    base, _ = virtuoso
    with lmkg_server(data_dir, endpoint=f"{base}/sparql", workers=1, threads=2) as server:
        health = requests.get(f"{server}/health", timeout=30).json()
        answer = requests.get(f"{server}/queries/trials-for-drug?drug=crizotinib", timeout=30,
                              headers={"Accept": "application/sparql-results+json"})
    assert health["release"] == release.id
    assert answer.status_code == 200 and len(answer.json()["results"]["bindings"]) > 0

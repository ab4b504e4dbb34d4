"""Push a release into any SPARQL 1.1 store with SPARQL Update (through SPARQLWrapper), in batches.

Each named graph of the release (and the meta graph that records which release it is) is dropped and
written again, so loading a new release replaces the old one. Triples that share a blank
node go in the same request: a blank-node label is only the same node within one request.
"""
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from SPARQLWrapper import POST, POSTDIRECTLY, SPARQLWrapper

from graph.release import Release
from graph.vocab import GRAPH_META

DEFAULT_BATCH = 10_000


@dataclass
class LoadReport:
    graphs: int
    triples: int
    requests: int
    seconds: float


def graph_names(release: Release) -> list[str]:
    """The release's graphs, the meta graph (which names the release) last."""
    return [*release.triples, str(GRAPH_META)]


def batches(store: ox.Store, graph: str, size: int) -> Iterator[list[ox.Triple]]:
    """The graph's triples in batches of about `size`; every triple touching a blank node is in the last."""
    with_blank_nodes, batch = [], []
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            with_blank_nodes.append(quad.triple)
            continue
        batch.append(quad.triple)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch or with_blank_nodes:
        yield batch + with_blank_nodes


def insert_data(graph: str, triples: list[ox.Triple]) -> str:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()  # valid SPARQL triples syntax
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}"


def send(endpoint: str, update: str, timeout: float, credentials: tuple[str, str] | None) -> None:
    client = SPARQLWrapper(endpoint, updateEndpoint=endpoint)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)   # application/sparql-update: no form-encoding of large bodies
    client.setTimeout(round(timeout))
    if credentials:
        client.setCredentials(*credentials)
    client.setQuery(update)
    client.query().response.read()


def load_release(release: Release, endpoint: str, batch_size: int = DEFAULT_BATCH, timeout: float = 300,
                 credentials: tuple[str, str] | None = None,
                 progress: Callable[[str], None] = print) -> LoadReport:
    """Replace the release's graphs in the store behind the SPARQL Update `endpoint`."""
    started, requests, total = time.monotonic(), 0, 0
    store = ox.Store.read_only(str(release.store_path))
    names = graph_names(release)
    # The meta graph goes first and comes back last: while graphs are being replaced the store holds no
    # release, and a service in remote mode answers 503 rather than from half-loaded data.
    for graph in reversed(names):
        send(endpoint, f"DROP SILENT GRAPH <{graph}>", timeout, credentials)
        requests += 1
    for graph in names:
        done = 0
        for batch in batches(store, graph, batch_size):
            send(endpoint, insert_data(graph, batch), timeout, credentials)
            requests, done = requests + 1, done + len(batch)
            progress(f"{graph}: {done} triples")
        total += done
    seconds = round(time.monotonic() - started, 2)
    progress(f"loaded release {release.id}: {total} triples in {len(names)} graphs, {requests} requests, {seconds} s")
    return LoadReport(len(names), total, requests, seconds)

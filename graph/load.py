"""Push a release into any SPARQL 1.1 store, in batches, by SPARQL Update (`INSERT DATA`) or by the
Graph Store HTTP Protocol (N-Triples `POST`ed to a graph: Virtuoso's `/sparql-graph-crud-auth`, which,
unlike its `INSERT DATA`, takes blank nodes).

Each named graph of the release (and the meta graph that records which release it is) is dropped and
written again, so loading a new release replaces the old one. Triples that share a blank node go in the
same request: a blank-node label is only the same node within one request.
"""
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from graph.release import Release
from graph.vocab import GRAPH_META

DEFAULT_BATCH = 10_000
USER_AGENT = "lmkg load (LungMet KG)"


@dataclass
class LoadReport:
    graphs: int
    triples: int
    requests: int
    seconds: float


class Target:
    """A store's write endpoint, over one HTTP session. With credentials, the scheme (Basic or Digest, as
    Virtuoso's /sparql-auth wants) is the one the store's first 401 challenge names."""

    def __init__(self, url: str, timeout: float, credentials: tuple[str, str] | None):
        self.url, self.timeout, self.credentials = url, timeout, credentials
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def send(self, method: str, ok_statuses: tuple = (), **options) -> None:
        response = self.session.request(method, self.url, timeout=self.timeout, **options)
        if response.status_code == 401 and self.credentials and self.session.auth is None:
            challenge = response.headers.get("WWW-Authenticate", "").lower()
            scheme = HTTPDigestAuth if challenge.startswith("digest") else HTTPBasicAuth
            self.session.auth = scheme(*self.credentials)
            response = self.session.request(method, self.url, timeout=self.timeout, **options)
        if response.status_code not in ok_statuses:
            response.raise_for_status()

    def drop(self, graph: str) -> None:
        raise NotImplementedError

    def insert(self, graph: str, triples: list[ox.Triple]) -> None:
        raise NotImplementedError


class UpdateEndpoint(Target):
    """SPARQL 1.1 Update: `DROP SILENT GRAPH` and `INSERT DATA` as application/sparql-update."""

    def update(self, text: str) -> None:
        self.send("POST", data=text.encode(), headers={"Content-Type": "application/sparql-update"})

    def drop(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def insert(self, graph: str, triples: list[ox.Triple]) -> None:
        self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{n_triples(triples)}}} }}")


class GraphStore(Target):
    """The Graph Store HTTP Protocol: `DELETE` and `POST` of N-Triples on `?graph=<graph>`."""

    def drop(self, graph: str) -> None:
        self.send("DELETE", ok_statuses=(404,), params={"graph": graph})   # 404: there was no such graph

    def insert(self, graph: str, triples: list[ox.Triple]) -> None:
        self.send("POST", params={"graph": graph}, data=n_triples(triples).encode(),
                  headers={"Content-Type": "application/n-triples"})


def n_triples(triples: list[ox.Triple]) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode()   # valid SPARQL triples syntax too


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


def load_release(release: Release, endpoint: str | None = None, batch_size: int = DEFAULT_BATCH,
                 timeout: float = 300, credentials: tuple[str, str] | None = None,
                 progress: Callable[[str], None] = print, graph_store: str | None = None,
                 meta_only: bool = False) -> LoadReport:
    """Replace the release's graphs in the store behind the SPARQL Update `endpoint` or the Graph Store
    Protocol URL `graph_store`. `meta_only`: only the meta graph, for a store bulk-loaded from the dumps."""
    target = GraphStore(graph_store, timeout, credentials) if graph_store \
        else UpdateEndpoint(endpoint, timeout, credentials)
    started, requests_sent, total = time.monotonic(), 0, 0
    store = ox.Store.read_only(str(release.store_path))
    names = graph_names(release)[-1:] if meta_only else graph_names(release)
    # The meta graph goes first and comes back last: while graphs are being replaced the store holds no
    # release, and a service in remote mode answers 503 rather than from half-loaded data.
    for graph in reversed(names):
        target.drop(graph)
        requests_sent += 1
    for graph in names:
        done = 0
        for batch in batches(store, graph, batch_size):
            target.insert(graph, batch)
            requests_sent, done = requests_sent + 1, done + len(batch)
            progress(f"{graph}: {done} triples")
        total += done
    seconds = round(time.monotonic() - started, 2)
    progress(f"loaded release {release.id}: {total} triples in {len(names)} graphs, {requests_sent} requests, "
             f"{seconds} s")
    return LoadReport(len(names), total, requests_sent, seconds)

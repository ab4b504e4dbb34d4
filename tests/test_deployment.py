"""A deployment past one machine, as the README's Deployment section runs it: one Oxigraph server holding
the release (`lmkg load`), PostgreSQL for saved queries, Redis for the limits, THREE `lmkg serve --endpoint`
instances and nginx in front (deploy/nginx.conf) — Debian's daemons on loopback ports with throw-away
data directories (tests/daemons.py).

Saved on one instance, read on another; the request limit counted across instances; one instance
SIGKILLed in the middle of concurrent saves and queries through nginx: no acknowledged save lost, and no
error beyond that instance's requests in flight (nginx passes those to the next instance)."""
import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass

import psycopg
import pytest

from lmkg.bench.servers import free_port, lmkg_server, oxigraph_server, venv_command
from tests.daemons import nginx_server, postgres_server, redis_server, require
from tests.live import http_request

INSTANCES = 3
RATE_LIMIT = 30            # requests per client per minute on /sparql and /saved, counted in Redis
CLIENTS = 8                # concurrent clients of the load, each from an address of its own (127.0.0.x)
REQUESTS_EACH = 24         # per client, saves and queries in turn: under RATE_LIMIT
KILL_AFTER = 60            # answers through nginx before one instance is SIGKILLed
LABEL = ("SELECT ?l WHERE { <https://w3id.org/lungmet-kg/id/drug/osimertinib> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@dataclass
class Deployment:
    balancer: str          # nginx's base URL
    instances: list        # each `lmkg serve`'s base URL (a Server, with its process)
    postgres: str


@pytest.fixture(scope="module")
def deployment(data_dir, tmp_path_factory):
    require("postgres", "redis-server", "nginx")
    with contextlib.ExitStack() as stack:
        postgres = stack.enter_context(postgres_server())
        redis = stack.enter_context(redis_server())
        store = stack.enter_context(oxigraph_server(tmp_path_factory.mktemp("deployment-store")))
        load = subprocess.run([venv_command("lmkg"), "--data-dir", str(data_dir), "load",
                               "--endpoint", f"{store}/update"], capture_output=True, text=True, timeout=600,
                              check=False)
        assert load.returncode == 0, load.stderr
        balancer_port = free_port()
        settings = {"LMKG_SAVED_DATABASE_URL": postgres, "LMKG_RATE_LIMIT_STORAGE": redis,
                    "LMKG_RATE_LIMIT": f"{RATE_LIMIT}/minute", "LMKG_TRUSTED_PROXIES": "1",
                    "LMKG_PUBLIC_BASE_URL": f"http://127.0.0.1:{balancer_port}",
                    "LMKG_QUERY_QUEUE_WAIT": "5"}   # on 2 shared cores a query worker may take seconds to free
        instances = [stack.enter_context(lmkg_server(tmp_path_factory.mktemp(f"instance-{n}"), f"{store}/query",
                                                     workers=1, threads=4, env=settings))
                     for n in range(INSTANCES)]   # data directories of their own: only the daemons are shared
        warm_up(instances)
        balancer = stack.enter_context(nginx_server([url.removeprefix("http://") for url in instances],
                                                    port=balancer_port))
        yield Deployment(balancer, instances, postgres)


def warm_up(instances) -> None:
    """A save and a query on each thread of each instance at once, so that every query worker has started
    (each is a process of its own, started on first use) before the load."""
    requests = [(call, instance, f"127.0.2.{n}") for n, (call, instance) in enumerate(
        (call, instance) for instance in instances for call in (save, query) for _ in range(3))]
    threads = [threading.Thread(target=call, args=(instance, f"{LABEL} # warm-up {source}", source)
                                if call is save else (instance, source)) for call, instance, source in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def saved_text(base: str, identifier: str, reader: int) -> str:
    """A saved query's text read through the API, by a reader with an address of its own (each read a client
    of its own, so that checking many saves is not held back by the request limit)."""
    reply = http_request(base, "GET", f"/saved/{identifier}.rq", source=f"127.0.1.{reader % 250 + 1}")
    assert reply.status == 200, reply
    return reply.text()


def save(base: str, text: str, source: str | None = None):
    return http_request(base, "POST", "/saved", json.dumps({"query": text, "title": "deployment"}),
                        {"Content-Type": "application/json"}, timeout=30, source=source)


def query(base: str, source: str | None = None):
    return http_request(base, "GET", "/sparql?" + urllib.parse.urlencode({"query": LABEL}), headers=JSON_RESULTS,
                        timeout=30, source=source)


def test_a_query_saved_on_one_instance_runs_on_the_others(deployment):
    first, *others = deployment.instances
    created = save(first, f"{LABEL} # saved on the first instance")
    assert created.status == 201, created
    identifier = created.json()["id"]
    for instance in others:
        answer = http_request(instance, "GET", f"/saved/{identifier}", headers=JSON_RESULTS)
        assert answer.status == 200 and "osimertinib" in answer.text().lower(), answer


def test_the_request_limit_is_counted_across_instances(deployment):
    replies = [query(deployment.balancer, source="127.0.0.9") for _ in range(RATE_LIMIT + 1)]
    assert [r.status for r in replies] == [200] * RATE_LIMIT + [429], [r.status for r in replies]
    served_by = {r.headers["X-LMKG-Instance"] for r in replies[:RATE_LIMIT]}
    assert len(served_by) == INSTANCES   # spread over all three, counted as one allowance
    assert replies[-1].json()["status"] == 429 and int(replies[-1].headers["Retry-After"]) > 0
    assert query(deployment.balancer, source="127.0.0.8").status == 200   # another client is not held back


@dataclass
class Outcome:
    kind: str              # "save" or "query"
    text: str | None
    started: float
    ended: float
    status: int | None = None
    instance: str | None = None
    saved_id: str | None = None
    error: str | None = None


def test_sigkill_of_an_instance_mid_load_loses_no_acknowledged_save(deployment):
    victim = deployment.instances[1]
    outcomes: list[Outcome] = []
    lock, killed = threading.Lock(), {}

    def client(number: int) -> None:
        source = f"127.0.0.{10 + number}"
        for n in range(REQUESTS_EACH):
            text = f"{LABEL} # load: client {number}, request {n}" if n % 2 == 0 else None
            outcome = Outcome("save" if text else "query", text, time.monotonic(), 0.0)
            try:
                reply = save(deployment.balancer, text, source) if text else query(deployment.balancer, source)
                outcome.status, outcome.instance = reply.status, reply.headers.get("X-LMKG-Instance")
                if reply.status == 201:
                    outcome.saved_id = reply.json()["id"]
                elif reply.status != 200:
                    outcome.error = f"{reply.status} from {outcome.instance}: {reply.text()[:200]}"
            except OSError as error:
                outcome.error = f"{type(error).__name__}: {error}"
            outcome.ended = time.monotonic()
            with lock:
                outcomes.append(outcome)
                if len(outcomes) == KILL_AFTER:
                    os.killpg(victim.process.pid, signal.SIGKILL)
                    killed["at"] = time.monotonic()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert "at" in killed and victim.process.wait(timeout=10) == -signal.SIGKILL

    in_flight = [o for o in outcomes if o.started < killed["at"] < o.ended]
    errors = [o for o in outcomes if o.error]
    acknowledged = {o.saved_id: o.text for o in outcomes if o.saved_id}
    found = {identifier for n, (identifier, text) in enumerate(acknowledged.items())
             if saved_text(deployment.balancer, identifier, n) == text}
    with psycopg.connect(deployment.postgres) as connection:
        in_database = {row[0] for row in connection.execute("SELECT id FROM saved WHERE id = ANY(%s)",
                                                            (list(acknowledged),))}
    retried = [o for o in outcomes if o.instance and "," in o.instance]   # nginx lists every instance it tried
    answered_after_kill = Counter(o.instance.split(", ")[-1] for o in outcomes if o.started > killed["at"] and o.instance)
    print(f"\ndeployment: {len(outcomes)} requests through nginx to {INSTANCES} instances "
          f"({sum(o.kind == 'save' for o in outcomes)} saves, {sum(o.kind == 'query' for o in outcomes)} queries) "
          f"from {CLIENTS} clients; instance {victim} SIGKILLed after {KILL_AFTER} answers with {len(in_flight)} "
          f"requests in flight; errors {len(errors)}, passed on to another instance by nginx {len(retried)}; "
          f"saves acknowledged {len(acknowledged)}, found through the API {len(found)}, rows in PostgreSQL "
          f"{len(in_database)}; statuses {dict(Counter(o.status for o in outcomes))}; answered after the kill by "
          f"{dict(answered_after_kill)}")
    for error in errors:
        print(f"  error: {error.kind} started {error.started - killed['at']:+.2f} s from the kill: {error.error}")

    assert len(outcomes) == CLIENTS * REQUESTS_EACH
    assert len(acknowledged) == sum(o.kind == "save" for o in outcomes if not o.error)
    assert set(acknowledged) == found == in_database, "acknowledged saves lost"
    assert all(o in in_flight for o in errors), "errors beyond the killed instance's requests in flight"
    assert len(errors) <= len(in_flight)
    assert victim.removeprefix("http://") not in answered_after_kill   # nginx left it out ...
    assert len(answered_after_kill) == INSTANCES - 1                    # ... and the others served the rest

"""Limits counted across instances: with RATE_LIMIT_STORAGE=redis://… (Debian's `redis-server` on a
loopback port) two service instances — apps over data directories of their own — share each client's
request count, query-time budget and running queries."""
import shutil

import pytest

from service import DEFAULTS
from tests.daemons import redis_server
from tests.test_abuse import SELECT, client_at


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture()
def two_instances(make_app, redis_url, tmp_path):
    """Make two apps with these settings over one Redis and data directories of their own."""
    def make(**config):
        first = make_app(RATE_LIMIT_STORAGE=redis_url, **config)
        shutil.copytree(first.config["DATA_DIR"] + "/releases", tmp_path / "second" / "releases", dirs_exist_ok=True)
        return first, make_app(RATE_LIMIT_STORAGE=redis_url, DATA_DIR=str(tmp_path / "second"), **config)
    return make


def test_the_request_cap_is_counted_across_instances(two_instances):
    one, two = two_instances(RATE_LIMIT="3/minute")
    statuses = [client_at(app, "192.0.2.50").get("/sparql", query_string={"query": SELECT}).status_code
                for app in (one, two, one, two)]
    assert statuses == [200, 200, 200, 429]
    assert client_at(two, "192.0.2.51").get("/sparql", query_string={"query": SELECT}).status_code == 200


def test_the_query_time_budget_is_counted_across_instances(two_instances):
    one, two = two_instances(RATE_LIMIT=DEFAULTS["RATE_LIMIT"], QUERY_TIME_BUDGET=1e-6)
    assert client_at(one, "192.0.2.52").get("/sparql", query_string={"query": SELECT}).status_code == 200
    refused = client_at(two, "192.0.2.52").get("/sparql", query_string={"query": SELECT})
    assert refused.status_code == 429 and refused.get_json()["type"].endswith("/query-time-budget")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client_at(two, "192.0.2.53").get("/sparql", query_string={"query": SELECT}).status_code == 200


def test_running_queries_are_counted_across_instances(two_instances):
    one, two = two_instances(RATE_LIMIT=DEFAULTS["RATE_LIMIT"], QUERY_CONCURRENCY=1)
    with one.extensions["lmkg-budget"].spend("192.0.2.54"):   # a query of this client running on the first
        refused = client_at(two, "192.0.2.54").get("/sparql", query_string={"query": SELECT})
        assert refused.status_code == 429 and refused.get_json()["type"].endswith("/concurrent-queries")
        assert client_at(two, "192.0.2.55").get("/sparql", query_string={"query": SELECT}).status_code == 200
    assert client_at(two, "192.0.2.54").get("/sparql", query_string={"query": SELECT}).status_code == 200

"""Limits that suit SPARQL clients (service/api/query_budget.py): a budget of query time per client per
minute and a cap on the queries a client runs at once, counted by every worker of an instance (one
SQLite file), beside the coarse request cap. Limits are off in the suite (conftest); these tests turn
them on."""
import pytest

from service import DEFAULTS
from service.api.query_budget import OverBudget, check_budget
from tests.test_abuse import SELECT, client_at

ON = DEFAULTS["RATE_LIMIT"]


def test_a_federating_client_sending_200_cheap_queries_a_minute_is_not_refused(make_app):
    app = make_app(RATE_LIMIT=ON)   # every limit at its default
    assert app.extensions["lmkg-budget"] is not None
    client = client_at(app, "192.0.2.30")
    statuses = [client.get("/sparql", query_string={"query": f"{SELECT} # {n}"},
                           headers={"Accept": "application/sparql-results+json"}).status_code for n in range(200)]
    assert statuses == [200] * 200


def test_a_client_over_its_query_time_budget_gets_429_and_others_do_not(make_app):
    app = make_app(RATE_LIMIT=ON, QUERY_TIME_BUDGET=1e-6)   # any query uses it up
    client = client_at(app, "192.0.2.31")
    saved = client.post("/saved", json={"query": SELECT})   # saving runs no query: not counted
    assert saved.status_code == 201
    assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200
    refused = client.get("/sparql", query_string={"query": SELECT})
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["type"].endswith("/query-time-budget") and body["query_time_budget_seconds"] == 1e-6
    assert body["query_time_used_seconds"] >= 0 and "budget" in body["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get(f"/saved/{saved.get_json()['id']}").status_code == 429   # running a saved query counts
    assert client.post("/sparql", data={"query": SELECT}).status_code == 429
    # another client has its own budget; canned queries and pages are not ad-hoc queries
    assert client_at(app, "192.0.2.32").get("/sparql", query_string={"query": SELECT}).status_code == 200
    assert client.get("/queries/drugs-by-target?target=EGFR").status_code == 200


def test_the_budget_is_shared_by_the_workers_of_an_instance(make_app):
    one, two = make_app(RATE_LIMIT=ON, QUERY_TIME_BUDGET=1e-6), make_app(RATE_LIMIT=ON, QUERY_TIME_BUDGET=1e-6)
    assert client_at(one, "192.0.2.33").get("/sparql", query_string={"query": SELECT}).status_code == 200
    assert client_at(two, "192.0.2.33").get("/sparql", query_string={"query": SELECT}).status_code == 429


def test_a_client_over_its_concurrency_cap_gets_429_and_others_do_not(make_app):
    serving, other_worker = make_app(RATE_LIMIT=ON, QUERY_CONCURRENCY=2), make_app(RATE_LIMIT=ON, QUERY_CONCURRENCY=2)
    budget = other_worker.extensions["lmkg-budget"]
    client = client_at(serving, "192.0.2.34")
    with budget.spend("192.0.2.34"), budget.spend("192.0.2.34"):   # two queries of this client running elsewhere
        refused = client.get("/sparql", query_string={"query": SELECT})
        assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
        assert refused.get_json()["type"].endswith("/concurrent-queries")
        assert refused.get_json()["concurrent_queries_limit"] == 2 and refused.headers["Retry-After"] == "1"
        assert client_at(serving, "192.0.2.35").get("/sparql", query_string={"query": SELECT}).status_code == 200
    assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200   # they ended: room again


def test_refused_queries_use_no_budget(make_app):
    app = make_app(RATE_LIMIT=ON, QUERY_CONCURRENCY=1)
    budget = app.extensions["lmkg-budget"]
    client = client_at(app, "192.0.2.36")
    with budget.spend("192.0.2.36"):
        assert all(client.get("/sparql", query_string={"query": SELECT}).status_code == 429 for _ in range(5))
    assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200


def test_both_limits_can_be_switched_off(make_app):
    assert make_app(RATE_LIMIT=ON, QUERY_TIME_BUDGET=0, QUERY_CONCURRENCY=0).extensions["lmkg-budget"] is None
    client = client_at(make_app(RATE_LIMIT="off", QUERY_TIME_BUDGET=1e-6), "192.0.2.37")
    assert all(client.get("/sparql", query_string={"query": SELECT}).status_code == 200 for _ in range(3))


@pytest.mark.parametrize("spent,now,retry", [
    ([(100.0, 30.0), (110.0, 40.0)], 120.0, 40.0),   # 70 s used of 60: once the first leaves (at 160), 40 s used
    ([(100.0, 10.0), (105.0, 10.0), (110.0, 50.0)], 115.0, 50.0),  # 70 used: the first two must leave (at 165)
    ([(100.0, 61.0)], 101.0, 59.0),                   # one query longer than the budget: until it leaves
])
def test_retry_after_is_when_enough_query_time_leaves_the_minute(spent, now, retry):
    with pytest.raises(OverBudget) as refused:
        check_budget(spent, 60.0, now)
    assert refused.value.retry_after == pytest.approx(retry)


def test_a_client_under_its_budget_is_admitted():
    check_budget([(100.0, 30.0), (110.0, 29.0)], 60.0, 120.0)

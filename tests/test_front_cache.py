"""The answer cache in front of Flask: repeated canned queries and pages are served whole from memory,
kept apart by release, Accept and query string, and never for errors, conditional requests or /sparql."""
from service.api.front_cache import FrontCache

JSON = {"Accept": "application/sparql-results+json"}
URL = "/queries/trials-for-drug?drug=osimertinib"


def test_a_repeated_canned_query_is_answered_from_the_front_cache(client):
    first = client.get(URL, headers=JSON)
    second = client.get(URL, headers=JSON)
    assert first.status_code == second.status_code == 200
    assert second.headers.get("X-LMKG-Cache") == "hit" and second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["X-LMKG-Release"] == first.headers["X-LMKG-Release"]


def test_representations_and_parameters_are_kept_apart(client):
    client.get(URL, headers=JSON)
    csv = client.get(URL, headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv" and csv.headers.get("X-LMKG-Cache") != "hit"
    other = client.get("/queries/trials-for-drug?drug=crizotinib", headers=JSON)
    assert b"CROWN" in other.data and other.data != client.get(URL, headers=JSON).data


def test_errors_conditional_requests_and_the_endpoint_go_to_the_app(client):
    for _ in range(2):
        missing = client.get("/queries/trials-for-drug?drug=no-such-drug", headers=JSON)
    assert missing.status_code == 404 and missing.headers.get("X-LMKG-Cache") != "hit"
    etag = client.get(URL, headers=JSON).headers["ETag"]
    assert client.get(URL, headers={**JSON, "If-None-Match": etag}).status_code == 304
    query = "/sparql?query=ASK%7B%7D"
    client.get(query)
    assert client.get(query).headers.get("X-LMKG-Cache") != "hit"


def test_a_new_release_misses_and_the_size_is_bounded():
    release, calls = ["a"], []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", [("X-LMKG-Release", release[0])])
        return [b"x" * 100]

    cache = FrontCache(app, lambda: release[0], max_bytes=1600, max_accept=1000)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/queries/q", "QUERY_STRING": ""}
    for _ in range(2):
        cache(dict(environ), lambda status, headers, exc_info=None: None)
    release[0] = "b"
    cache(dict(environ), lambda status, headers, exc_info=None: None)
    assert len(calls) == 2                                     # one miss per release
    for n in range(40):
        cache({**environ, "QUERY_STRING": f"n={n}"}, lambda status, headers, exc_info=None: None)
    assert cache.bytes <= 1600

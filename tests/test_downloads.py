"""`/downloads`: the kept releases and their files with format, media type, size, checksum and URL; stable
versioned file URLs served with their media type and length, and a `latest` alias that redirects."""
import hashlib

import pytest


def test_listing_as_json(client, release):
    response = client.get("/downloads", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["latest"] == release.id
    listed = next(r for r in body["releases"] if r["id"] == release.id)
    assert listed["date"] == release.date and listed["latest"] and listed["triples"] == release.triples
    files = {d["file"]: d for d in listed["distributions"]}
    assert set(files) == {"dataset.nq.gz", "dataset.trig.gz", "dataset.ttl.gz", "dataset.jsonld.gz",
                          "ontology.owl.gz", "ontology.ttl.gz"}
    nquads = files["dataset.nq.gz"]
    assert nquads["format"] == "N-Quads" and nquads["media_type"] == "application/n-quads"
    assert nquads["compression"] == "application/gzip" and nquads["bytes"] > 0 and len(nquads["sha256"]) == 64
    assert nquads["url"].endswith(f"/downloads/{release.id}/dataset.nq.gz")
    assert nquads["latest_url"].endswith("/downloads/latest/dataset.nq.gz")
    assert files["ontology.owl.gz"]["media_type"] == "application/rdf+xml"
    assert files["dataset.jsonld.gz"]["media_type"] == "application/ld+json"
    assert listed["metadata"]["SHA256SUMS"].endswith(f"/downloads/{release.id}/SHA256SUMS")


def test_listing_as_html(client, release):
    response = client.get("/downloads", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'href="http://localhost/downloads/{release.id}/dataset.trig.gz"' in html
    assert release.distributions[0]["sha256"] in html and "application/n-quads" in html


@pytest.mark.parametrize("entry", range(6))
def test_versioned_file_has_media_type_length_and_checksum(client, release, entry):
    distribution = release.distributions[entry]
    response = client.get(f"/downloads/{release.id}/{distribution['file']}")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert int(response.headers["Content-Length"]) == distribution["bytes"] == len(response.data)
    assert hashlib.sha256(response.data).hexdigest() == distribution["sha256"]
    assert response.headers["X-LMKG-Release"] == release.id and "immutable" in response.headers["Cache-Control"]
    assert response.headers["ETag"] == f'"{distribution["sha256"]}"'


def test_metadata_files_are_served_with_their_types(client, release):
    expected = {"void.ttl": "text/turtle", "release.json": "application/json", "SHA256SUMS": "text/plain",
                "RELEASE-NOTES.md": "text/markdown"}
    for name, media_type in expected.items():
        response = client.get(f"/downloads/{release.id}/{name}")
        assert response.status_code == 200 and response.mimetype == media_type, name


def test_latest_alias_redirects_to_the_versioned_url(client, release):
    response = client.get("/downloads/latest/dataset.nq.gz")
    assert response.status_code == 302
    assert response.headers["Location"] == f"http://localhost/downloads/{release.id}/dataset.nq.gz"
    assert client.get("/downloads/latest").headers["Location"] == f"http://localhost/downloads/{release.id}"


def test_conditional_and_head_requests(client, release):
    url = f"/downloads/{release.id}/ontology.ttl.gz"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    head = client.head(url)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) > 0


@pytest.mark.parametrize("path, status", [
    ("/downloads/0123456789abcdef/dataset.nq.gz", 410),   # a release id that is not kept
    ("/downloads/not-a-release/dataset.nq.gz", 404),
    ("/downloads/{id}/store", 404),                       # only the published files
    ("/downloads/{id}/dataset.nq", 404),
    ("/downloads/{id}/..%2Frelease.json", 404),
])
def test_unknown_releases_and_files(client, release, path, status):
    response = client.get(path.format(id=release.id))
    assert response.status_code == status and response.mimetype == "application/problem+json"

"""A release: gzip distributions that parse back to the same dataset, checksums that verify, a content-hash
id, release notes, and the same files again when the sources are rebuilt in another order."""
import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from graph.distributions import DISTRIBUTIONS
from graph.release import latest_release, prune, read_release
from graph.vocab import GRAPH_ONTOLOGY, VOID

FILES = [d.file for d in DISTRIBUTIONS]


def read(release, name: str) -> bytes:
    return gzip.decompress((Path(release.folder) / name).read_bytes())


def test_release_has_its_files_and_named_graphs(release):
    folder = Path(release.folder)
    for name in FILES + ["void.ttl", "release.json", "SHA256SUMS", "RELEASE-NOTES.md", "store"]:
        assert (folder / name).exists(), name
    assert set(release.triples) == {f"https://w3id.org/lungmet-kg/graph/{g}"
                                 for g in ("ontology", "seeds", "b3db", "inferred", "derived")}
    recorded = json.loads((folder / "release.json").read_text())
    assert recorded["id"] == release.id and recorded["date"] == release.date and recorded["built"]
    assert [d["file"] for d in recorded["distributions"]] == FILES
    assert latest_release(folder.parent.parent).id == release.id


def test_named_graph_distributions_parse_back_to_the_same_counts(release):
    void = Graph().parse(f"{release.folder}/void.ttl")
    for name, fmt in (("dataset.nq.gz", "nquads"), ("dataset.trig.gz", "trig")):
        dataset = Dataset()
        dataset.parse(data=read(release, name), format=fmt)
        counts = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
        assert counts == release.triples, name
    for name, count in release.triples.items():
        assert int(void.value(URIRef(name), VOID.triples)) == count


def test_default_view_and_ontology_distributions_parse_back(release, store):
    union = select_count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                                "FILTER(?g != <https://w3id.org/lungmet-kg/graph/meta>) } }")
    for name, fmt in (("dataset.ttl.gz", "turtle"), ("dataset.jsonld.gz", "json-ld")):
        assert len(Graph().parse(data=read(release, name), format=fmt)) == union, name
    for name, fmt in (("ontology.owl.gz", "xml"), ("ontology.ttl.gz", "turtle")):
        assert len(Graph().parse(data=read(release, name), format=fmt)) == release.triples[str(GRAPH_ONTOLOGY)], name


def select_count(store, query: str) -> int:
    from tests.conftest import select
    return int(select(store, query)[0]["n"])


def test_checksums_verify_with_sha256sum(release):
    folder = Path(release.folder)
    listed = (folder / "SHA256SUMS").read_text().splitlines()
    assert sorted(line.split("  ")[1] for line in listed) == sorted(FILES + ["void.ttl", "RELEASE-NOTES.md", "release.json"])
    result = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for entry in release.distributions:
        data = (folder / entry["file"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    for name, checksum in release.checksums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == checksum


def test_a_corrupted_file_fails_the_check(release, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(release.folder, copy, ignore=shutil.ignore_patterns("store"))
    with open(copy / "ontology.ttl.gz", "ab") as handle:
        handle.write(b"\0")
    result = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=copy, capture_output=True, text=True)
    assert result.returncode != 0 and "ontology.ttl.gz: FAILED" in result.stdout


def test_first_release_notes(release):
    notes = (Path(release.folder) / "RELEASE-NOTES.md").read_text(encoding="utf-8")
    assert notes.startswith(f"# LungMet KG release {release.id}") and "The first release." in notes
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in notes  # B3DB's licence, by its graph


def test_rebuild_in_another_order_gives_the_same_release(release, rebuilt):
    """Same sources, records in reverse order: the same content id and byte-identical distributions."""
    assert rebuilt.id == release.id
    assert {d["file"]: d["sha256"] for d in rebuilt.distributions} == {d["file"]: d["sha256"] for d in release.distributions}


@pytest.fixture()
def three_releases(release, tmp_path):
    """Three kept releases (copies of the session's, under other ids), the middle one LATEST."""
    root = tmp_path / "releases"
    root.mkdir()
    ids = ["0000000000000001", "0000000000000002", "0000000000000003"]
    for number, release_id in enumerate(ids, 1):
        folder = root / release_id
        folder.mkdir()
        record = {**json.loads((Path(release.folder) / "release.json").read_text()), "id": release_id,
                  "built": f"2026-01-0{number}T00:00:00+00:00"}
        (folder / "release.json").write_text(json.dumps(record))
    (root / "LATEST").write_text(ids[1] + "\n")
    return tmp_path, ids


def test_prune_keeps_the_newest_and_never_the_latest_pointer(three_releases):
    data_dir, (first, second, third) = three_releases
    assert prune(data_dir, keep=2) == [first]
    assert prune(data_dir, keep=1) == [third]  # the LATEST one stays, even when newer ones exist
    assert read_release(data_dir / "releases" / second) is not None
    with pytest.raises(ValueError):
        prune(data_dir, keep=0)


def test_prune_from_the_command_line(three_releases, capsys):
    from lmkg.cli import main
    data_dir, (first, second, third) = three_releases
    assert main(["--data-dir", str(data_dir), "prune", "--keep", "2"]) == 0
    assert capsys.readouterr().out.strip() == f"pruned release {first}"
    assert main(["--data-dir", str(data_dir), "releases"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [third, second] and "(LATEST)" in listed[1]

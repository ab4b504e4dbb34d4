"""IRI policy: entity IRIs come from curated identifiers (or B3DB's own record numbers), never from row
positions or hashes, so every release has the same IRIs for the same entities, whatever the order of
the source files."""
import gzip
import re
from pathlib import Path

from graph.transforms import b3db
from graph.vocab import ID


def iris(release) -> set[str]:
    """Every IRI in a release's data (subjects, predicates, objects and graph names)."""
    data = gzip.decompress((Path(release.folder) / "dataset.nq.gz").read_bytes()).decode()
    return set(re.findall(r"<([^>]+)>", data))


def test_rebuilding_in_another_order_keeps_every_iri(release, rebuilt):
    first, second = iris(release), iris(rebuilt)
    assert len(first) > 10_000
    assert first == second


def curated_ids(curated: dict) -> dict[str, set[str]]:
    """The identifiers the curated YAML defines, by the IRI kind they are minted under."""
    from graph.transforms.seeds import ENTITY_SECTIONS
    ids: dict[str, set[str]] = {}
    for section, (kind, _) in ENTITY_SECTIONS.items():
        ids.setdefault(kind, set()).update(r["id"] for r in curated["entities"].get(section, []))
    studies = curated["trials"]["studies"] + curated["studies"]["studies"]
    ids["study"] = {s["id"] for s in studies} | {r["id"] for s in studies for r in s.get("registrations", []) if "id" in r}
    ids["statement"] = {s["id"] for s in curated["statements"]["statements"]}
    ids["publication"] = {p["id"] for p in curated["documents"]["publications"]}
    ids["seed"] = {s["key"] for s in curated["documents"]["seeds"]}
    ids["dataset"] = {"b3db"}
    for record in (curated.get("deprecated") or {}).get("deprecated") or []:  # removed, kept as deprecated IRIs
        kind, slug = record["iri"].split("/", 1)
        ids.setdefault(kind, set()).add(slug)
    return ids


def test_every_entity_iri_is_minted_from_a_curated_identifier(release, curated):
    ids = curated_ids(curated)
    record_numbers = {row["NO."] for row in b3db.read_rows()}
    sub_node = re.compile(r"^(arm/(intervention|control)|outcome/[a-z]+-(median|rate|proportion)(-\d+(\.\d+)?m)?-(intervention|control))$")
    strays = []
    for iri in iris(release):
        if not iri.startswith(str(ID)):
            continue
        kind, slug, *rest = iri[len(str(ID)):].split("/", 2)
        known = slug in record_numbers if kind == "b3db" else slug in ids.get(kind, set())
        if not known or (rest and not (kind == "study" and sub_node.match(rest[0]))):
            strays.append(iri)
    assert strays == []


def test_b3db_record_iris_do_not_depend_on_row_order():
    rows = b3db.read_rows()[:300]
    forward = set(b3db.transform(rows, {}))
    backward = set(b3db.transform(list(reversed(rows)), {}))
    assert forward == backward

"""graph/sources/seeds/trials.yaml against Tables 1-4 of seed 004, read from the seed itself.

The four tables are parsed from the seed text (tab-separated lines starting with "[" after each
"**Table N" heading; Table 1 continues after a "Continue from Table 1" line), and each row is
matched to its curated study by (table, cited_as). The tests prove that the curation is complete
(every row, every registry number, every value token) and exact (N, arm sizes and every number
as printed, control group included). Run from the repository root:

    .venv/bin/python -m pytest tests/test_seed_tables.py -q
"""
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

try:
    from lmkg.paths import SOURCES_DIR, seeds_dir
except ImportError:  # plain `pytest` run: put the repository root on sys.path (no conftest needed)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lmkg.paths import SOURCES_DIR, seeds_dir

SEED_FILE = seeds_dir() / "004_c87e8eb1ec9f5176.txt"
TRIALS_FILE = SOURCES_DIR / "seeds" / "trials.yaml"
CITATION_OFFSET = 2  # table marker [n] -> reference list entry n + 2 (see graph/sources/seeds/README.md)

# ------------------------------------------------------------------ patterns derived from the seed
# An efficacy cell is "-" or space-separated tokens "label:value" or "label:value(CG:value)",
# e.g. "mCNS PFS:29.0m(CG:8.3m)", "6-month PFS:86.0%(CG:71.8%)", "5-year iPFS:83%(CG:NE)",
# "Medium CNS PFS:2.3m". Values are a number with unit m (months) or %, or NR / NE.
VALUE = r"(?:\d+(?:\.\d+)?[m%]|NR|NE)"
TOKEN_RE = re.compile(
    rf"(?P<label>[A-Za-z0-9][A-Za-z0-9 \-]*?):(?P<iv>{VALUE})(?:\(CG:(?P<cg>{VALUE})\))?"
)
# Standard labels: optional time point, optional median "m", optional intracranial marker, endpoint.
LABEL_RE = re.compile(
    r"(?:(?P<n>\d+)-(?P<per>month|year) )?(?P<m>m)?(?P<cns>CNS |i)?(?P<base>ORR|DCR|DoR|PFS|OS)"
)
BASES = ("ORR", "DCR", "DoR", "PFS", "OS")
# Registration number cell: NCT / ChiCTR numbers, and "EudraCT, 2012-000148-88".
REG_RE = re.compile(
    r"EudraCT, (?P<eudract>\d{4}-\d{6}-\d{2})|(?P<nct>NCT\d{8})|(?P<chictr>ChiCTR\d+)"
)
PHASE_RE = re.compile(r"phase (I/II|III|II|I)(?![I/])")
N_PAIR_RE = re.compile(r"(\d+)(?: \(CG:(\d+)\))?")

THERAPY_IDS = {
    "aumolertinib", "gefitinib", "chemotherapy", "anlotinib", "erlotinib", "bevacizumab",
    "osimertinib", "iruplinkib", "crizotinib", "lorlatinib", "alectinib", "brigatinib",
    "entrectinib", "repotrectinib", "larotrectinib", "tepotinib", "selpercatinib", "pemetrexed",
    "platinum-chemotherapy", "platinum-doublet-chemotherapy", "trastuzumab-deruxtecan",
    "pembrolizumab", "ivonescimab", "carboplatin", "wbrt", "srs", "rh-endostatin", "nivolumab",
    "ipilimumab",
}
# Words in a reference title that name an alteration (case-sensitive).
ALTERATION_WORDS = {
    "egfr-sensitising-mutation": ("EGFR",),
    "alk-fusion": ("ALK",),
    "ros1-fusion": ("ROS1",),
    "ntrk-fusion": ("NTRK", "Tropomyosin Receptor Kinase"),
    "met-exon14-skipping": ("MET Exon 14", "MET exon 14"),
    "ret-fusion": ("RET Fusion", "RET fusion"),
    "her2-mutation": ("HER2",),
    "kras-g12c": ("KRAS",),
}
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def covered(pattern, text, sep=" "):
    """All matches of `pattern` in `text`, asserting they cover it, separated by `sep` only."""
    matches, pos = [], 0
    for m in pattern.finditer(text):
        gap = text[pos:m.start()]
        assert gap == ("" if pos == 0 else sep), f"unparsed text {gap!r} in {text!r}"
        matches.append(m)
        pos = m.end()
    assert matches and pos == len(text), f"unparsed text {text[pos:]!r} in {text!r}"
    return matches


# ------------------------------------------------------------------ the seed
def parse_tables(text):
    """Rows of Tables 1-4: dicts of the header cells, plus table number and efficacy columns."""
    rows, table, header = [], None, None
    for line in text.splitlines():
        m = re.match(r"\*\*Table (\d+)\b", line)
        if m:
            table, header = int(m.group(1)), None
            continue
        if table is None:
            continue
        if line.startswith("References\t"):
            header = [c.strip() for c in line.split("\t")]
        elif line.startswith("[") and "\t" in line:
            cells = line.split("\t")
            assert header and len(cells) == len(header), f"Table {table}: bad row {line!r}"
            row = dict(zip(header, cells))
            row["table"] = table
            row["efficacy"] = [(col, "intracranial" if "Intracranial" in col else "systemic", row[col])
                               for col in header if "efficacy" in col]
            rows.append(row)
    return rows


def parse_references(text):
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^- \[(\d+)\] (.+)$", text, re.M)}


def row_tokens(row):
    """(scope, match) for every value token of the row's efficacy cells."""
    out = []
    for _col, scope, cell in row["efficacy"]:
        if cell == "-":
            continue
        out += [(scope, m) for m in covered(TOKEN_RE, cell)]
    return out


def row_registrations(row):
    """[(registry number, scheme, acronym or None, phase)] in printed order."""
    regs = []
    for m in covered(REG_RE, row["Registration number"]):
        scheme = next(k for k in ("eudract", "nct", "chictr") if m.group(k))
        regs.append((m.group(scheme), {"eudract": "EudraCT", "nct": "NCT", "chictr": "ChiCTR"}[scheme]))
    name = row["Study name"]
    names = [] if name == "-" else [name] if len(regs) == 1 else name.split(" ")
    assert not names or len(names) == len(regs), f"{len(names)} study names for {len(regs)} registry numbers"
    phases = [m.group(1) for m in covered(PHASE_RE, row["Study design"])]
    assert len(phases) in (1, len(regs)), f"{len(phases)} phases for {len(regs)} registry numbers"
    if len(phases) != len(regs):  # one phase printed for a pooled row: it is the row's, not each trial's
        phases = [None] * len(regs)
    return [(num, scheme, names[i] if names else None, phases[i]) for i, (num, scheme) in enumerate(regs)]


def row_id(row):
    return re.sub(r"\W+", "_", f"T{row['table']} {row['References']} "
                  f"{row['Study name'] if row['Study name'] != '-' else row['Intervention group']}").strip("_")


def split_value(printed):
    """'29.0m' -> ('29.0', 'month'); 'NR' -> ('NR', None)."""
    if printed in ("NR", "NE"):
        return printed, None
    return printed[:-1], {"m": "month", "%": "percent"}[printed[-1]]


def same_value(curated, printed_number):
    """The curated value is the printed figure exactly: same digits, int/float as printed, NR/NE strings."""
    if printed_number in ("NR", "NE"):
        return curated == printed_number
    return isinstance(curated, (int, float)) and not isinstance(curated, bool) and str(curated) == printed_number


if not SEED_FILE.is_file():   # a bare clone: the seed texts live outside the repository
    pytest.skip(f"seed 004 not found at {SEED_FILE}: set LMKG_SEEDS_DIR to the seed documents (../shared/seeds)",
                allow_module_level=True)
SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")
ROWS = parse_tables(SEED_TEXT)
REFERENCES = parse_references(SEED_TEXT)
STUDIES = yaml.safe_load(TRIALS_FILE.read_text(encoding="utf-8"))["studies"]
TABLE_STUDIES = [s for s in STUDIES if "table" in s]


def study_for(row):
    found = [s for s in STUDIES if s.get("table") == row["table"] and s.get("cited_as") == row["References"]]
    assert len(found) == 1, f"{len(found)} curated studies for Table {row['table']} row {row['References']}"
    return found[0]


def arms(study, role):
    return [a for a in study.get("arms", []) if a.get("role") == role]


by_row = pytest.mark.parametrize("row", ROWS, ids=row_id)
by_study = pytest.mark.parametrize("study", TABLE_STUDIES, ids=lambda s: s.get("id", "?"))


# ------------------------------------------------------------------ the parser itself
def test_parser_finds_all_four_tables():
    counts = Counter(r["table"] for r in ROWS)
    assert counts == {1: 15, 2: 3, 3: 3, 4: 2}, counts
    for row in ROWS:
        assert re.fullmatch(r"\[\d+(?:, \d+)*\]", row["References"]), row["References"]
        assert row["efficacy"], row_id(row)


# ------------------------------------------------------------------ (a) rows <-> studies
@by_row
def test_a_row_has_one_curated_study(row):
    study = study_for(row)
    assert study["seed"] == "004"
    assert study["design"] == row["Study design"]


@by_study
def test_a_curated_study_has_a_row(study):
    rows = [r for r in ROWS if r["table"] == study["table"] and r["References"] == study["cited_as"]]
    assert len(rows) == 1, f"{study['id']}: no row of Table {study['table']} with References {study['cited_as']}"


def test_a_ids_unique_and_slugs():
    ids = [s["id"] for s in STUDIES]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    reg_ids = [r["id"] for s in STUDIES for r in s.get("registrations", []) if "id" in r]
    assert len(reg_ids) == len(set(reg_ids))
    for i in ids + reg_ids:
        assert SLUG_RE.fullmatch(i), i


# ------------------------------------------------------------------ (b) registrations
@by_row
def test_b_registrations(row):
    study = study_for(row)
    printed = row_registrations(row)
    curated = study["registrations"]
    assert [r.get("registry") for r in curated] == [p[0] for p in printed]
    for reg, (num, scheme, acronym, phase) in zip(curated, printed):
        assert reg.get("registry_scheme") == scheme, reg
        assert reg.get("acronym") == acronym, reg
        assert reg.get("phase") == phase, reg
    pooled = len(printed) > 1
    assert study["kind"] == ("pooled" if pooled else "trial")
    if pooled:
        for reg, (num, _s, acronym, _p) in zip(curated, printed):
            assert reg.get("id") == (acronym or num).lower(), reg
    if len(PHASE_RE.findall(row["Study design"])) != len(printed):
        assert study["design"] == row["Study design"], "a single printed phase stays on the pooled row"
    names = [p[2] for p in printed if p[2]]
    first = printed[0][0]
    assert study["label"] == ("/".join(names) if names else f"{row['Intervention group']} ({first})")


# ------------------------------------------------------------------ (c) N and arms
@by_row
def test_c_n_and_arms(row):
    study = study_for(row)
    assert study["n_printed"] == row["N"]
    pairs = [(int(m.group(1)), m.group(2)) for m in covered(N_PAIR_RE, row["N"])]
    iv_n = [p[0] for p in pairs]
    cg_n = [int(p[1]) for p in pairs if p[1] is not None]
    assert len(cg_n) in (0, len(iv_n)), row["N"]
    if len(pairs) > 1:
        assert study.get("note"), "several printed N pairs need a note"

    (iv,) = arms(study, "intervention")
    assert iv["printed"] == row["Intervention group"]
    assert iv["n"] == iv_n
    control = arms(study, "control")
    assert len(study["arms"]) == 1 + len(control)
    if row["Control group"] == "-":
        assert not control and not cg_n
    else:
        (cg,) = control
        assert cg["printed"] == row["Control group"]
        assert cg["n"] == cg_n
    for arm in study["arms"]:
        assert arm["receives"] and set(arm["receives"]) <= THERAPY_IDS, arm["receives"]
        assert all(type(n) is int for n in arm["n"])


# ------------------------------------------------------------------ (d) every printed value token
@by_row
def test_d_every_value_token_is_curated_exactly(row):
    study = study_for(row)
    outcomes = study.get("outcomes", [])
    has_control = bool(arms(study, "control"))
    for scope, m in row_tokens(row):
        token, label = m.group(0), m.group("label")
        found = [o for o in outcomes if o.get("printed") == token]
        assert len(found) == 1, f"{token!r}: {len(found)} curated outcomes"
        o = found[0]

        # the numbers, exactly as printed (intervention and control group)
        iv_num, iv_unit = split_value(m.group("iv"))
        assert same_value(o.get("intervention"), iv_num), (token, o.get("intervention"))
        units = {iv_unit}
        if m.group("cg") is None:
            assert "control" not in o, token
        else:
            assert has_control, f"{token!r} has a CG value but the study has no control arm"
            cg_num, cg_unit = split_value(m.group("cg"))
            assert same_value(o.get("control"), cg_num), (token, o.get("control"))
            units.add(cg_unit)
        units.discard(None)
        assert len(units) <= 1, token
        assert o["unit"] == (units.pop() if units else o["unit"]) and o["unit"] in ("percent", "month")

        # endpoint (scope follows the column), statistic and time point
        std = LABEL_RE.fullmatch(label)
        base = std.group("base") if std else next(b for b in BASES if b in label)
        assert o["endpoint"] == ("i" + base if scope == "intracranial" else base), token
        if std:
            assert not (std.group("cns") and scope == "systemic"), f"{token!r}: CNS value in a systemic column"
            odd = (scope == "intracranial" and not std.group("cns")) or (std.group("n") and std.group("m"))
            if std.group("n"):
                n = int(std.group("n"))
                assert o["statistic"] == "rate", token
                assert o["timepoint"] == f"{n}-{std.group('per')}", token
                assert o["timepoint_months"] == n * (12 if std.group("per") == "year" else 1), token
            else:
                assert o["statistic"] == ("proportion" if base in ("ORR", "DCR") else "median"), token
                assert "timepoint" not in o and "timepoint_months" not in o, token
        else:  # odd printings, kept verbatim and explained
            odd = True
            if label.startswith("month "):  # time point not printed
                assert o["statistic"] == "rate", token
                assert o["timepoint"] is None and o["timepoint_months"] is None, token
            elif label.startswith("Medium "):  # "Medium" for median
                assert o["statistic"] == "median", token
            else:
                pytest.fail(f"unrecognised label {label!r} in {token!r}")
        if odd:
            assert o.get("note"), f"{token!r} is an odd printing and needs a note"
        assert o["unit"] == ("month" if o["statistic"] == "median" else "percent"), token


# ------------------------------------------------------------------ (e) no curated value without a token
@by_study
def test_e_every_outcome_is_printed_in_its_row(study):
    (row,) = [r for r in ROWS if r["table"] == study["table"] and r["References"] == study["cited_as"]]
    tokens = Counter(m.group(0) for _scope, m in row_tokens(row))
    printed = Counter(o["printed"] for o in study.get("outcomes", []))
    assert printed == tokens, {"not in row": printed - tokens, "not curated": tokens - printed}
    cells = "\t".join(cell for _c, _s, cell in row["efficacy"])
    for o in study.get("outcomes", []):
        assert o["printed"] in cells


# ------------------------------------------------------------------ citations and alterations
@by_study
def test_alteration_follows_reference_titles(study):
    numbers = [int(n) for n in re.findall(r"\d+", study["cited_as"])]
    titles = [REFERENCES[n + CITATION_OFFSET] for n in numbers]
    named = {alt for alt, words in ALTERATION_WORDS.items() for t in titles if any(w in t for w in words)}
    assert len(named) <= 1, named
    assert study.get("alteration") == (named.pop() if named else None), titles


@by_row
def test_citation_offset(row):
    """Where a row's study name appears in any reference title, it is in a title the row cites (n + 2)."""
    names = [p[2] for p in row_registrations(row) if p[2]]
    cited = [REFERENCES[int(n) + CITATION_OFFSET] for n in re.findall(r"\d+", row["References"])]
    for name in names:
        if any(name in t for t in REFERENCES.values()):
            assert any(name in t for t in cited), name

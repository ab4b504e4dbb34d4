"""Lexical facts about a SPARQL request text, found before it reaches a store: its query form, whether
it is an update, and which endpoints it calls with SERVICE. Strings, IRIs and comments are skipped by
the SPARQL 1.1 lexical rules (section 19.8 of the spec), so a keyword inside a literal or an IRI does not
count, and nothing the store reads as a keyword can hide from this scan.

The token rules follow the grammar's terminals closely on purpose: a comment ends at a line feed *or*
a carriage return, a variable name has no `.` or `-`, a short string cannot span a line. Where the
rules here are looser than the store's, they find more keywords, never fewer (tests/test_ssrf.py checks
this against the store itself). The store parses the query itself; this only decides what the public
endpoint refuses up front.
"""
import re
from dataclasses import dataclass

UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
PN_PREFIX = rf"[^\W\d_](?:(?:{PN_CHARS}|\.)*{PN_CHARS})?"
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
PN_LOCAL = rf"(?:[\w:]|{PLX})(?:(?:{PN_CHARS}|[.:]|{PLX})*(?:{PN_CHARS}|:|{PLX}))?"
TOKEN = re.compile(rf'''
    (?P<string>"""(?:"{{0,2}}(?:[^"\\]|\\.))*"""|'\'\'(?:'{{0,2}}(?:[^'\\]|\\.))*'\'\'
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{UCHAR})*>)
  | (?P<comment>\#[^\r\n]*)
  | (?P<variable>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<blank>_:[\w](?:(?:{PN_CHARS}|\.)*{PN_CHARS})?)
  | (?P<pname>(?:{PN_PREFIX})?:(?:{PN_LOCAL})?)
  | (?P<word>[A-Za-z]+)
  | (?P<other>\S)
''', re.VERBOSE)

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True)
class QueryText:
    form: str | None          # SELECT, ASK, CONSTRUCT, DESCRIBE, or None when no form keyword is found
    is_update: bool           # the text is (or contains) a SPARQL Update operation
    uses_service: bool        # the text calls SERVICE (federation)
    names_dataset: bool = False  # the text has FROM / FROM NAMED clauses
    # what each SERVICE calls: an absolute IRI, or None where the text does not say one (a variable, a
    # relative IRI, an undeclared prefix) — such a call cannot be checked against an allow-list
    service_targets: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> list[Token]:
    """The significant tokens of the text (comments dropped)."""
    found = []
    for match in TOKEN.finditer(text):
        if match.lastgroup != "comment":
            found.append(Token(match.lastgroup, match.group()))
    return found


def keywords(text: str) -> list[str]:
    """Upper-cased bare words of the text, in order, skipping strings, IRIs, comments, variables and
    prefixed names."""
    return [token.text.upper() for token in tokens(text) if token.kind == "word"]


def analyse(text: str) -> QueryText:
    found = tokens(text)
    words = [token.text.upper() for token in found if token.kind == "word"]
    form = next((w for w in words if w in QUERY_FORMS), None)
    first = next((w for w in words if w not in {"PREFIX", "BASE"}), None)
    is_update = first in UPDATE_KEYWORDS or (form is None and any(w in UPDATE_KEYWORDS for w in words))
    targets = service_targets(found)
    return QueryText(form=form, is_update=is_update, uses_service=bool(targets) or "SERVICE" in words,
                     names_dataset="FROM" in words, service_targets=targets)


def service_targets(found: list[Token]) -> tuple[str | None, ...]:
    prefixes = declared_prefixes(found)
    targets = []
    for position, token in enumerate(found):
        if token.kind != "word" or token.text.upper() != "SERVICE":
            continue
        following = [t for t in found[position + 1:position + 3]]
        if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
            following = following[1:]
        targets.append(resolve_target(following[0], prefixes) if following else None)
    return tuple(targets)


def declared_prefixes(found: list[Token]) -> dict[str, str | None]:
    """`PREFIX p: <iri>` declarations, the IRI unescaped (None when it is relative)."""
    prefixes = {}
    for position, token in enumerate(found[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX":
            name, iri = found[position + 1], found[position + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = absolute(unescape_iri(iri.text[1:-1]))
    return prefixes


def resolve_target(token: Token, prefixes: dict[str, str | None]) -> str | None:
    if token.kind == "iri":
        return absolute(unescape_iri(token.text[1:-1]))
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        if namespace is None:
            return None
        return namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def unescape_iri(iri: str) -> str:
    return re.sub(UCHAR, lambda m: chr(int(m.group()[2:], 16)), iri)


def absolute(iri: str) -> str | None:
    return iri if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", iri) else None

"""Lexical facts about a SPARQL request text, found before it reaches a store: its query form, whether
it is an update, and which endpoints it calls with SERVICE. Strings, IRIs and comments are skipped by
the SPARQL 1.1 lexical rules (section 19.8 of the spec), so a keyword inside a literal or an IRI does not
count, and nothing the store reads as a keyword can hide from this scan.

The token rules follow the grammar's terminals closely on purpose: a comment ends at a line feed *or*
a carriage return, a variable name has no `.` or `-`, a short string cannot span a line. Where the
rules here are looser than the store's, they find more keywords, never fewer (tests/test_ssrf.py checks
this against the store itself). The scan is one pass in linear time, whatever the text. The store parses
the query itself; this only decides what the public endpoint refuses up front.
"""
import functools
import re
from dataclasses import dataclass

UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
NAME_CHARS = r"\w\-\u00B7\u0300-\u036F\u203F-\u2040"           # PN_CHARS
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
IRI = re.compile(rf'<(?:[^<>"{{}}|^`\\\x00-\x20]|{UCHAR})*>')
VARIABLE = re.compile(r"[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+")
PREFIX_START = re.compile(r"[^\W\d_]")                          # PN_CHARS_BASE
NAME_RUN = re.compile(rf"[{NAME_CHARS}.]*")                     # PN_CHARS and '.', taken whole
LOCAL_START = re.compile(rf"[\w:]|{PLX}")                       # PN_CHARS_U, digits, ':' or an escape
LOCAL_RUN = re.compile(rf"(?:[{NAME_CHARS}.:]|{PLX})*")
WORD = re.compile(r"[A-Za-z]+")
LONG_QUOTES = {'"': '"""', "'": "'''"}

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
    """The significant tokens of the text (comments dropped), in one pass that takes time linear in the
    length of the text whatever it holds (a scan that backtracks lets a 100 kB query of quotes and
    backslashes hold a web worker for minutes)."""
    return list(Lexer(text))


class Lexer:
    def __init__(self, text: str):
        self.text, self.position = text, 0
        # Where the last unterminated string of each kind gave up, and where the last run of name
        # characters without a `:` after it ended: a later start inside either ends the same way, so it
        # is not scanned again. This keeps the pass linear.
        self.string_failed: dict[str, int] = {}
        self.prefix_failed = -1

    def __iter__(self):
        while self.position < len(self.text):
            if self.text[self.position].isspace():
                self.position += 1
                continue
            token = self.next_token(self.text[self.position])
            self.position += len(token.text)
            if token.kind != "comment":
                yield token

    def next_token(self, char: str) -> Token:
        text, at = self.text, self.position
        if char == "#":
            ends = [i for i in (text.find("\n", at), text.find("\r", at)) if i >= 0]
            return Token("comment", text[at:min(ends, default=len(text))])
        if char in "\"'":
            found = self.string(char)
            if found:
                return found
        elif char == "<":
            match = IRI.match(text, at)
            if match:
                return Token("iri", match.group())
        elif char in "?$":
            match = VARIABLE.match(text, at)
            if match:
                return Token("variable", match.group())
        elif text.startswith("_:", at):
            return Token("blank", "_:" + self.name_run(at + 2, LOCAL_START, NAME_RUN))
        elif char == ":":
            return Token("pname", ":" + self.name_run(at + 1, LOCAL_START, LOCAL_RUN))
        elif at >= self.prefix_failed and PREFIX_START.match(char):
            prefix = self.name_run(at, PREFIX_START, NAME_RUN)
            end = at + len(prefix)
            if text.startswith(":", end):
                return Token("pname", prefix + ":" + self.name_run(end + 1, LOCAL_START, LOCAL_RUN))
            self.prefix_failed = end
        match = WORD.match(text, at)
        return Token("word", match.group()) if match else Token("other", char)

    def name_run(self, at: int, first: re.Pattern, rest: re.Pattern) -> str:
        """A prefix, local name or blank node label from `at`: the longest run that does not end with `.`."""
        if not first.match(self.text, at):
            return ""
        run = rest.match(self.text, at).group()
        stripped = run.rstrip(".")   # one pass: stripping a dot at a time was quadratic in a run of dots
        return stripped + "." if stripped != run and stripped.endswith("\\") else stripped   # keep an escaped `\.`

    def string(self, char: str) -> Token | None:
        """The string literal starting here, long or short; None when it does not end (the store will
        refuse such a text)."""
        for quote in (LONG_QUOTES[char], char):
            if not self.text.startswith(quote, self.position) or self.position < self.string_failed.get(quote, -1):
                continue
            end = self.string_end(self.position + len(quote), quote)
            if end is not None:
                return Token("string", self.text[self.position:end])
        return None

    def string_end(self, at: int, quote: str) -> int | None:
        text, long = self.text, len(quote) == 3
        while at < len(text):
            if text.startswith(quote, at):
                return at + len(quote)
            if text[at] == "\\":
                if at + 1 >= len(text) or text[at + 1] in "\r\n":
                    break
                at += 2
            elif not long and text[at] in "\r\n":
                break
            else:
                at += 1
        self.string_failed[quote] = at
        return None


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
        following = found[position + 1:position + 3]
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


@functools.lru_cache(maxsize=64)   # the catalogue's few texts are bound on every uncached request
def where_group_start(text: str) -> int:
    """The offset just after the `{` that opens the query's WHERE group (the first top-level `{` after
    WHERE, or of a SELECT/ASK written without the WHERE keyword), by the same token rules as above."""
    depth, seen_where, seen_form = 0, False, None
    lexer = Lexer(text)
    for token in lexer:  # the lexer's position is the end of the token just read
        if token.kind == "word" and depth == 0:
            upper = token.text.upper()
            seen_where = seen_where or upper == "WHERE"
            seen_form = seen_form or (upper if upper in QUERY_FORMS else None)
        if token.kind == "other" and token.text == "{":
            if depth == 0 and (seen_where or seen_form in ("SELECT", "ASK")):
                return lexer.position
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
    raise ValueError("the query has no WHERE group")

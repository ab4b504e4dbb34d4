"""Lexical facts about a SPARQL request text, found before it reaches a store: its query form, whether
it is an update, and whether it calls SERVICE. Strings, IRIs and comments are skipped by the SPARQL
lexical rules, so a keyword inside a literal or an IRI does not count.

The store parses the query itself; this only decides what the public endpoint refuses up front.
"""
import re
from dataclasses import dataclass

TOKEN = re.compile(r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<word>[?$]?[A-Za-z_][\w\-.]*(?::[\w\-.%]*)?|:[\w\-.%]*)
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


def keywords(text: str) -> list[str]:
    """Upper-cased bare words of the text, in order, skipping strings, IRIs, comments and variables."""
    words = []
    for match in TOKEN.finditer(text):
        word = match.group("word")
        if word and word[0] not in "?$" and ":" not in word:
            words.append(word.upper())
    return words


def analyse(text: str) -> QueryText:
    words = keywords(text)
    form = next((w for w in words if w in QUERY_FORMS), None)
    first = next((w for w in words if w not in {"PREFIX", "BASE"}), None)
    is_update = first in UPDATE_KEYWORDS or (form is None and any(w in UPDATE_KEYWORDS for w in words))
    return QueryText(form=form, is_update=is_update, uses_service="SERVICE" in words, names_dataset="FROM" in words)


def where_group_start(text: str) -> int:
    """The offset just after the `{` that opens the query's WHERE group (the first top-level `{` after
    WHERE, or of a SELECT/ASK written without the WHERE keyword), skipping strings, IRIs and comments."""
    depth, seen_where, seen_form = 0, False, None
    for match in TOKEN.finditer(text):
        word, other = match.group("word"), match.group("other")
        if word and depth == 0:
            upper = word.upper()
            seen_where = seen_where or upper == "WHERE"
            seen_form = seen_form or (upper if upper in QUERY_FORMS else None)
        if other == "{":
            if depth == 0 and (seen_where or seen_form in ("SELECT", "ASK")):
                return match.end()
            depth += 1
        elif other == "}":
            depth -= 1
    raise ValueError("the query has no WHERE group")

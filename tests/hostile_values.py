"""Values an attacker sends as query parameters to rewrite a canned query, each with what it tries.

Used by tests/test_hostile_values.py against every parameter of every canned query.
"""
TARGET = "https://w3id.org/lungmet-kg/id/gene/egfr"

HOSTILE_VALUES = {
    # closing the string a naive template puts the value in, then adding patterns
    "double quote": '"',
    "single quote": "'",
    "triple double quote": '"""',
    "triple single quote": "'''",
    "escaped quote": '\\"',
    "quote then union": 'EGFR" } UNION { ?s ?p ?o } #',
    "single quote then union": "EGFR' } UNION { ?s ?p ?o } #",
    "long string breakout": 'x""" } UNION { ?s ?p ?o } #',
    "sql-style": "EGFR'; DROP ALL; --",
    # braces and group patterns
    "braces": "}}}}{{{{",
    "bare union": "} UNION {",
    "union with pattern": "?target } UNION { ?target ?p ?o",
    "optional": "} OPTIONAL { ?s ?p ?o }",
    "filter always true": "EGFR) || true || (",
    "values clause": "VALUES ?target { <https://w3id.org/lungmet-kg/id/gene/alk> }",
    # IRIs: closing one, spaces and `>` inside, other schemes
    "iri closing": f"{TARGET}> . ?s ?p ?o . <{TARGET}",
    "iri with space": "https://w3id.org/lungmet-kg/id/gene/egfr x",
    "iri with gt": "https://w3id.org/lungmet-kg/id/gene/eg>fr",
    "angle iri": f"<{TARGET}>",
    "file iri": "file:///etc/passwd",
    "loopback iri": "http://127.0.0.1:9/",
    "service clause": "} SERVICE <http://127.0.0.1:9/> { ?s ?p ?o",
    # comments and line breaks that would end the rest of a spliced line
    "hash comment": "EGFR # } ",
    "newline": "EGFR\n} UNION { ?s ?p ?o }",
    "carriage return": "EGFR\r} UNION { ?s ?p ?o }",
    "crlf": "EGFR\r\n?s ?p ?o",
    # SPARQL escapes that a text-substituting engine would decode
    "unicode escape quote": "\\u0022 } UNION { ?s ?p ?o } #",
    "long unicode escape brace": "\\U0000007D UNION { ?s ?p ?o }",
    "percent encoded": "%22%7D%20UNION%20%7B",
    # variables and template syntax
    "variable": "?target",
    "dollar variable": "$target",
    "mustache": "{{target}}",
    "python format": "{target}",
    # other characters
    "nul": "EGFR\x00",
    "control characters": "\x01\x02\x1b[31m",
    "right-to-left override": "\u202eRFGE",
    "byte order mark": "\ufeffEGFR",
    "zero-width joiner": "EG\u200dFR",
    "non-latin": "\u0415GFR",  # Cyrillic Е
    "emoji": "\U0001F48A",
    "empty-looking": "\u00a0",
    "update": "INSERT DATA { <a:a> <a:b> <a:c> }",
    "load": "LOAD <http://127.0.0.1:9/>",
    "number overflow": "1e999999999",
    "tiny number": "1e-999999999",
    "nan": "NaN",
    # sizes
    "10 kB": "A" * 10_000,
    "10 kB of quotes and braces": '"} ' * 3_400,
}

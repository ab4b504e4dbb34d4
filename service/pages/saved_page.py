"""The page of a saved query (`/saved/<id>` asked for by a browser): its title, its text, links to run it
again and to open it in the editor, and its answer as a table (service/api/saved.py keeps and runs it)."""
from urllib.parse import urlencode

from flask import render_template, request, url_for

from service.engine.results import available_types
from service.pages.answer_table import default_columns, fold_rows
from service.pages.query_page import AnswerTable


def prefers_page(form: str) -> bool:
    """A browser (HTML preferred to every data format, none named): the page, not the data."""
    if {"format", "output", "results"} & set(request.args):
        return False
    return request.accept_mimetypes.best_match([*available_types(form), "text/html"]) == "text/html"


def saved_page(identifier: str, title: str, query: str, result) -> str:
    """Its title, text, a link that runs it again, one that opens it in the editor, and the answer."""
    table = None
    if result.form == "SELECT":
        columns = default_columns(result.variables)
        table = AnswerTable(columns, fold_rows(result.dicts(), columns, []), len(result.rows), [])
    return render_template("saved.html", identifier=identifier, title=title, query=query, result=result,
                           table=table, editor_link=url_for("sparql.endpoint") + "#" + urlencode(
                               {"query": query, "tabTitle": title or identifier}))

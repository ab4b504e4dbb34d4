"""RFC 9457 problem details: every error the service gives is JSON of this shape, with the right status,
and never carries a stack trace or a file path."""
from contextlib import contextmanager

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from graph.vocab import BASE

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An error to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, slug: str | None = None, headers=None, **extra):
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra
        self.slug = slug or title.lower().replace(" ", "-")
        self.headers = headers or {}


@contextmanager
def query_problems():
    """Turns the ways a query can fail into the problem the client gets."""
    from service.engine.query import (QueryBusy, QueryFailed, QueryTimeout, QueryUnavailable, StoreUnavailable,
                               WorkerMemoryExceeded)
    from service.engine.results import TooManyResults
    try:
        yield
    except QueryTimeout as error:
        raise Problem(503, "Query timeout", str(error), slug="query-timeout", headers={"Retry-After": "10"},
                      time_limit_seconds=error.seconds) from None
    except QueryBusy as error:
        raise Problem(503, "Query workers busy", str(error), slug="busy", headers={"Retry-After": "2"}) from None
    except WorkerMemoryExceeded as error:
        raise Problem(422, "Query over the memory limit", str(error), slug="memory-limit",
                      memory_limit_bytes=error.limit) from None
    except TooManyResults as error:
        raise Problem(422, "Result too large", str(error), slug="result-too-large", row_limit=error.limit) from None
    except StoreUnavailable as error:
        raise store_unavailable(error) from None
    except QueryFailed as error:
        raise Problem(400, "Malformed query", str(error), slug="malformed-query") from None
    except QueryUnavailable as error:
        current_app.logger.warning("query could not be answered: %s", error)
        raise Problem(503, "Service unavailable", "the data could not be read to answer this query; try again later",
                      slug="unavailable", headers={"Retry-After": "10"}) from None


def store_unavailable(error: Exception) -> Problem:
    return Problem(503, "Store unavailable", str(error), slug="store-unavailable", headers={"Retry-After": "5"})


def problem_response(problem: Problem):
    """The problem as JSON, or as a page (same status) to a browser that prefers HTML."""
    # a 406 says no representation the client accepts exists: it stays a problem document, not the HTML asked for
    if problem.status != 406 and wants_html():
        return problem_page(problem)
    body = {"type": f"{BASE}problems/{problem.slug}", "title": problem.title, "status": problem.status,
            "detail": problem.detail, "instance": request.path, **problem.extra}
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = PROBLEM_TYPE
    response.headers.update(problem.headers)
    return response


def wants_html() -> bool:
    """HTML only when the client prefers it to JSON and asked for no data format (`*/*`, API clients and
    downloads still get problem+json)."""
    if "format" in request.args:
        return False
    best = request.accept_mimetypes.best_match([PROBLEM_TYPE, "application/json", "text/html"])
    return best == "text/html"


def problem_page(problem: Problem):
    from flask import render_template
    try:
        html = render_template("error.html", problem=problem)
    except Exception:  # noqa: BLE001 — the page must not fail where the JSON would not: fall back to text
        current_app.logger.exception("error page failed")
        html = f"<!doctype html><title>{problem.status}</title><h1>{problem.status} {problem.title}</h1>"
    response = current_app.response_class(html, status=problem.status, mimetype="text/html")
    response.headers.update(problem.headers)
    return response


def register(app: Flask) -> None:
    from service.engine.query import StoreUnavailable
    from service.engine.runtime import ReleaseNotKept

    app.register_error_handler(Problem, problem_response)

    # a release asked for by id that the service does not keep
    app.register_error_handler(ReleaseNotKept, lambda error: problem_response(Problem(
        410, "Release not kept", str(error), current_release=error.current_release)))

    # raised outside a query too (remote mode: reading which release the store holds)
    app.register_error_handler(StoreUnavailable, lambda error: problem_response(store_unavailable(error)))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = {}
        if error.code == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        detail = error.description or error.name
        if error.code == 429:  # flask-limiter: the description is the limit ("60 per 1 minute")
            detail = f"this client is over its limit of {detail} on /sparql and /saved; retry after Retry-After seconds"
        return problem_response(Problem(error.code or 500, error.name, detail, headers=headers))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        return problem_response(Problem(500, "Internal Server Error",
                                        "the server failed to answer this request; the error was logged"))

"""A result over the row limit is refused with one clear message, also when the refusal comes back
pickled from a query worker (it used to read "more than the result has more than 10000 rows")."""
import pickle

from service import create_app
from service.engine.results import TooManyResults

MESSAGE = "the result has more than 5 rows; add LIMIT/OFFSET to page through it"


def test_the_refusal_survives_pickling():
    error = pickle.loads(pickle.dumps(TooManyResults(5)))
    assert str(error) == MESSAGE and error.limit == 5


def test_an_ad_hoc_query_over_the_limit_says_so_once(data_dir):
    app = create_app({"DATA_DIR": str(data_dir), "TESTING": True, "MAX_ROWS": 5})
    response = app.test_client().get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 50"})
    assert response.status_code == 422 and response.json["detail"] == MESSAGE

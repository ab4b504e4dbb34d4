"""The query engine: stores (embedded pyoxigraph or a remote SPARQL endpoint), running a query, results, the catalogue and name index; no Flask, no HTML."""

"""The query engine: stores (embedded or remote), running queries, results, the catalogue; no Flask, no HTML."""

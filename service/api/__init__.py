"""The HTTP API: /sparql, /queries, /saved, downloads, diffs, OpenAPI, and the protocol every answer shares (problems, headers, limits, caching, gzip)."""

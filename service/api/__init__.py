"""The HTTP API (/sparql, /queries, /saved, downloads, diffs, OpenAPI) and what every answer shares."""

"""The service's public address. Links, redirects, the OpenAPI servers, the service description, the
editor's endpoint and saved-query URLs are built from the request's host and scheme; here they are set
from one configured base URL (PUBLIC_BASE_URL) before the app sees the request, so a client's `Host`
(or `X-Forwarded-Host`/`-Proto`, which are never honoured) cannot change what another client is served
from the front cache. `lmkg serve` defaults it to the address it listens on."""
from urllib.parse import urlsplit


class PublicUrl:
    """WSGI middleware answering every request as if it came to `base_url` (scheme://host[:port])."""

    def __init__(self, app, base_url: str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/") or parts.query:
            raise ValueError(f"PUBLIC_BASE_URL must be http(s)://host[:port], not {base_url!r}")
        self.app, self.scheme, self.host = app, parts.scheme, parts.netloc

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"], environ["HTTP_HOST"] = self.scheme, self.host
        return self.app(environ, start_response)

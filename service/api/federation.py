"""Federation only to an explicit allow-list: which SERVICE endpoints a public query may call.

`FEDERATION_ENDPOINTS` (config, or `LMKG_FEDERATION_ENDPOINTS` as a JSON list or space-separated URLs)
is empty by default, so every SERVICE is refused. An entry is an endpoint URL; a query may call it
exactly, or anything under it when the entry ends with `/`. Scheme, host and port must be equal
(compared parsed, so `https://allowed.org.evil.example/` or `https://allowed.org@evil.example/` do not
pass for `https://allowed.org/`), and a call whose endpoint the text does not spell out (a variable, a
relative IRI) is refused.
"""
import json
from urllib.parse import urlsplit

from service.api.problems import Problem

DEFAULT_PORTS = {"http": 80, "https": 443}


def allowed_endpoints(setting) -> list[str]:
    """The allow-list from its setting: a list, or a string holding a JSON list or space/comma-separated URLs."""
    if not setting:
        return []
    if isinstance(setting, str):
        try:
            setting = json.loads(setting)
        except ValueError:
            setting = setting.replace(",", " ").split()
    if isinstance(setting, str):
        setting = [setting]
    return [str(entry) for entry in setting if entry]


def endpoint_parts(url: str):
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port, parts.path or "/"


def is_allowed(target: str | None, endpoints: list[str]) -> bool:
    wanted = endpoint_parts(target) if target else None
    if wanted is None:
        return False
    for entry in endpoints:
        allowed = endpoint_parts(entry)
        if allowed is None or wanted[:3] != allowed[:3]:
            continue
        path, allowed_path = wanted[3], allowed[3]
        if path == allowed_path or (allowed_path.endswith("/") and path.startswith(allowed_path)):
            return True
    return False


def check_federation(facts, setting) -> None:
    """403 unless every SERVICE of the query calls an allowed endpoint."""
    if not facts.uses_service:
        return
    endpoints = allowed_endpoints(setting)
    if not endpoints:
        raise Problem(403, "Federation not allowed", "SERVICE calls to other endpoints are switched off here",
                      slug="federation-not-allowed")
    refused = [target or "(an endpoint not written as an absolute IRI)"
               for target in facts.service_targets if not is_allowed(target, endpoints)]
    if refused or not facts.service_targets:
        raise Problem(403, "Federation not allowed", "SERVICE may call only these endpoints: " + ", ".join(endpoints),
                      slug="federation-not-allowed", refused=refused, allowed=endpoints)

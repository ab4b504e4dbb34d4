"""HTTP load from a second process: `wrk` (Debian package) with a Lua script that cycles through a list of
request paths, so one run can be one repeated URL or a stream of distinct parameter values."""
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)


@dataclass
class LoadResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int          # non-2xx/3xx answers plus socket errors (connect, read, write, timeout)


def lua_script(paths: list[str], headers: dict[str, str]) -> str:
    for text in (*paths, *headers, *headers.values()):
        if any(ch in text for ch in '"\\\n'):
            raise ValueError(f"percent-encode request paths and headers for wrk: {text[:80]!r}")
    listed = ",\n".join(f'"{path}"' for path in paths)
    header_table = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    return (f"local paths = {{\n{listed}\n}}\nlocal headers = {{ {header_table} }}\nlocal i = 0\n"
            "request = function()\n  i = i + 1\n"
            "  return wrk.format(\"GET\", paths[(i - 1) % #paths + 1], headers)\nend\n")


def run_wrk(base_url: str, paths: list[str], headers: dict[str, str], seconds: float, connections: int,
            threads: int = 1, timeout: float = 30.0) -> LoadResult:
    wrk = shutil.which("wrk")
    if not wrk:
        raise FileNotFoundError("wrk is not installed (apt-get install wrk; `make bench` does it)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua_script(paths, headers))
        script.flush()
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                   f"--timeout={round(timeout)}s", "--latency", "-s", script.name, base_url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> LoadResult:
    requests = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = {p: float(v) * UNITS_MS[u] for p, v, u in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    if not (requests and rps):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    return LoadResult(int(requests.group(1)), float(requests.group(2)) * UNITS_MS[requests.group(3)] / 1000,
                      float(rps.group(1)), latency.get("50", float("nan")), latency.get("99", float("nan")),
                      errors)

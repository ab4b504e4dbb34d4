"""Load, shortened: 8 clients for a few seconds of mixed canned, ad-hoc and saved-query requests against
`lmkg serve` on loopback, with no error. The full 60-second run is `python -m tests.load` (README, "Load")."""
from service import DEFAULTS
from tests.load import run

WORKERS = 2   # server workers of tests.load.run


def test_mixed_load_on_the_live_server_gives_no_error(data_dir):
    report = run(data_dir, seconds=5, clients=8, warmup=2)
    print("\n", {k: report[k] for k in ("requests", "errors", "p50_ms", "p95_ms", "rss_before_mb", "rss_after_mb")})
    assert report["errors"] == 0, report["first_errors"]
    assert all(kind["requests"] > 0 for kind in report["by_kind"].values())
    # a gross leak, beyond what the bounded front cache of each worker may still fill after a short warm-up;
    # the full run reports the numbers
    front_caches_mb = WORKERS * DEFAULTS["FRONT_CACHE_BYTES"] / 2**20
    assert report["rss_after_mb"] < 1.5 * report["rss_before_mb"] + front_caches_mb

"""The bench results as a Markdown report (tables) and a growth plot (PNG) beside it."""
import statistics
from pathlib import Path


def http_table(http: list[dict]) -> list[str]:
    lines = ["| target | rows | repeated req/s | p50 ms | p99 ms | × oxigraph | distinct req/s | p50 ms | p99 ms "
             "| × oxigraph | errors |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in http:
        rep, dis = r["repeated"], r["distinct"]
        lines.append(f"| {r['target']} | {r['rows']} | {rep['rps']:.0f} | {rep['p50_ms']:.2f} | {rep['p99_ms']:.2f} "
                     f"| {rep['ratio_to_oxigraph']:.2f} | {dis['rps']:.1f} | {dis['p50_ms']:.2f} | {dis['p99_ms']:.2f} "
                     f"| {dis['ratio_to_oxigraph']:.2f} | {rep['errors'] + dis['errors']} |")
    return lines


def growth_table(growth: list[dict]) -> list[str]:
    lines = ["| triples | write s | start s | first pass s | worker RSS MB | bytes/triple | median canned ms "
             "| slowest canned ms |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for g in growth:
        latencies = g["latency_ms"]
        slowest = max(latencies, key=latencies.get)
        lines.append(f"| {g['triples']:,} | {g['load_seconds']} | {g['startup_seconds']} | {g['first_pass_seconds']} "
                     f"| {g['worker_rss_mb']} | {g['bytes_per_triple']} | {statistics.median(latencies.values()):.1f} "
                     f"| {latencies[slowest]:.1f} ({slowest}) |")
    return lines


def per_query_table(results: dict) -> list[str]:
    growth = results["growth"]
    header = "| canned query | in-process ms | " + " | ".join(f"HTTP ms at {g['triples']:,}" for g in growth) + " |"
    lines = [header, "|---|---:|" + "---:|" * len(growth)]
    for name, ms in results["inprocess_ms"].items():
        lines.append(f"| {name} | {ms} | " + " | ".join(str(g["latency_ms"].get(name)) for g in growth) + " |")
    return lines


def write(results: dict, out: Path) -> None:
    lines = [f"# lmkg bench — {results['date']}{' (smoke)' if results['smoke'] else ''}", "",
             f"Release {results['release']}, {results['triples']:,} triples, {results['cpu_count']} CPUs.", ""]
    if "build" in results:
        b = results["build"]
        lines += [f"`lmkg build`: {b['seconds']} s, peak RSS {b['peak_rss_mb']} MB.", ""]
    lines += ["## HTTP: canned query `trials-for-drug`", "", *http_table(results["http"]), "",
              "## Growth on synthetic data", "", *growth_table(results["growth"]), "", "![growth](growth.png)", "",
              "## Per canned query", "", *per_query_table(results), ""]
    (out / "report.md").write_text("\n".join(lines))
    plot(results["growth"], out / "growth.png")


def plot(growth: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = [g["triples"] for g in growth]
    fig, (latency, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name in growth[0]["latency_ms"]:
        latency.plot(sizes, [g["latency_ms"][name] for g in growth], marker="o", linewidth=1, label=name)
    linear = [growth[0]["latency_ms"][max(growth[0]["latency_ms"], key=growth[0]["latency_ms"].get)] * s / sizes[0]
              for s in sizes]
    latency.plot(sizes, linear, "k--", linewidth=1, label="linear in size (slowest query)")
    latency.set(xscale="log", yscale="log", xlabel="triples", ylabel="median latency over HTTP (ms)",
                title="Canned-query latency")
    latency.legend(fontsize=6, ncol=2)
    memory.plot(sizes, [g["bytes_per_triple"] for g in growth], marker="o", label="worker RSS / triple")
    memory.axhline(400, color="red", linestyle=":", label="target 400 B/triple")
    memory.set(xscale="log", xlabel="triples", ylabel="bytes per triple", title="Serving memory")
    memory.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

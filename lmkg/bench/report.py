"""The bench results as a Markdown report (tables) and a growth plot (PNG) beside it."""
import statistics
from pathlib import Path

MET = {True: "yes", False: "**no**", None: "n/a"}
# Canned queries whose answer (first declared example) does not grow with the synthetic copies (issue #16)
CONSTANT_ANSWERS = ["trials-for-drug", "trial-outcomes", "therapies-for-site", "drugs-by-target", "describe",
                    "treatment-options"]
FAST_ROWS, FAST_MS = 1000, 1000          # an answer of at most 1,000 rows comes in under 1 s, uncached
CONSTANT_SLOWDOWN = 3                    # a constant answer at most 3x slower from the smallest size to the largest
DERIVE_SECONDS = 600                     # the derived graph of the largest synthetic release, in 10 minutes


def http_table(http: list[dict]) -> list[str]:
    lines = ["| target | rows | repeated req/s | p50 ms | p99 ms | × oxigraph | × in memory | distinct req/s "
             "| p50 ms | p99 ms | × oxigraph | × in memory | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in http:
        rep, dis = r["repeated"], r["distinct"]
        lines.append(f"| {r['target']} | {r['rows']} | {rep['rps']:.0f} | {rep['p50_ms']:.2f} | {rep['p99_ms']:.2f} "
                     f"| {rep['ratio_to_oxigraph']:.2f} | {rep['ratio_to_oxigraph_memory']:.2f} | {dis['rps']:.1f} "
                     f"| {dis['p50_ms']:.2f} | {dis['p99_ms']:.2f} | {dis['ratio_to_oxigraph']:.2f} "
                     f"| {dis['ratio_to_oxigraph_memory']:.2f} | {rep['errors'] + dis['errors']} |")
    return lines


def growth_table(growth: list[dict]) -> list[str]:
    lines = ["| triples | write s | of which derived graph s | start s | first request s | worker RSS MB | bytes/triple "
             "| answered | median canned ms | slowest canned ms |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for g in growth:
        latencies = {q: ms for q, ms in g["latency_ms"].items() if ms is not None}
        slowest = max(latencies, key=latencies.get)
        lines.append(f"| {g['triples']:,} | {g['load_seconds']} | {g.get('derive_seconds', '?')} | {g['startup_seconds']} "
                     f"| {g['first_request_seconds']} "
                     f"| {g['worker_rss_mb']} | {g['bytes_per_triple']} | {len(latencies)} of {len(g['latency_ms'])} "
                     f"| {statistics.median(latencies.values()):.1f} | {latencies[slowest]:.1f} ({slowest}) |")
    return lines


def per_query_table(results: dict) -> list[str]:
    growth = results["growth"]
    inprocess = results["inprocess_ms"]
    header = ("| canned query | in-process ms, in memory | in-process ms, on disk | "
              + " | ".join(f"HTTP ms (answer rows) at {g['triples']:,}" for g in growth) + " |")
    lines = [header, "|---|---:|---:|" + "---:|" * len(growth)]
    for name, ms in inprocess["disk"].items():
        lines.append(f"| {name} | {inprocess['memory'][name]} | {ms} | "
                     + " | ".join(growth_cell(g, name) for g in growth) + " |")
    return lines


def growth_cell(g: dict, name: str) -> str:
    ms = g["latency_ms"].get(name)
    return "no answer" if ms is None else f"{ms} ({g.get('answer_rows', {}).get(name, '?')})"


def answer_ratio(first: dict, last: dict, name: str) -> float:
    rows = first.get("answer_rows", {}), last.get("answer_rows", {})
    return (rows[1].get(name) or 1) / max(rows[0].get(name) or 1, 1)


def relative_growth(first: dict, last: dict, name: str) -> float:
    """Latency growth over the larger of graph growth and answer growth: at most 1 is linear. The
    synthetic copies share the ontology, so answers about a class (its members, statements of it)
    grow with the copies, some as their square (k statements of a class × k members)."""
    latency = last["latency_ms"][name] / max(first["latency_ms"][name], 1e-9)
    return latency / max(last["triples"] / first["triples"], answer_ratio(first, last, name))


def good_rps(load: dict) -> float:
    """Answers per second that were not errors (an anchor failing fast is not throughput)."""
    return load["rps"] * (1 - load["errors"] / max(load["requests"], 1))


def target_rows(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each target of issue #4 that this run measured (met None: could not tell)."""
    http = {r["target"]: r for r in results["http"]}
    ours = http["lmkg embedded"]
    rows = [("repeated canned query ≥ 2× oxigraph serve", f"{ours['repeated']['ratio_to_oxigraph']:.2f}×",
             ours["repeated"]["ratio_to_oxigraph"] >= 2),
            ("p99 ≤ 3 ms at 8 connections (repeated)", f"{ours['repeated']['p99_ms']:.2f} ms",
             ours["repeated"]["p99_ms"] <= 3),
            ("distinct parameters ≥ 0.8× oxigraph serve", f"{ours['distinct']['ratio_to_oxigraph']:.2f}×",
             ours["distinct"]["ratio_to_oxigraph"] >= 0.8),
            ("distinct parameters ≥ 0.8× oxigraph serve in memory",
             f"{ours['distinct']['ratio_to_oxigraph_memory']:.2f}×", ours["distinct"]["ratio_to_oxigraph_memory"] >= 0.8)]
    for anchor, needed in (("rdflib-endpoint", 100), ("grlc → oxigraph serve", 1)):
        if anchor in http:
            for scenario in ("repeated", "distinct"):
                theirs = good_rps(http[anchor][scenario])
                if theirs == 0:
                    rows.append((f"{scenario}: ≥ {needed}× {anchor}", "not measured: the anchor answered only errors", None))
                    continue
                ratio = good_rps(ours[scenario]) / theirs
                rows.append((f"{scenario}: ≥ {needed}× {anchor}", f"{ratio:.1f}×", ratio >= needed))
    if "build" in results:
        rows.append(("lmkg build ≤ 30 s", f"{results['build']['seconds']} s", results["build"]["seconds"] <= 30))
    growth = results["growth"]
    near_million = min(growth, key=lambda g: abs(g["triples"] - 1_000_000))
    rows.append((f"serving memory ≤ 400 B/triple (at {near_million['triples']:,})",
                 f"{near_million['bytes_per_triple']} B", near_million["bytes_per_triple"] <= 400))
    first, last = growth[0], growth[-1]
    size_ratio = last["triples"] / first["triples"]
    answered = [q for q in first["latency_ms"] if first["latency_ms"][q] and last["latency_ms"].get(q)]
    worst = max(answered, key=lambda q: relative_growth(first, last, q))
    answers = sum(ms is not None for ms in last["latency_ms"].values())
    unanswered = len(last["latency_ms"]) - answers
    latency_ratio = last["latency_ms"][worst] / max(first["latency_ms"][worst], 1e-9)
    rows_ratio = answer_ratio(first, last, worst)
    rows.append((f"latency grows no worse than linearly in graph size ({first['triples']:,} → "
                 f"{last['triples']:,}, {size_ratio:.0f}×) or, where the answer grows faster, in answer size",
                 f"worst answered, {worst}: {latency_ratio:.1f}× for {rows_ratio:.0f}× the rows"
                 + (f"; {unanswered} did not answer" if unanswered else ""),
                 relative_growth(first, last, worst) <= 1 and not unanswered))
    rows.append((f"every canned query answers at {last['triples']:,}", f"{answers} of {len(last['latency_ms'])}",
                 answers == len(last["latency_ms"])))
    return rows + scale_rows(first, last) + [distinct_row(ours)]


def scale_rows(first: dict, last: dict) -> list[tuple[str, str, bool | None]]:
    """The targets of issue #16: cost follows the answer, not the graph."""
    size = f"{last['triples']:,}"
    small = {q: ms for q, ms in last["latency_ms"].items()
             if (last["answer_rows"].get(q) or 0) <= FAST_ROWS}
    slow = sorted(q for q, ms in small.items() if ms is None or ms >= FAST_MS)
    rows = [(f"uncached under 1 s at {size} when the answer holds ≤ {FAST_ROWS:,} rows",
             f"{len(small) - len(slow)} of {len(small)}" + (f" (not: {', '.join(slow)})" if slow else ""), not slow)]
    ratios = {q: ratio(first, last, q) for q in CONSTANT_ANSWERS if q in last["latency_ms"]}
    worst = max(ratios, key=lambda q: ratios[q] if ratios[q] is not None else float("inf"))
    rows.append((f"constant answers ({', '.join(CONSTANT_ANSWERS)}) ≤ {CONSTANT_SLOWDOWN}× slower from "
                 f"{first['triples']:,} to {size}",
                 "; ".join(f"{q} {'no answer' if r is None else f'{r:.1f}×'}" for q, r in ratios.items()),
                 all(r is not None and r <= CONSTANT_SLOWDOWN for r in ratios.values()) if ratios else None))
    growing = [q for q in last["latency_ms"] if q not in CONSTANT_ANSWERS and answer_ratio(first, last, q) > 1]
    over = {q: ratio(first, last, q) / answer_ratio(first, last, q) for q in growing if ratio(first, last, q)}
    worse = sorted(q for q, r in over.items() if r > 1)
    rows.append(("growing answers: latency at most linear in answer size",
                 f"{len(over) - len(worse)} of {len(growing)}"
                 + (f" (not: {', '.join(f'{q} {over[q]:.1f}×' for q in worse)})" if worse else ""),
                 not worse and len(over) == len(growing)))
    if "derive_seconds" in last:
        rows.append((f"derived graph of the synthetic release at {size} in ≤ {DERIVE_SECONDS // 60} minutes",
                     f"{last['derive_seconds']} s", last["derive_seconds"] <= DERIVE_SECONDS))
    return rows


def ratio(first: dict, last: dict, name: str) -> float | None:
    """Latency at the largest size over latency at the smallest (None: no answer)."""
    before, after = first["latency_ms"].get(name), last["latency_ms"].get(name)
    return None if not before or after is None else after / before


def distinct_row(ours: dict) -> tuple[str, str, bool]:
    memory = ours["distinct"]["ratio_to_oxigraph_memory"]
    return ("distinct values, uncached, ≥ 1× oxigraph serve in memory (issue #16)", f"{memory:.2f}×", memory >= 1)


def write(results: dict, out: Path) -> None:
    """report.md with the parts this folder holds (all of them after a full run), and growth.png."""
    lines = [f"# lmkg bench — {results['date']}{' (smoke)' if results['smoke'] else ''}", "",
             f"Release {results['release']}, {results['triples']:,} triples, {results['cpu_count']} CPUs.", ""]
    if "parts_dates" in results:
        lines += ["Parts measured at: " + ", ".join(f"{k} {v}" for k, v in results["parts_dates"].items()), ""]
    if "build" in results:
        b = results["build"]
        lines += [f"`lmkg build`: {b['seconds']} s, peak RSS {b['peak_rss_mb']} MB.", ""]
    if {"http", "growth"} <= results.keys():
        lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|",
                  *[f"| {t} | {m} | {MET[ok]} |" for t, m, ok in target_rows(results)], ""]
    if "http" in results:
        lines += ["## HTTP: canned query `trials-for-drug`", "", *http_table(results["http"]), ""]
    if "growth" in results:
        lines += ["## Growth on synthetic data", "", *growth_table(results["growth"]), "", "![growth](growth.png)", ""]
        plot(results["growth"], out / "growth.png")
    if {"inprocess_ms", "growth"} <= results.keys():
        lines += ["## Per canned query", "", *per_query_table(results), ""]
    (out / "report.md").write_text("\n".join(lines))


def plot(growth: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = [g["triples"] for g in growth]
    fig, (latency, memory) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name in growth[0]["latency_ms"]:
        latency.plot(sizes, [g["latency_ms"].get(name) or float("nan") for g in growth], marker="o", linewidth=1,
                     label=name)
    first = {q: ms for q, ms in growth[0]["latency_ms"].items() if ms is not None}
    linear = [max(first.values()) * s / sizes[0] for s in sizes]
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

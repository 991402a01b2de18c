"""Print a run's results as a short table, and the change against an earlier run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COLUMNS = (
    ("scenario", 14),
    ("req/s", 7),
    ("x hello", 8),
    ("x naive", 8),
    ("p50/p99 1c", 12),
    ("p50/p99 16c", 13),
    ("SQL", 4),
    ("server ms", 10),
    ("SQL ms", 7),
)


def _row(values: list[str]) -> str:
    return "  ".join(
        value.ljust(width) if i == 0 else value.rjust(width)
        for i, (value, (_, width)) in enumerate(zip(values, COLUMNS, strict=True))
    )


# What issue 7 says the naive page and its columns-only variant reached when it was written.
ISSUE_CALIBRATION = {"sqlite": (0.11, 0.17), "postgresql": (0.07, 0.10)}


def _or_dash(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _calibration_line(results: dict[str, Any]) -> str:
    calibration = results.get("calibration")
    if not calibration:
        return "calibration pages: not measured in this run"
    naive, columns = calibration["naive"], calibration["columns"]
    said = ISSUE_CALIBRATION.get(results["dialect"])
    told = f" (issue 7 calibrated {said[0]:.2f}x / {said[1]:.2f}x)" if said else ""
    return (
        f"naive 50-row page: {naive['loaded']['requests_per_second']:.0f} req/s = "
        f"{naive['ratio']:.3f}x hello; columns only: "
        f"{columns['loaded']['requests_per_second']:.0f} req/s = {columns['ratio']:.3f}x{told}"
    )


def table(results: dict[str, Any]) -> str:
    """Return the run as text: one line per scenario, then the verdicts that missed."""
    baseline = results["baseline"]
    lines = [
        f"{results['dialect']} · scale {results['scale']} · commit {results['commit']} · "
        f"{results['started']} · {results['seconds_per_load']} s per load",
        f"Flask hello: {baseline['requests_per_second']:.0f} req/s with 16 connections "
        f"(before {baseline['before']['loaded']['requests_per_second']:.0f}, "
        f"after {baseline['after']['loaded']['requests_per_second']:.0f})",
        _calibration_line(results),
        "",
        _row([name for name, _ in COLUMNS]),
    ]
    for name, figures in results["scenarios"].items():
        single, loaded = figures["single"], figures["loaded"]
        lines.append(
            _row(
                [
                    name + ("" if figures["ok"] else " !"),
                    f"{loaded['requests_per_second']:.0f}",
                    f"{figures['ratio']:.3f}",
                    _or_dash(figures.get("ratio_to_naive"), "{:.2f}"),
                    f"{single['p50_ms']:.1f}/{single['p99_ms']:.1f}",
                    f"{loaded['p50_ms']:.1f}/{loaded['p99_ms']:.1f}",
                    str(figures["statements"]),
                    f"{figures['server_ms_p50']:.1f}",
                    f"{figures['db_ms_p50']:.2f}",
                ]
            )
        )
    memory = results["memory_mb"]
    lines += [
        "",
        "worker RSS MiB: idle {} · after 1k {} · after 10k {}".format(
            *(
                "/".join(f"{v:.0f}" for v in memory[key])
                for key in ("idle", "after_1000", "after_10000")
            )
        ),
        *(
            f"worker RSS MiB with/without {plugin}: {f['with']:.1f}/{f['without']:.1f} "
            f"(+{f['added']:.1f})"
            for plugin, f in results.get("plugin_memory_mb", {}).items()
        ),
        f"feed conditional GET: {results['conditional_feed_get']['second_status']}",
        "search SQL p50/p95 ms: "
        + " · ".join(
            f"{kind} {f['p50_ms']:.2f}/{f['p95_ms']:.2f} ({f['count']})"
            for kind, f in results.get("search_sql", {}).items()
        ),
    ]
    missed = [v for v in results["verdicts"] if not v["met"]]
    lines.append("")
    if missed:
        lines.append(f"{len(missed)} of {len(results['verdicts'])} targets missed:")
        lines += [
            f"  {v['scenario']}: {v['check']} = {v['measured']} (target {v['target']})"
            for v in missed
        ]
    else:
        lines.append(f"all {len(results['verdicts'])} targets met")
    return "\n".join(lines)


def load(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


# Issue 7: the xl scale must keep every ratio within 20 % of the large one.
SCALE_TOLERANCE = 0.20


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Return the change of each scenario's ratio and p99 from ``old`` to ``new``.

    Changes larger than :data:`SCALE_TOLERANCE` are marked, and counted on the last line.
    """
    lines = [
        f"{old['dialect']}/{old['scale']} ({old['commit']}) → "
        f"{new['dialect']}/{new['scale']} ({new['commit']})",
        f"{'scenario':14}  {'x hello':>15}  {'change':>7}  {'p99 1c ms':>13}  {'SQL':>7}",
    ]
    beyond = 0
    for name, figures in new["scenarios"].items():
        before = old["scenarios"].get(name)
        if before is None:
            lines.append(f"{name:14}  {'new':>15}")
            continue
        change = (figures["ratio"] - before["ratio"]) / before["ratio"] if before["ratio"] else 0
        mark = ""
        if abs(change) > SCALE_TOLERANCE:
            beyond += 1
            mark = "  beyond 20 %"
        lines.append(
            f"{name:14}  {before['ratio']:>6.3f} → {figures['ratio']:<6.3f}  {change:>+7.1%}  "
            f"{before['single']['p99_ms']:>5.1f} → {figures['single']['p99_ms']:<5.1f}  "
            f"{before['statements']:>2} → {figures['statements']:<2}{mark}"
        )
    lines.append(f"{beyond} scenario(s) changed their ratio by more than 20 %")
    return "\n".join(lines)

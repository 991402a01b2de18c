"""Compare a run's figures with the benchmark's budgets and say which ones miss."""

from __future__ import annotations

from typing import Any

from .scenarios import Scenario

RSS_LIMIT_MB = 100.0
RSS_GROWTH_LIMIT = 0.10
# What one plugin may add to a worker's memory (issue 20: the therapy plugin).
PLUGIN_RSS_LIMIT_MB = 8.0
SEARCH_SQL_MS = 2.0  # the database part of one search, any term


def _check(name: str, check: str, measured: float, target: float, at_most: bool) -> dict:
    met = measured <= target if at_most else measured >= target
    return {"scenario": name, "check": check, "measured": measured, "target": target, "met": met}


def judge(results: dict[str, Any], plan: list[Scenario]) -> list[dict[str, Any]]:
    """Return one verdict per budget, each with ``met`` True or False."""
    verdicts: list[dict[str, Any]] = []
    for scenario in plan:
        figures = results["scenarios"][scenario.name]
        targets = scenario.targets
        verdicts.append(
            {
                "scenario": scenario.name,
                "check": "every answer 2xx",
                "measured": figures["single"]["non_2xx"] + figures["loaded"]["non_2xx"],
                "target": 0,
                "met": figures["ok"],
            }
        )
        if targets.single_p99_ms is not None:
            verdicts.append(
                _check(
                    scenario.name,
                    "p99 ms, 1 connection",
                    figures["single"]["p99_ms"],
                    targets.single_p99_ms,
                    True,
                )
            )
        if targets.server_ms is not None:
            verdicts.append(
                _check(
                    scenario.name,
                    "server ms p50",
                    figures["server_ms_p50"],
                    targets.server_ms,
                    True,
                )
            )
        if targets.db_ms is not None:
            verdicts.append(
                _check(scenario.name, "SQL ms p50", figures["db_ms_p50"], targets.db_ms, True)
            )
    for kind, figures in results.get("search_sql", {}).items():
        verdicts.append(
            _check(f"search_{kind}", "search SQL ms p50", figures["p50_ms"], SEARCH_SQL_MS, True)
        )
    conditional = results["conditional_feed_get"]
    verdicts.append(
        {
            "scenario": "ical_1k",
            "check": "conditional GET",
            "measured": conditional["second_status"],
            "target": 304,
            "met": conditional["second_status"] == 304,
        }
    )
    memory = results["memory_mb"]
    after_1k = max(memory["after_1000"], default=0.0)
    after_10k = max(memory["after_10000"], default=0.0)
    verdicts.append(_check("workers", "RSS MiB after 10k", round(after_10k, 1), RSS_LIMIT_MB, True))
    growth = (after_10k - after_1k) / after_1k if after_1k else 0.0
    verdicts.append(
        _check("workers", "RSS growth 1k→10k", round(growth, 3), RSS_GROWTH_LIMIT, True)
    )
    for plugin, figures in results.get("plugin_memory_mb", {}).items():
        verdicts.append(
            _check(
                "workers", f"RSS MiB added by {plugin}", figures["added"], PLUGIN_RSS_LIMIT_MB, True
            )
        )
    return verdicts

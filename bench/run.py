"""One benchmark run on one seeded database: baseline, scenarios, memory, verdicts."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import inprocess
from .scenarios import Scenario, scenarios
from .servers import ROOT, WORKERS, Server, free_port, gunicorn, production_environment
from .signin import sign_in, sign_in_plain
from .verdicts import judge
from .wrk import run_wrk

LOAD_CONNECTIONS = 16
MEMORY_REQUESTS = (1_000, 10_000)
# Plugins whose cost in worker memory is measured: the same core pages served with the plugin
# and with it blocked (CARETEAM_BLOCKED_PLUGINS), each by fresh workers.
MEASURED_PLUGINS = ("therapy",)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _warm_up(url: str, cookie: str | None) -> None:
    """Load the page for a second first, so that every worker has compiled its templates and
    filled its caches: otherwise a short load can end before a slow first answer arrives, and
    the figures would mix start-up cost into the page's.  (Four single requests were not
    enough: one worker could still get the page cold inside the timed single-connection load,
    and the first page of a run showed p99s of ~45 ms against ~15 ms once warm.)"""
    headers = {"Cookie": cookie} if cookie else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60):
            pass
    except urllib.error.HTTPError:
        return  # the load that follows sees the same answer and fails the scenario
    run_wrk(url, connections=2 * WORKERS, seconds=1, cookie=cookie)


def _load(server: Server, path: str, seconds: float, cookie: str | None) -> dict[str, Any]:
    url = server.base_url + path
    _warm_up(url, cookie)
    single = run_wrk(url, connections=1, seconds=seconds, cookie=cookie)
    loaded = run_wrk(url, connections=LOAD_CONNECTIONS, seconds=seconds, cookie=cookie)
    return {"single": single.as_dict(), "loaded": loaded.as_dict(), "ok": single.ok and loaded.ok}


def _baseline(server: Server, seconds: float) -> dict[str, Any]:
    return _load(server, "/", seconds, None)


# The calibration pages (bench/calibration_app.py), measured in the same run.
CALIBRATION_PAGES = ("naive", "columns")


def _calibration(server: Server, manifest: dict[str, Any], seconds: float) -> dict[str, Any]:
    cookie = sign_in_plain(server.base_url, manifest["user_email"], manifest["password"])
    circle = manifest["busy_circle"]
    return {
        page: _load(server, f"/circles/{circle}/{page}", seconds, cookie)
        for page in CALIBRATION_PAGES
    }


def _conditional_get(server: Server, path: str) -> dict[str, Any]:
    """Fetch a feed, then fetch it again with its validators: a calendar app's poll."""
    with urllib.request.urlopen(server.base_url + path, timeout=30) as answer:
        etag = answer.headers.get("ETag")
        modified = answer.headers.get("Last-Modified")
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    request = urllib.request.Request(server.base_url + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as again:
            status = again.status
    except urllib.error.HTTPError as error:
        status = error.code
    return {"etag": bool(etag), "last_modified": bool(modified), "second_status": status}


def _memory(
    server: Server, paths: list[str], cookie: str, targets: tuple[int, ...]
) -> dict[str, Any]:
    """Worker RSS after about 1,000 and 10,000 requests taking turns over the signed-in pages."""
    rss: dict[str, Any] = {"idle": server.worker_rss_mb()}
    served = 0
    for target in targets:
        while served < target:
            result = run_wrk(
                server.base_url + "/",
                connections=4,
                seconds=2,
                cookie=cookie,
                rotate_paths=paths,
            )
            if not result.ok:
                raise RuntimeError(f"memory phase: an answer was not 2xx: {result.first_bad}")
            served += result.requests
        rss[f"after_{target}"] = server.worker_rss_mb()
        rss[f"served_{target}"] = served
    return rss


def _memory_keys(memory: dict[str, Any], targets: tuple[int, int]) -> dict[str, Any]:
    # Verdicts and tables read the first and last reading under fixed names.
    first, last = targets
    fixed = {"after_1000": memory[f"after_{first}"], "after_10000": memory[f"after_{last}"]}
    return {**memory, **fixed}


def _git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def run_once(
    manifest: dict[str, Any],
    seconds: float,
    results_dir: Path,
    memory_requests: tuple[int, int] = MEMORY_REQUESTS,
) -> dict[str, Any]:
    """Measure every scenario of one seeded database; return (and save) the results.

    ``memory_requests``: after how many requests the workers' memory is read (1k and 10k).
    """
    dialect = manifest["dialect"]
    database_url = manifest["database_url"]
    started = datetime.now(UTC)
    _say(f"== {dialect}, scale {manifest['scale']}: in-process measurements")
    app = inprocess.open_app(database_url)
    cursor = inprocess.deep_feed_cursor(app, manifest)
    plan = scenarios(manifest, cursor)
    in_process = inprocess.measure(app, manifest, plan)
    search_sql = inprocess.search_sql_ms(app, manifest)

    logs = results_dir / "logs"
    hello_env = production_environment(database_url, free_port())
    app_env = production_environment(database_url, free_port())
    calibration_env = production_environment(database_url, free_port())
    loads: dict[str, Any] = {}
    with (
        gunicorn("hello", "bench.hello_app:app", hello_env, logs) as hello,
        gunicorn("calibration", "bench.calibration_app:app", calibration_env, logs) as naive,
        gunicorn("careteam", "wsgi:app", app_env, logs) as site,
    ):
        cookie = sign_in(site.base_url, manifest["user_email"], manifest["password"])
        # A second sign-in for each other person a scenario needs (the therapist's overview).
        cookies = {
            person: sign_in(site.base_url, person, manifest["password"])
            for person in {s.person for s in plan if s.person}
        }
        _say("== baseline: Flask hello")
        baseline_before = _baseline(hello, seconds)
        _say("== calibration: the naive 50-row page, and the same selecting only its columns")
        calibration = _calibration(naive, manifest, seconds)
        for scenario in plan:
            _say(f"== {scenario.name}: {scenario.path[:70]}")
            signed_in = cookies[scenario.person] if scenario.person else cookie
            loads[scenario.name] = _load(
                site, scenario.path, seconds, signed_in if scenario.signed_in else None
            )
        baseline_after = _baseline(hello, seconds)
        feed_path = next(s.path for s in plan if s.name == "ical_1k")
        try:
            conditional = _conditional_get(site, feed_path)
        except OSError as error:  # a timeout is a figure too: the verdict says it missed
            conditional = {"etag": False, "last_modified": False, "second_status": str(error)}
        _say("== memory: 10,000 requests over the signed-in pages")
        mine = [s.path for s in plan if s.signed_in and not s.person]
        memory = _memory(site, mine, cookie, memory_requests)

    baseline_rps = (
        baseline_before["loaded"]["requests_per_second"]
        + baseline_after["loaded"]["requests_per_second"]
    ) / 2
    results: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "seconds_per_load": seconds,
        "commit": _git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "scale": manifest["scale"],
        "dialect": dialect,
        "counts": manifest.get("counts", {}),
        "baseline": {
            "before": baseline_before,
            "after": baseline_after,
            "requests_per_second": round(baseline_rps, 1),
        },
        "calibration": {
            page: {
                **load,
                "ratio": _ratio(load["loaded"]["requests_per_second"], baseline_rps),
            }
            for page, load in calibration.items()
        },
        "scenarios": {},
        "conditional_feed_get": conditional,
        "search_sql": search_sql,
        "memory_mb": _memory_keys(memory, memory_requests),
    }
    naive_rps = calibration["naive"]["loaded"]["requests_per_second"]
    for scenario in plan:
        results["scenarios"][scenario.name] = _scenario_result(
            scenario, loads[scenario.name], in_process[scenario.name], baseline_rps, naive_rps
        )
    results["plugin_memory_mb"] = {
        name: plugin_memory(manifest, plan, name, logs, memory_requests[0] * 4)
        for name in MEASURED_PLUGINS
        if name in manifest.get("plugins", [])
    }
    results["verdicts"] = judge(results, plan)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    path = results_dir / f"run-{stamp}-{manifest['scale']}-{dialect}.json"
    path.write_text(json.dumps(results, indent=2))
    results["path"] = str(path)
    return results


def plugin_memory(
    manifest: dict[str, Any], plan: list[Scenario], plugin: str, logs: Path, requests: int
) -> dict[str, float]:
    """Worker RSS (the larger worker's MiB) after ``requests`` over the core pages, served with
    ``plugin`` and with it blocked; the plugin's own pages are left out of both.  Keep
    ``requests`` under the 5,000 per worker at which gunicorn replaces a worker: a fresh
    worker's smaller RSS would make the comparison meaningless."""
    paths = [s.path for s in plan if s.signed_in and not s.person and s.plugin != plugin]
    found: dict[str, float] = {}
    for label, blocked in (("with", ""), ("without", plugin)):
        env = production_environment(manifest["database_url"], free_port())
        env["CARETEAM_BLOCKED_PLUGINS"] = blocked
        with gunicorn(f"careteam-{label}-{plugin}", "wsgi:app", env, logs) as site:
            cookie = sign_in(site.base_url, manifest["user_email"], manifest["password"])
            memory = _memory(site, paths, cookie, (requests,))
        found[label] = round(max(memory[f"after_{requests}"], default=0.0), 1)
    found["added"] = round(found["with"] - found["without"], 1)
    return found


def _ratio(requests_per_second: float, baseline_rps: float) -> float:
    return round(requests_per_second / baseline_rps, 3) if baseline_rps else 0.0


def _scenario_result(
    scenario: Scenario,
    load: dict[str, Any],
    measured: dict[str, Any],
    baseline_rps: float,
    naive_rps: float,
) -> dict[str, Any]:
    loaded = load["loaded"]
    return {
        "path": scenario.path if not scenario.path.startswith("/feeds/") else "/feeds/….ics",
        "ok": load["ok"],
        "ratio": _ratio(loaded["requests_per_second"], baseline_rps),
        # The same throughput as a multiple of the naive page's, measured in this run.
        "ratio_to_naive": _ratio(loaded["requests_per_second"], naive_rps),
        "single": load["single"],
        "loaded": loaded,
        **measured,
    }

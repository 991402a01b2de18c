"""The whole harness, end to end, on a tiny seeded database: gunicorn, sign-in, wrk, verdicts.

Loads are one second each, so this checks that every scenario answers 2xx to a signed-in wrk
and that the results file holds every figure; the figures themselves mean nothing at this size.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench.report import table
from bench.run import run_once
from bench.seed import drop_database, seed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
    ),
]


def _backends() -> list[str]:
    server = os.environ.get("CARETEAM_TEST_DATABASE_URL", "")
    return ["sqlite", "postgresql"] if server.startswith("postgresql") else ["sqlite"]


@pytest.mark.parametrize("backend", _backends())
def test_a_run_loads_every_scenario_signed_in_and_saves_its_figures(backend, tmp_path: Path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    else:
        server = make_url(os.environ["CARETEAM_TEST_DATABASE_URL"])
        name = f"careteam_benchrun_{secrets.token_hex(4)}"
        url = server.set(database=name).render_as_string(hide_password=False)
    manifest = seed(url, "tiny", tmp_path / "manifest.json", progress=False)
    try:
        results = run_once(manifest, 1, tmp_path, memory_requests=(20, 60))
    finally:
        drop_database(url)

    assert results["dialect"] == backend
    assert results["baseline"]["requests_per_second"] > 0
    for name, figures in results["scenarios"].items():
        assert figures["ok"], (name, figures["single"], figures["loaded"])
        assert figures["loaded"]["requests"] > 0 and figures["ratio"] > 0
        # Every signed-in page reads the session with the membership, then its own rows.
        assert figures["statements"] >= (1 if name.startswith("ical") else 2), name
    assert "secret" not in json.dumps(results["scenarios"]).lower()
    assert all(manifest["feeds"][k] not in json.dumps(results) for k in ("busy", "calendar"))
    assert results["conditional_feed_get"]["etag"]
    assert results["memory_mb"]["served_60"] >= 60 and results["memory_mb"]["after_10000"]
    if "therapy" in manifest["plugins"]:
        therapy = results["plugin_memory_mb"]["therapy"]
        assert therapy["with"] > 0 and therapy["without"] > 0
        assert therapy["added"] == round(therapy["with"] - therapy["without"], 1)
        assert any(v["check"] == "RSS MiB added by therapy" for v in results["verdicts"])
        assert "with/without therapy" in table(results)
    saved = json.loads(Path(results["path"]).read_text())
    assert saved["verdicts"] == results["verdicts"]
    assert "circle_home" in table(results)
    # The naive calibration pages ran beside CareTeam in the same run.
    for page in ("naive", "columns"):
        assert results["calibration"][page]["ok"], results["calibration"][page]
        assert results["calibration"][page]["ratio"] > 0
    assert all(figures["ratio_to_naive"] > 0 for figures in results["scenarios"].values())
    assert "naive 50-row page" in table(results)

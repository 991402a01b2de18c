"""The therapy bench scenarios (progress, and the overview as a second sign-in) on a tiny seed.

The seeder's therapy data is the logging engineer's part (bench/seed_plugins.py); until it
writes ``manifest["therapy"]``, this test adds one programme with twelve weeks of logs to the
busy circle and a therapist in three circles itself, then measures the scenarios in process.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bench.inprocess import measure, open_app
from bench.scenarios import OVERVIEW, PAGE, scenarios
from bench.seed import drop_database, seed

therapy_models = pytest.importorskip("careteam_therapy.models")

MANIFEST = {
    "busy_circle": "C1",
    "busy_note": "N1",
    "search_terms": {"rare": "a", "medium": "b", "common": "c", "absent": "d"},
    "feeds": {"busy": "one", "calendar": "two"},
    "month": "2026-12",
}


def test_therapy_scenarios_only_with_the_plugin_and_its_seed() -> None:
    devices_only = scenarios({**MANIFEST, "plugins": ["devices"]}, "X")
    assert not [s for s in devices_only if s.plugin == "therapy"]
    therapy = {"busy_programme": "P1", "therapist_email": "lee@example.org"}
    without_seed = scenarios({**MANIFEST, "plugins": ["therapy"]}, "X")
    assert not [s for s in without_seed if s.plugin == "therapy"]
    plan = {
        s.name: s for s in scenarios({**MANIFEST, "plugins": ["therapy"], "therapy": therapy}, "X")
    }
    progress, overview = plan["therapy_progress"], plan["therapy_overview"]
    assert progress.path == "/circles/C1/therapy/P1/progress" and progress.targets == PAGE
    assert progress.person is None
    assert (overview.path, overview.person, overview.targets) == (
        "/therapy",
        "lee@example.org",
        OVERVIEW,
    )
    assert OVERVIEW.single_p99_ms == 25.0 and PAGE.single_p99_ms == 15.0


def _add_therapy(app: Any, manifest: dict[str, Any]) -> dict[str, str]:
    """A therapist in the busy circle and two others, with a programme of two tasks and twelve
    weeks of logs in the busy circle."""
    from careteam.auth.models import User
    from careteam.circles.models import Circle, Membership
    from careteam.db.clock import utcnow
    from careteam.extensions import db

    m = therapy_models
    with app.app_context():
        busy = db.session.scalar(select(Circle).where(Circle.public_id == manifest["busy_circle"]))
        others = db.session.scalars(
            select(Circle).where(Circle.id != busy.id).order_by(Circle.id).limit(2)
        ).all()
        therapist = db.session.scalar(
            select(User).where(User.email != manifest["user_email"]).order_by(User.id.desc())
        )
        for circle in [busy, *others]:
            existing = db.session.scalar(
                select(Membership).where(
                    Membership.circle_id == circle.id, Membership.user_id == therapist.id
                )
            )
            if existing is None:
                db.session.add(
                    Membership(circle_id=circle.id, user_id=therapist.id, role="therapist")
                )
            else:
                existing.role = "therapist"
        today = utcnow().date()
        start = today - timedelta(weeks=12)
        programme = m.Programme(
            circle_id=busy.id, title="Walking and balance", therapist_id=therapist.id
        )
        db.session.add(programme)
        db.session.flush()
        version = m.Version(programme_id=programme.id, number=1, effective_from=start)
        db.session.add(version)
        db.session.flush()
        tasks = [
            m.Task(version_id=version.id, programme_id=programme.id, circle_id=busy.id,
                   kind="exercise", title=title, weekdays=mask, per_week=per_week,
                   start_date=start, position=n)
            for n, (title, mask, per_week) in enumerate([("Sit", 127, None), ("Walk", 0, 3)])
        ]  # fmt: skip
        db.session.add_all(tasks)
        db.session.flush()
        db.session.add_all(
            m.Log(circle_id=busy.id, programme_id=programme.id, task_id=tasks[0].id,
                  task_key=tasks[0].key, day=start + timedelta(days=n), slot=1,
                  status="done" if n % 3 else "partly", pain=n % 8, fatigue=n % 9,
                  token=secrets.token_urlsafe(32))
            for n in range((today - start).days)
        )  # fmt: skip
        db.session.add(
            m.Alert(circle_id=busy.id, programme_id=programme.id, kind="fatigue", value=8)
        )
        db.session.commit()
        return {"busy_programme": programme.public_id, "therapist_email": therapist.email}


def test_therapy_scenarios_answer_on_a_tiny_seed(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    manifest = seed(url, "tiny", tmp_path / "manifest.json", progress=False)
    try:
        if "therapy" not in manifest["plugins"]:
            pytest.skip("the therapy plugin is not installed")
        app = open_app(url)
        manifest.setdefault("therapy", _add_therapy(app, manifest))
        plan = [s for s in scenarios(manifest, "X") if s.plugin == "therapy"]
        assert {s.name for s in plan} == {"therapy_today", "therapy_progress", "therapy_overview"}
        results = measure(app, manifest, plan, repeats=3)
        for name, figures in results.items():
            assert figures["statements"] == figures["statements_max"], (name, figures)
            assert figures["bytes"] > 1000, name
        with app.app_context():
            from careteam.extensions import db

            db.engine.dispose()
    finally:
        drop_database(url)

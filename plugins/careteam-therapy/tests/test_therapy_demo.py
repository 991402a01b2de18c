"""``careteam demo`` adds Dr. Lee's programmes once: Maya's walking and balance (v1, then v2 a
week later) with three weeks of logs by Maya and Ana, a high-fatigue day and a pause; a short
one for Joe, so the therapist's overview shows two circles."""

from __future__ import annotations

from careteam_therapy.models import Alert, Log, Pause, Programme, Task, Version
from sqlalchemy import func, select

from careteam.api import DEMO_PASSWORD, db, demo_circle
from careteam.testing import login


def _snapshot(app):
    with app.app_context():
        counts = tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Programme, Version, Task, Log, Pause, Alert)
        )
        maya = demo_circle("maya")
        programmes = db.session.execute(
            select(Programme.title, Programme.current_version, Programme.circle_id).order_by(
                Programme.id
            )
        ).all()
        loggers = set(db.session.scalars(select(Log.logged_by_id).where(Log.circle_id == maya.id)))
        fatigue = db.session.scalars(select(Alert.value).where(Alert.kind == "fatigue")).all()
        pauses = db.session.scalars(select(Alert.kind).where(Alert.kind == "pause")).all()
        days = db.session.execute(
            select(func.min(Log.day), func.max(Log.day)).where(Log.circle_id == maya.id)
        ).one()
        return (
            counts,
            [tuple(p) for p in programmes],
            loggers,
            fatigue,
            pauses,
            tuple(days),
            maya.id,
        )


def test_demo_adds_the_programmes_once(app, runner):
    first = runner.invoke(args=["careteam", "demo"])
    assert first.exit_code == 0, first.output
    assert "Dr. Lee's programme for Maya" in first.output and "for Joe" in first.output
    snapshot = _snapshot(app)
    _counts, programmes, loggers, fatigue, pauses, (low, high), _maya = snapshot
    assert [(title, version) for title, version, _c in programmes] == [
        ("Walking and balance", 2),
        ("Staying steady", 1),
    ]
    assert len({circle for _t, _v, circle in programmes}) == 2
    assert len(loggers) == 2  # Maya and Ana
    assert fatigue == [8] and pauses == ["pause"]
    assert (high - low).days >= 19  # three weeks of logs
    second = runner.invoke(args=["careteam", "demo"])
    assert second.exit_code == 0, second.output
    assert _snapshot(app) == snapshot


def test_dr_lee_sees_the_alerts_and_maya_her_day(app, runner, client):
    assert runner.invoke(args=["careteam", "demo"]).exit_code == 0
    with app.app_context():
        maya = demo_circle("maya").public_id
    assert login(client, "dr.lee@example.org", DEMO_PASSWORD).status_code == 302
    page = client.get(f"/circles/{maya}/therapy/alerts").get_data(as_text=True)
    assert "Fatigue 8" in page and "Paused for a flare-up" in page
    assert "Therapy alert: Walking and balance" in client.get(f"/circles/{maya}").get_data(
        as_text=True
    )

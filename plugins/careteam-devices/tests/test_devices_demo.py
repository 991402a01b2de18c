"""``careteam demo`` adds Maya's devices once: her AFO, her cane, and a rollator whose weekly
check is overdue, which the circle's home page and the reminders then show."""

from __future__ import annotations

from careteam_devices.models import Check, Device, Problem
from sqlalchemy import func, select

from careteam.api import DEMO_PASSWORD, db, demo_circle
from careteam.testing import login


def _devices(app):
    with app.app_context():
        circle = demo_circle("maya")
        rows = db.session.execute(
            select(Device.name, Device.kind, Device.retired_at)
            .where(Device.circle_id == circle.id)
            .order_by(Device.name)
        ).all()
        counts = tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Device, Check, Problem)
        )
    return [tuple(r) for r in rows], counts


def test_demo_adds_mayas_devices_once(app, runner):
    first = runner.invoke(args=["careteam", "demo"])
    assert first.exit_code == 0, first.output
    assert "the rollator's weekly check is overdue" in first.output
    devices, counts = _devices(app)
    assert devices == [
        ("Maya's cane", "cane", None),
        ("Maya's left AFO", "afo", None),
        ("Rollator", "rollator", None),
    ]
    second = runner.invoke(args=["careteam", "demo"])
    assert second.exit_code == 0, second.output
    assert _devices(app) == (devices, counts)


def test_the_demo_rollator_is_overdue_on_the_home_page(app, runner, new_client):
    from careteam_devices.status import statuses

    assert runner.invoke(args=["careteam", "demo"]).exit_code == 0
    with app.app_context():
        circle = demo_circle("maya")
        by_name = {s.device.name: s for s in statuses(circle)}
        weekly = [i for i in by_name["Rollator"].items if i.item.frequency == "weekly"]
        assert weekly and all(i.due.state == "overdue" for i in weekly)
        afo = by_name["Maya's left AFO"]
        assert any("Skin check" in i.item.text for i in afo.items)
        circle_id = circle.public_id
    client = new_client()
    assert login(client, "ana@example.org", DEMO_PASSWORD).status_code == 302
    home = client.get(f"/circles/{circle_id}").get_data(as_text=True)
    assert "Device checks" in home and "Rollator</a>:" in home and "overdue" in home
    supporter = new_client()
    assert login(supporter, "priya@example.org", DEMO_PASSWORD).status_code == 302
    assert "Device checks" not in supporter.get(f"/circles/{circle_id}").get_data(as_text=True)

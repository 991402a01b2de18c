"""The plugin in its circle: "What's next", switched off and on, retired devices, and the
export's devices section (what a supporter's build holds, formula-safe CSV cells)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

from careteam_devices import checks, inventory
from careteam_devices.export import build_section
from careteam_devices.testing import make_device

from careteam.api import Circle, db, membership_of
from careteam.testing import send_reminders


def _as(app, setup, role):
    circle = db.session.get(Circle, setup.id)
    return circle, membership_of(circle, setup.people[role].id)


def _finish(app, setup, device_id, comment="", days_ago=0):
    with app.app_context():
        circle, member = _as(app, setup, "caregiver")
        device = inventory.get_device(circle, device_id)
        check = checks.start_check(device, member, checks.new_start_token())
        db.session.flush()
        items = checks.check_items(check)
        answers = {i.item_public_id: checks.Answer("ok") for i in items}
        answers[items[0].item_public_id] = checks.Answer("attention", comment)
        checks.save_check(check, device, member, answers, version=1, finish=True)
        past = datetime.now(UTC) - timedelta(days=days_ago)
        for item in checks.check_items(check):
            item.answered_at = past
        db.session.commit()


def test_whats_next_lists_devices_due_for_the_care_team_only(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles, kind="cane", name="Blue cane")
    home = client_as("family").get(circle_with_roles.url()).get_data(as_text=True)
    link = f'href="{circle_with_roles.url(f"/devices/{device}")}">Check Blue cane (due today)'
    assert link in home
    assert "Check Blue cane" not in client_as("supporter").get(circle_with_roles.url()).get_data(
        as_text=True
    )


def test_switched_off_the_plugin_is_gone_and_its_data_kept(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles, name="Hall rollator")
    _finish(app, circle_with_roles, device, days_ago=10)
    coordinator = client_as("coordinator")
    switch = circle_with_roles.url("/settings/plugins")
    assert coordinator.post_form(switch, {"plugin": "devices", "enabled": "off"}).status_code == 302
    assert coordinator.get(circle_with_roles.url("/devices")).status_code == 404
    assert coordinator.get(circle_with_roles.url(f"/devices/{device}")).status_code == 404
    home = coordinator.get(circle_with_roles.url()).get_data(as_text=True)
    assert "Device checks" not in home and "Hall rollator" not in home
    assert send_reminders(app, datetime.now(UTC)).sent == 0
    assert coordinator.post_form(switch, {"plugin": "devices", "enabled": "on"}).status_code == 302
    assert "Hall rollator" in coordinator.get(circle_with_roles.url("/devices")).get_data(
        as_text=True
    )


def test_a_retired_device_leaves_the_panel_and_the_reminders(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles, name="Old rollator")
    _finish(app, circle_with_roles, device, days_ago=10)
    client = client_as("therapist")
    assert "Old rollator</a>:" in client.get(circle_with_roles.url()).get_data(as_text=True)
    url = circle_with_roles.url(f"/devices/{device}")
    assert client.post_form(f"{url}/retire", {"reason": "Replaced"}, page=url).status_code == 302
    assert "Old rollator</a>:" not in client.get(circle_with_roles.url()).get_data(as_text=True)
    assert send_reminders(app, datetime.now(UTC)).sent == 0
    history = client.get(f"{url}/history").get_data(as_text=True)
    assert "Brakes stop the wheels" in history  # the history stays


def test_the_export_section_holds_nothing_for_supporters(app, circle_with_roles):
    device = make_device(app, circle_with_roles)
    _finish(app, circle_with_roles, device, comment="=cmd|' /C calc'!A0")
    with app.app_context():
        circle, supporter = _as(app, circle_with_roles, "supporter")
        empty = build_section(circle=circle, membership=supporter)
        assert empty.data is None and not empty.tables and not empty.files
        circle, family = _as(app, circle_with_roles, "family")
        full = build_section(circle=circle, membership=family)
        assert [d["id"] for d in full.data["devices"]] == [device]
        assert full.data["checks"][0]["answers"][0]["comment"] == "=cmd|' /C calc'!A0"


def test_export_csv_cells_cannot_run_as_formulas(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles, name="+Rollator")
    _finish(app, circle_with_roles, device, comment="@SUM(1+1)")
    response = client_as("care_recipient").post_form(circle_with_roles.url("/export"), {})
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = list(csv.DictReader(io.StringIO(archive.read("device_checks.csv").decode("utf-8-sig"))))
    assert len(rows) == 7 and {r["device"] for r in rows} == {device}
    assert {r["device_name"] for r in rows} == {"'+Rollator"}
    assert "'@SUM(1+1)" in {r["comment"] for r in rows}
    assert all(not r["comment"].startswith(("=", "+", "-", "@")) for r in rows)


def test_an_item_added_to_an_old_device_is_due_today_not_long_overdue(app, circle_with_roles):
    from careteam_devices.models import Device
    from careteam_devices.status import statuses

    device_id = make_device(app, circle_with_roles, kind="cane", name="Old cane")
    with app.app_context():
        circle, therapist = _as(app, circle_with_roles, "therapist")
        device = inventory.get_device(circle, device_id)
        long_ago = datetime.now(UTC) - timedelta(days=100)
        device.created_at = long_ago
        template = inventory.checklist_of(device)
        for item in inventory.items_of(template):
            item.created_at = long_ago
        rows = [
            inventory.ItemInput(i.public_id, i.text, i.frequency, i.guidance)
            for i in inventory.items_of(template)
        ]
        rows.append(inventory.ItemInput(None, "New grip tape not peeling", "weekly"))
        inventory.save_items(template, therapist, "Old cane", rows)
        db.session.commit()
        [status] = statuses(db.session.get(Circle, circle_with_roles.id))
        states = {i.item.text: i.due.state for i in status.items}
        assert states.pop("New grip tape not peeling") == "due_today"
        assert set(states.values()) == {"overdue"}  # never checked in 100 days
        # Items from before the column existed fall back to the device's date.
        for item in inventory.items_of(template):
            item.created_at = None
        db.session.commit()
        [status] = statuses(db.session.get(Circle, circle_with_roles.id))
        assert {i.due.state for i in status.items} == {"overdue"}
        assert db.session.get(Device, device.id).created_at == long_ago


def test_hook_audit_labels(app, client_as, circle_with_roles):
    """The audit log and its filter name the plugin's actions in words."""
    device = make_device(app, circle_with_roles, kind="cane", name="Blue cane")
    page = client_as("coordinator").get(circle_with_roles.url("/audit")).get_data(as_text=True)
    texts = [" ".join(t.split()) for t in re.findall(r">([^<>]*device[^<>]*)<", page)]
    # careteam_audit_labels: the filter's option and the row's summary say it in words
    assert "Added a device" in texts, texts
    assert any(t.endswith(": Added a device (device " + device + ").") for t in texts), texts

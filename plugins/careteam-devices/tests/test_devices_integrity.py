"""Saves that arrive twice, forms nobody made, and pages whose cost does not grow with the data."""

from __future__ import annotations

import re

import pytest
from careteam_devices.models import Check, CheckItem
from careteam_devices.testing import make_device
from sqlalchemy import func, select

from careteam.api import db
from careteam.testing import sql_statements


def _start(client, circle, device_id):
    device_url = circle.url(f"/devices/{device_id}")
    page = client.get(device_url).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post_form(f"{device_url}/checks", {"token": token}, page=device_url)
    return response.headers["Location"]


def _keys(client, check_url):
    html = client.get(check_url).get_data(as_text=True)
    return list(dict.fromkeys(re.findall(r'name="result_([A-Za-z0-9_-]+)"', html)))


def _audits(app, action):
    # Core's audit table, read in SQL: plugin tests import nothing of core but the kit.
    with app.app_context():
        return db.session.scalar(
            db.text("SELECT count(*) FROM audit_events WHERE action = :a"), {"a": action}
        )


def test_a_double_clicked_save_records_once_and_says_saved(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles)
    client = client_as("caregiver")
    check_url = _start(client, circle_with_roles, device)
    keys = _keys(client, check_url)
    form = {
        f"result_{keys[0]}": "attention",
        f"comment_{keys[0]}": "Brake slips",
        "version": "1",
        "action": "save",
    }
    first = client.post_form(check_url, form)
    second = client.post_form(check_url, form, page=circle_with_roles.url())
    assert first.status_code == second.status_code == 302
    assert "Saved" in client.get(second.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        check = db.session.scalar(select(Check))
        assert check.version == 2
        from careteam_devices.models import Problem

        assert db.session.scalar(select(func.count()).select_from(Problem)) == 1
    assert _audits(app, "devices.check_saved") == 1
    # A different answer from the same old form is someone else's save: refused, kept apart.
    other = {**form, f"comment_{keys[0]}": "Both brakes slip"}
    refused = client.post_form(check_url, other)
    assert refused.status_code == 409
    assert "Brake slips" in refused.get_data(as_text=True)


def test_a_double_clicked_finish_finishes_once(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles)
    client = client_as("family")
    check_url = _start(client, circle_with_roles, device)
    form = {f"result_{k}": "ok" for k in _keys(client, check_url)}
    form.update({"version": "1", "action": "finish"})
    assert client.post_form(check_url, form).status_code == 302
    assert client.post_form(check_url, form, page=circle_with_roles.url()).status_code == 302
    assert _audits(app, "devices.check_finished") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Check)) == 1
        assert db.session.scalar(select(func.count()).where(CheckItem.result == "ok")) == 7


@pytest.mark.parametrize("version", ["abc", "", "-1", "99999999999999999999", "1\x00"])
def test_a_version_nobody_sent_is_stale_not_an_error(app, client_as, circle_with_roles, version):
    device = make_device(app, circle_with_roles)
    client = client_as("therapist")
    check_url = _start(client, circle_with_roles, device)
    keys = _keys(client, check_url)
    response = client.post_form(
        check_url, {f"result_{keys[0]}": "ok", "version": version, "action": "save"}
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(CheckItem.result == "ok")) == 0


@pytest.mark.parametrize("token", ["", "\x00" * 30, "a" * 300, "short", "x" * 42 + "\x00"])
def test_start_tokens_nobody_made_are_refused(app, client_as, circle_with_roles, token):
    device = make_device(app, circle_with_roles)
    client = client_as("coordinator")
    url = circle_with_roles.url(f"/devices/{device}/checks")
    assert client.post_form(url, {"token": token}, page=circle_with_roles.url()).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Check)) == 0


@pytest.mark.parametrize(
    ("cursor", "status"), [("\x00", 404), ("x" * 300, 404), ("a%b", 404), ("nope", 200)]
)
def test_odd_history_cursors(app, client_as, circle_with_roles, cursor, status):
    device = make_device(app, circle_with_roles)
    client = client_as("coordinator")
    response = client.get(
        circle_with_roles.url(f"/devices/{device}/history"), query_string={"before": cursor}
    )
    assert response.status_code == status
    if status == 200:
        assert "No older checks." in response.get_data(as_text=True)


def _finish_checks(app, setup, device_id, count, attention=False):
    from careteam_devices import checks, inventory

    from careteam.api import Circle, membership_of

    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(circle, setup.people["caregiver"].id)
        device = inventory.get_device(circle, device_id)
        for _ in range(count):
            check = checks.start_check(device, member, checks.new_start_token())
            db.session.flush()
            answers = {
                i.item_public_id: checks.Answer("attention" if attention else "ok", "noted")
                for i in checks.check_items(check)
            }
            checks.save_check(check, device, member, answers, version=1, finish=True)
            db.session.commit()


def test_history_costs_the_same_queries_for_2_or_45_checks(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles)
    client = client_as("coordinator")
    url = circle_with_roles.url(f"/devices/{device}/history")

    def measure(path):
        with sql_statements(app) as statements:
            response = client.get(path)
            assert response.status_code == 200
        return len(statements), response.get_data(as_text=True)

    _finish_checks(app, circle_with_roles, device, 2, attention=True)
    few, _html = measure(url)
    _finish_checks(app, circle_with_roles, device, 43, attention=True)
    many, html = measure(url)
    assert many == few
    older = re.search(r"before=([A-Za-z0-9_-]+)", html).group(1)
    second, html = measure(f"{url}?before={older}")
    assert second == few and html.count('<h2 class="device-name">') == 20
    oldest = re.search(r"before=([A-Za-z0-9_-]+)", html).group(1)
    third, html = measure(f"{url}?before={oldest}")
    assert third == few
    assert html.count('<h2 class="device-name">') == 5 and "Older checks" not in html


def test_checklists_and_device_pages_cost_the_same_queries(app, client_as, circle_with_roles):
    client = client_as("therapist")
    device = make_device(app, circle_with_roles)
    token = client.csrf_token(circle_with_roles.url("/devices"))

    def measure():
        counts = []
        for path in ("/devices/checklists", f"/devices/{device}"):
            with sql_statements(app) as statements:
                assert client.get(circle_with_roles.url(path)).status_code == 200
            counts.append(len(statements))
        return counts

    def add_templates(n):
        for i in range(n):
            client.post(
                circle_with_roles.url("/devices/checklists/new"),
                data={
                    "csrf_token": token,
                    "name": f"T{i}",
                    "kind": "cane",
                    "source": "shipped:cane",
                },
            )

    add_templates(1)
    _finish_checks(app, circle_with_roles, device, 1, attention=True)
    few = measure()
    add_templates(12)
    _finish_checks(app, circle_with_roles, device, 12, attention=True)
    assert measure() == few

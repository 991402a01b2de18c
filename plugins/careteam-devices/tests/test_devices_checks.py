"""Running checks: part-way saves, double submits, checklist edits during a check, problems,
the journal note, the device's history and CSV, and the circle export."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from careteam_devices.testing import make_device
from sqlalchemy import func, select


@pytest.fixture
def rollator(app, circle_with_roles):
    return make_device(app, circle_with_roles, kind="rollator", name="Rollator")


def _device_url(circle, device, path=""):
    return circle.url(f"/devices/{device}{path}")


def _start(client, circle, device):
    page = client.get(_device_url(circle, device)).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    return token, client.post_form(
        _device_url(circle, device, "/checks"), {"token": token}, page=_device_url(circle, device)
    )


def _check_form(client, check_url):
    html = client.get(check_url).get_data(as_text=True)
    keys = re.findall(r'name="result_([A-Za-z0-9_-]+)"', html)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    return list(dict.fromkeys(keys)), version, html


def _count(app, model):
    from careteam.api import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_check_saved_part_way_and_finished_later(app, client_as, circle_with_roles, rollator):
    from careteam_devices.models import Check, Problem

    client = client_as("caregiver")
    _token, started = _start(client, circle_with_roles, rollator)
    check_url = started.headers["Location"]
    keys, version, html = _check_form(client, check_url)
    assert "Brakes stop the wheels" in html and len(keys) == 7
    first = {
        f"result_{keys[0]}": "ok",
        f"result_{keys[1]}": "attention",
        f"comment_{keys[1]}": "Left brake slips",
        "version": version,
        "action": "save",
    }
    assert client.post_form(check_url, first).status_code == 302
    _keys, version, html = _check_form(client, check_url)
    assert version == "2" and "Left brake slips" in html
    # The device page offers to continue, not to start another.
    device_page = client.get(_device_url(circle_with_roles, rollator)).get_data(as_text=True)
    assert "Continue the check" in device_page
    assert "Left brake slips" in device_page  # the open problem
    # Finishing with items unanswered is refused, with the answers kept.
    early = {**{f"result_{k}": "ok" for k in keys[:3]}, "version": version, "action": "finish"}
    refused = client.post_form(check_url, early)
    assert refused.status_code == 422 and "Answer every item" in refused.get_data(as_text=True)
    answers = {f"result_{k}": "ok" for k in keys}
    answers[f"result_{keys[1]}"] = "attention"
    answers[f"comment_{keys[1]}"] = "Left brake slips"
    done = client.post_form(check_url, {**answers, "version": version, "action": "finish"})
    assert done.status_code == 302
    assert _count(app, Check) == 1 and _count(app, Problem) == 1
    finished = client.get(check_url).get_data(as_text=True)
    assert (
        "Needs attention" in finished
        and "<form" not in finished.split("<main")[-1].split("Check of")[1]
    )


def test_double_clicks_start_one_check_and_record_once(app, client_as, circle_with_roles, rollator):
    from careteam_devices.models import Check, CheckItem

    client = client_as("family")
    token, first = _start(client, circle_with_roles, rollator)
    second = client.post_form(
        _device_url(circle_with_roles, rollator, "/checks"),
        {"token": token},
        page=_device_url(circle_with_roles, rollator),
    )
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app, Check) == 1
    check_url = first.headers["Location"]
    keys, version, _html = _check_form(client, check_url)
    form = {**{f"result_{k}": "ok" for k in keys}, "version": version, "action": "finish"}
    assert client.post_form(check_url, form, page=check_url).status_code == 302
    again = client.post_form(check_url, form, page=_device_url(circle_with_roles, rollator))
    assert again.status_code == 302  # "already finished": nothing changes
    with app.app_context():
        from careteam.api import db

        answered = db.session.scalar(
            select(func.count()).select_from(CheckItem).where(CheckItem.result == "ok")
        )
    assert answered == 7


def test_a_stale_form_is_refused_with_the_current_answers(client_as, circle_with_roles, rollator):
    ana, ruth = client_as("caregiver"), client_as("family")
    _token, started = _start(ana, circle_with_roles, rollator)
    url = started.headers["Location"]
    keys, version, _ = _check_form(ana, url)
    ana.post_form(
        url,
        {
            f"result_{keys[0]}": "attention",
            f"comment_{keys[0]}": "wobbly",
            "version": version,
            "action": "save",
        },
    )
    stale = ruth.post_form(
        url, {f"result_{keys[0]}": "ok", "version": version, "action": "save"}, page=url
    )
    assert stale.status_code == 409
    assert "Someone saved this check meanwhile" in stale.get_data(as_text=True)
    assert "wobbly" in stale.get_data(as_text=True)


def test_editing_the_checklist_during_a_check_leaves_the_check_alone(
    app, client_as, circle_with_roles, rollator
):
    therapist = client_as("therapist")
    _token, started = _start(therapist, circle_with_roles, rollator)
    check_url = started.headers["Location"]
    keys, version, _html = _check_form(therapist, check_url)
    editor = _device_url(circle_with_roles, rollator, "/checklist")
    page = therapist.get(editor).get_data(as_text=True)
    ids = re.findall(r'name="items-(\d+)-public_id" type="hidden" value="([^"]+)"', page)
    data = {"name": "Rollator"}
    for n, public_id in ids:
        data[f"items-{n}-public_id"] = public_id
        data[f"items-{n}-text"] = "Changed wording"
        data[f"items-{n}-frequency"] = "daily"
    data["items-0-remove"] = "y"
    assert therapist.post_form(editor, data).status_code == 302
    _keys, _version, after = _check_form(therapist, check_url)
    assert "Brakes stop the wheels" in after and "Changed wording" not in after
    form = {**{f"result_{k}": "ok" for k in keys}, "version": version, "action": "finish"}
    assert therapist.post_form(check_url, form).status_code == 302
    detail = therapist.get(_device_url(circle_with_roles, rollator)).get_data(as_text=True)
    assert "Changed wording" in detail and "Brakes stop the wheels" not in detail


def test_a_problem_posts_a_journal_note_and_is_resolved(
    app, client_as, circle_with_roles, rollator
):
    caregiver = client_as("caregiver")
    _token, started = _start(caregiver, circle_with_roles, rollator)
    url = started.headers["Location"]
    keys, version, _ = _check_form(caregiver, url)
    answers = {f"result_{k}": "ok" for k in keys}
    answers[f"result_{keys[0]}"] = "attention"
    answers[f"comment_{keys[0]}"] = "Rolls on the slope with brakes on"
    caregiver.post_form(url, {**answers, "version": version, "action": "finish", "post_note": "y"})
    # The note went through core's note service: care team yes, supporters no.
    feed = client_as("family").get(circle_with_roles.url("/notes")).get_data(as_text=True)
    assert "Rollator: needs attention" in feed
    supporter_feed = (
        client_as("supporter").get(circle_with_roles.url("/notes")).get_data(as_text=True)
    )
    assert "Rollator: needs attention" not in supporter_feed
    home = caregiver.get(circle_with_roles.url()).get_data(as_text=True)
    assert "Rolls on the slope with brakes on" in home  # the dashboard panel
    problem = re.search(
        r"/devices/problems/([A-Za-z0-9_-]+)",
        caregiver.get(circle_with_roles.url("/devices")).get_data(as_text=True),
    ).group(1)
    resolve = circle_with_roles.url(f"/devices/problems/{problem}")
    empty = caregiver.post_form(resolve, {"resolution": "  "})
    assert empty.status_code == 422 and "Say what was done" in empty.get_data(as_text=True)
    assert caregiver.post_form(resolve, {"resolution": "Brake cable tightened"}).status_code == 302
    assert "Rolls on the slope" not in caregiver.get(circle_with_roles.url()).get_data(as_text=True)
    assert client_as("supporter").get(resolve).status_code == 403
    with app.app_context():
        from careteam_devices.models import Problem

        from careteam.api import db

        row = db.session.scalar(select(Problem))
        assert row.resolution == "Brake cable tightened" and row.resolved_at is not None


def test_history_pages_and_a_formula_safe_csv(client_as, circle_with_roles, rollator):
    client = client_as("coordinator")
    for n in range(3):
        _token, started = _start(client, circle_with_roles, rollator)
        url = started.headers["Location"]
        keys, version, _ = _check_form(client, url)
        answers = {f"result_{k}": "ok" for k in keys}
        answers[f"comment_{keys[0]}"] = (
            '=HYPERLINK("http://evil.example")' if n == 0 else f"round {n}"
        )
        client.post_form(url, {**answers, "version": version, "action": "finish"})
    history = client.get(_device_url(circle_with_roles, rollator, "/history")).get_data(
        as_text=True
    )
    assert history.count("Brakes stop the wheels") == 3
    download = client.get(_device_url(circle_with_roles, rollator, "/history.csv"))
    assert download.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert len(rows) == 21
    assert '\'=HYPERLINK("http://evil.example")' in {r["comment"] for r in rows}


def test_the_circle_export_has_devices_checklists_and_checks(
    app, client_as, circle_with_roles, rollator
):
    client = client_as("coordinator")
    _token, started = _start(client, circle_with_roles, rollator)
    url = started.headers["Location"]
    keys, version, _ = _check_form(client, url)
    client.post_form(url, {f"result_{keys[0]}": "attention", "version": version, "action": "save"})
    response = client.post_form(circle_with_roles.url("/export"), {})
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))["devices"]
    assert [d["name"] for d in data["devices"]] == ["Rollator"]
    assert len(data["checklists"][0]["items"]) == 7
    assert data["checks"][0]["answers"][0]["result"] == "attention"
    assert data["problems"][0]["resolved_at"] is None
    assert "device_checks.csv" in archive.namelist()

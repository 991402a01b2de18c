"""The direct iCalendar writer: the same bytes the ``icalendar`` objects gave, hostile text
parsed back unchanged, folding that never splits a character or an escape."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
from sqlalchemy import select

from careteam.appointments.ical import FeedEntry, build_calendar
from careteam.appointments.ical_text import escape_text, fold
from careteam.appointments.models import Appointment
from careteam.appointments.queries import changes_for
from careteam.appointments.testing import calendar_circle
from careteam.extensions import db

from .bulk_appointments import add_appointments
from .ical_reference import reference_calendar


def _blocks(text: bytes) -> tuple[set[bytes], bytes]:
    """Split off the VTIMEZONE blocks (``icalendar`` wrote them in set order)."""
    zones, rest, block = set(), [], None
    for line in text.split(b"\r\n"):
        if line == b"BEGIN:VTIMEZONE":
            block = [line]
        elif block is not None:
            block.append(line)
            if line == b"END:VTIMEZONE":
                zones.add(b"\r\n".join(block))
                block = None
        else:
            rest.append(line)
    return zones, b"\r\n".join(rest)


def _entries(app, setup, count: int) -> list[FeedEntry]:
    author = setup.people["coordinator"].id
    add_appointments(setup.id, author, count)
    db.session.commit()
    rows = list(db.session.scalars(select(Appointment).order_by(Appointment.id)))
    changes = changes_for(a.id for a in rows)
    return [
        FeedEntry(
            a,
            changes[a.id],
            "Circle, with; hard \\ name",
            url=f"http://careteam.test/circles/x/appointments/{a.public_id}" if n % 2 else None,
            organiser="Dr. M\u00fcller, MD" if a.organiser_id else None,
        )
        for n, a in enumerate(rows)
    ]


@pytest.mark.parametrize("detail", ["full", "titles", "busy"])
def test_same_bytes_as_the_icalendar_objects(app, make_user, detail):
    setup = calendar_circle(app, make_user)
    with app.app_context():
        entries = _entries(app, setup, 120)
        name = "CareTeam \u00b7 Calendar circle, \u00e9t\u00e9"
        ours = build_calendar(entries, detail, name)
        theirs = reference_calendar(entries, detail, name)
    assert _blocks(ours) == _blocks(theirs)
    assert ours.count(b"RECURRENCE-ID") > 5 and ours.count(b"EXDATE") > 5


def _transient(title: str, location: str, notes: str) -> Appointment:
    return Appointment(
        public_id="abcdefghijkl",
        title=title,
        kind="gp",
        location=location,
        video_url="",
        notes=notes,
        time_zone="Europe/Berlin",
        all_day=False,
        start_local=datetime(2026, 3, 3, 10, 0),
        end_local=datetime(2026, 3, 3, 11, 0),
        rrule="",
        series_ends_at=datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        cancelled_at=None,
        sequence=1,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 1, 2, tzinfo=UTC),
    )


def _plain(text: str) -> str:
    """What a TEXT value can carry: line breaks come back as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_hostile_text_parses_back_unchanged(blns):
    strings = [s for s in blns if s]
    entries = [
        FeedEntry(_transient(s, s[::-1], s + "\n" + s), [], s, url=None, organiser=s)
        for s in strings
    ]
    name = "CareTeam \u00b7 " + max(strings, key=lambda s: s.count(",") + s.count("\\"))
    text = build_calendar(entries, "full", name)
    for line in text.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # every folded piece is whole characters
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["x-wr-calname"]) == name
    events = calendar.walk("VEVENT")
    assert len(events) == len(strings)
    for event, s in zip(events, strings, strict=True):
        assert str(event["summary"]) == _plain(s)
        assert str(event.get("location", "")) == _plain(s[::-1])
        description = str(event["description"])
        assert description.startswith(f"GP / family doctor \u00b7 {_plain(s)}\n")
        assert description.endswith("\n\n" + _plain(s + "\n" + s))


def test_a_backslash_n_stays_a_backslash_n():
    # icalendar's own writer turned a literal "\N" into a line break.
    [event] = icalendar.Calendar.from_ical(
        build_calendar([FeedEntry(_transient("C:\\Notes", "", ""), [], "c")], "titles", "n")
    ).walk("VEVENT")
    assert str(event["summary"]) == "C:\\Notes"


@pytest.mark.parametrize(
    "text",
    ["a" * 200, "\u00e9" * 100, "\U0001f3e5" * 60, "x" * 73 + "\\n" + "y" * 80, "a\\" * 90],
)
def test_folding_keeps_characters_and_escapes_whole(text):
    folded = fold("SUMMARY:" + escape_text(text))
    pieces = folded.encode("utf-8").split(b"\r\n ")
    assert all(len(p) <= 74 for p in pieces)
    # As icalendar did: an escape's backslash is carried to the next line with what it escapes.
    assert not any(p.endswith(b"x\\") for p in pieces)
    assert "".join(p.decode("utf-8") for p in pieces) == "SUMMARY:" + escape_text(text)
    assert fold("short") == "short"


def test_hostile_text_through_a_stored_feed(app, client, make_user, blns):
    """The same, from the database through /feeds/<secret>.ics (titles, places, notes)."""
    import re

    from careteam.appointments.testing import appointment_url
    from careteam.testing import login

    # PostgreSQL text cannot hold NUL (the forms refuse it anyway); titles are at most 200.
    strings = [s[:200] for s in blns if s and "\x00" not in s]
    setup = calendar_circle(app, make_user)
    with app.app_context():
        result = add_appointments(setup.id, setup.people["coordinator"].id, len(strings))
        rows = db.session.scalars(
            select(Appointment).where(Appointment.id.in_(result.appointment_ids))
        )
        by_id = {a.id: a for a in rows}
        for n, s in enumerate(strings):
            appointment = by_id[result.appointment_ids[n]]
            appointment.title, appointment.location, appointment.notes = s, s[::-1], s
            appointment.audience = "everyone"
        db.session.commit()
        expected = {
            by_id[i].public_id: s for i, s in zip(result.appointment_ids, strings, strict=True)
        }
    login(client, setup.people["coordinator"].email)
    page = client.post_form(
        appointment_url(setup, "/subscribe"), {"detail": "full", "action": "create"}
    )
    path = re.search(r'id="feed-url" readonly value="([^"]+)"', page.get_data(as_text=True))
    response = client.get(path.group(1).removeprefix("http://careteam.test"))
    seen = 0
    for event in icalendar.Calendar.from_ical(response.data).walk("VEVENT"):
        if "RECURRENCE-ID" in event:
            continue  # the generated changed occurrences keep their own titles
        s = expected[str(event["uid"]).split("@")[0]]
        assert str(event["summary"]) == _plain(s)
        assert str(event.get("location", "")) == _plain(s[::-1])
        assert str(event["description"]).endswith("\n\n" + _plain(s) + "\n\n" + str(event["url"]))
        seen += 1
    assert seen == len(strings)

"""Recurrence: wall times across daylight-saving changes, single-date changes, rule checks."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from careteam.appointments import service
from careteam.appointments.models import Appointment
from careteam.appointments.occurrences import expand
from careteam.appointments.queries import changes_for
from careteam.appointments.recurrence import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    RecurrenceError,
    RuleSpec,
    build_rule,
    normalise_rule,
    occurrence_key,
    spec_from_rule,
    wall_time_exists,
)
from careteam.appointments.testing import calendar_circle, make_appointment
from careteam.circles.membership import membership_of
from careteam.extensions import db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _occurrences(app, public_id: str, start: datetime, end: datetime):
    with app.app_context():
        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == public_id)
        )
        found = expand(appointment, changes_for([appointment.id])[appointment.id], start, end)
        return [(o.start_local, o.start, o.end, o.title) for o in found]


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "first", "rule", "before_utc_hour", "after_utc_hour", "change_day"),
    [
        # Berlin springs forward on 29 March 2026: CET (UTC+1) to CEST (UTC+2).
        ("Europe/Berlin", date(2026, 3, 17), "FREQ=WEEKLY;BYDAY=TU,TH", 9, 8, date(2026, 3, 29)),
        # New York springs forward on 8 March 2026: EST (UTC-5) to EDT (UTC-4).
        ("America/New_York", date(2026, 3, 3), "FREQ=WEEKLY;BYDAY=TU,TH", 15, 14, date(2026, 3, 8)),
        # ...and falls back on 1 November 2026.
        ("America/New_York", date(2026, 10, 27), "FREQ=DAILY", 14, 15, date(2026, 11, 1)),
        # Berlin falls back on 25 October 2026.
        ("Europe/Berlin", date(2026, 10, 20), "FREQ=DAILY;INTERVAL=2", 8, 9, date(2026, 10, 25)),
    ],
)
def test_wall_time_stays_at_ten_across_dst(
    app, make_user, zone, first, rule, before_utc_hour, after_utc_hour, change_day
):
    setup = calendar_circle(app, make_user, time_zone=zone)
    public_id = make_appointment(
        app, setup.id, setup.people["coordinator"].id, start_date=first, rrule=rule
    )
    found = _occurrences(app, public_id, _utc(2026, 1, 1), _utc(2027, 1, 1, 0))
    window = [o for o in found if (o[0].date() - change_day).days in range(-8, 9)]
    assert len(window) >= 4
    for start_local, start, end, _title in window:
        assert start_local.time() == time(10, 0)
        assert start.astimezone(ZoneInfo(zone)).time() == time(10, 0)
        expected = before_utc_hour if start_local.date() < change_day else after_utc_hour
        assert start.hour == expected, start_local
        assert (end - start).total_seconds() == 3600


def test_a_series_time_inside_the_spring_gap_moves_on_by_the_gap(app, make_user):
    """RFC 5545: 02:30 on the day 02:00-03:00 is skipped is taken as 03:30 local."""
    setup = calendar_circle(app, make_user)
    public_id = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        start_date=date(2026, 3, 27),
        start_time=time(2, 30),
        end_time=time(3, 0),
        rrule="FREQ=DAILY;COUNT=4",
    )
    starts = [o[1] for o in _occurrences(app, public_id, _utc(2026, 3, 1), _utc(2026, 4, 1))]
    assert [s.astimezone(BERLIN).strftime("%d %H:%M") for s in starts] == [
        "27 02:30",
        "28 02:30",
        "29 03:30",
        "30 02:30",
    ]


def test_a_first_occurrence_inside_the_gap_is_refused(app, make_user):
    setup = calendar_circle(app, make_user)
    with pytest.raises(service.AppointmentError, match="does not exist") as caught:
        make_appointment(
            app,
            setup.id,
            setup.people["coordinator"].id,
            start_date=date(2026, 3, 29),
            start_time=time(2, 30),
            end_time=time(3, 30),
        )
    assert caught.value.field == "start_time"
    assert not wall_time_exists(datetime(2026, 3, 29, 2, 30), BERLIN)
    assert wall_time_exists(datetime(2026, 10, 25, 2, 30), BERLIN)  # ambiguous, but exists


def test_second_tuesday_of_each_month(app, make_user):
    setup = calendar_circle(app, make_user)
    public_id = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        start_date=date(2026, 1, 13),
        start_time=time(18, 30),
        end_time=time(20, 0),
        rrule="FREQ=MONTHLY;BYDAY=2TU",
    )
    found = _occurrences(app, public_id, _utc(2026, 1, 1), _utc(2026, 7, 1))
    assert [o[0].date() for o in found] == [
        date(2026, 1, 13),
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 14),
        date(2026, 5, 12),
        date(2026, 6, 9),
    ]
    assert {o[0].time() for o in found} == {time(18, 30)}


def test_single_date_changes_and_cancellations(app, make_user):
    setup = calendar_circle(app, make_user)
    coordinator = setup.people["coordinator"].id
    public_id = make_appointment(
        app,
        setup.id,
        coordinator,
        start_date=date(2026, 3, 17),
        rrule="FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260402",
    )
    with app.app_context():
        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == public_id)
        )
        member = membership_of(setup.id, coordinator)
        service.cancel_occurrence(appointment, member, datetime(2026, 3, 19, 10, 0))
        # Thursday 26 March moves to Friday 3 April, after the series' last date.
        service.change_occurrence(
            appointment,
            member,
            datetime(2026, 3, 26, 10, 0),
            title="PT (moved)",
            location="Home visit",
            notes="",
            start=datetime(2026, 4, 3, 9, 0),
            end=datetime(2026, 4, 3, 10, 0),
        )
        db.session.commit()
        assert appointment.series_ends_at == _utc(2026, 4, 3, 8, 0)
        with pytest.raises(service.AppointmentError, match="no occurrence"):
            service.cancel_occurrence(appointment, member, datetime(2026, 3, 18, 10, 0))
        db.session.rollback()
    found = _occurrences(app, public_id, _utc(2026, 3, 1), _utc(2026, 5, 1))
    assert [(o[0], o[3]) for o in found] == [
        (datetime(2026, 3, 17, 10, 0), "Physical therapy"),
        (datetime(2026, 3, 24, 10, 0), "Physical therapy"),
        (datetime(2026, 3, 31, 10, 0), "Physical therapy"),
        (datetime(2026, 4, 2, 10, 0), "Physical therapy"),
        (datetime(2026, 4, 3, 9, 0), "PT (moved)"),
    ]
    with app.app_context():
        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == public_id)
        )
        member = membership_of(setup.id, coordinator)
        service.reset_occurrence(appointment, member, datetime(2026, 3, 19, 10, 0))
        db.session.commit()
    found = _occurrences(app, public_id, _utc(2026, 3, 18), _utc(2026, 3, 20))
    assert [o[0] for o in found] == [datetime(2026, 3, 19, 10, 0)]


def test_rule_checks():
    start = datetime(2026, 3, 3, 10, 0)
    assert normalise_rule("rrule:freq=weekly;byday=tu", start, BERLIN, False) == (
        "FREQ=WEEKLY;BYDAY=TU"
    )
    # A UTC UNTIL is kept as the series' own wall time.
    assert normalise_rule("FREQ=WEEKLY;UNTIL=20260630T215959Z", start, BERLIN, False) == (
        "FREQ=WEEKLY;UNTIL=20260630T235959"
    )
    assert normalise_rule("FREQ=DAILY;UNTIL=20260310", start, BERLIN, True) == (
        "FREQ=DAILY;UNTIL=20260310"
    )
    for bad in ("FREQ=WEEKLY;FREQ=DAILY", "FREQ=MINUTELY", "FREQ=DAILY;INTERVAL=9999", "x" * 600):
        with pytest.raises(RecurrenceError):
            normalise_rule(bad, start, BERLIN, False)


def test_a_rule_that_never_matches_is_refused_quickly():
    started = clock.monotonic()
    for rule in ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31"):
        with pytest.raises(RecurrenceError):
            normalise_rule(rule, datetime(2026, 1, 1, 10), BERLIN, False)
    assert clock.monotonic() - started < 2.0
    # Leap days are rare but real: every four years is often enough.
    assert normalise_rule(
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", datetime(2028, 2, 29, 10), BERLIN, False
    )


@pytest.mark.parametrize(
    "spec",
    [
        RuleSpec(),
        RuleSpec(repeat="weekly", weekdays=("TU", "TH"), ends="until", until=date(2026, 6, 30)),
        RuleSpec(repeat="weekly", interval=2, weekdays=("MO",), ends="count", count=10),
        RuleSpec(repeat="monthly", nth=2, weekday="TU"),
        RuleSpec(repeat="monthly", nth=-1, weekday="FR"),
        RuleSpec(repeat="daily", interval=3),
    ],
)
def test_builder_round_trip(spec):
    rule = build_rule(spec, date(2026, 3, 10))
    assert spec_from_rule(rule) == spec


@settings(max_examples=300, deadline=None)
@given(
    local=st.datetimes(
        min_value=datetime(EARLIEST_YEAR, 1, 1), max_value=datetime(LATEST_YEAR, 12, 31)
    ),
    all_day=st.booleans(),
)
def test_occurrence_keys_are_the_documented_formats(local: datetime, all_day: bool) -> None:
    """The hand-formatted key is exactly strftime's, and parses back to the minute (or day)."""
    from careteam.appointments.recurrence import DAY_KEY_FORMAT, KEY_FORMAT, parse_occurrence_key

    key = occurrence_key(local, all_day)
    assert key == local.strftime(DAY_KEY_FORMAT if all_day else KEY_FORMAT)
    expected = local.replace(second=0, microsecond=0)
    if all_day:
        expected = expected.replace(hour=0, minute=0)
    assert parse_occurrence_key(key, all_day) == expected

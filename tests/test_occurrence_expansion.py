"""Series expansion: the dates list pages keep for the process agree with a plain expansion,
and an edited series shows its new dates at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from careteam.appointments import service
from careteam.appointments.models import Appointment, OccurrenceChange
from careteam.appointments.occurrences import expand
from careteam.appointments.queries import occurrences_between
from careteam.appointments.testing import calendar_circle, make_appointment
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.extensions import db

RULES = [
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=TU,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;UNTIL=20270301T000000",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=WEEKLY;COUNT=6",
]
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]


def _series(rule: str, zone: str, first: datetime, minutes: int, all_day: bool) -> Appointment:
    return Appointment(
        id=1,
        public_id="series",
        title="Physical therapy",
        time_zone=zone,
        all_day=all_day,
        start_local=first,
        end_local=first + timedelta(minutes=minutes),
        rrule=rule,
        recurring=True,
    )


def _reference(appointment, changes, start, end, by_start):
    """Every rule date in a wide range, changes applied, kept when inside: no shortcuts."""
    zone = ZoneInfo(appointment.time_zone)
    length = appointment.end_local - appointment.start_local
    rule = rrulestr(appointment.rrule, dtstart=appointment.start_local)
    dates = rule.between(
        appointment.start_local - timedelta(days=1),
        end.replace(tzinfo=None) + timedelta(days=2),
        inc=True,
    )
    by_original = {c.original_start_local: c for c in changes}
    wanted = []
    for original in set(dates) | {o for o, c in by_original.items() if c.start_local}:
        change = by_original.get(original)
        if change is not None and change.cancelled:
            continue
        if change is not None and change.start_local is not None:
            local_start, local_end = change.start_local, change.end_local
        elif original in dates:
            local_start, local_end = original, original + length
        else:
            continue
        begins = local_start.replace(tzinfo=zone).astimezone(UTC)
        ends = local_end.replace(tzinfo=zone).astimezone(UTC)
        inside = start <= begins < end if by_start else begins < end and ends > start
        if inside:
            title = appointment.title if change is None or change.title is None else change.title
            wanted.append((begins, ends, original, title))
    return sorted(wanted)


@settings(max_examples=150, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    zone=st.sampled_from(ZONES),
    first_day=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    first_time=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    minutes=st.integers(15, 60 * 30),
    window_day=st.dates(date(2026, 1, 1), date(2027, 6, 30)),
    window_days=st.sampled_from([1, 2, 14, 31, 62]),
    window_on=st.integers(-1, 40),
    by_start=st.booleans(),
    edits=st.lists(
        # Dates near the window's first one: those the window's edges cut through.
        st.tuples(st.integers(-5, 5), st.sampled_from(["cancel", "move", "retitle"])),
        max_size=4,
    ),
)
def test_kept_dates_agree_with_a_plain_expansion(
    rule, zone, first_day, first_time, minutes, window_day, window_days, window_on, by_start, edits
) -> None:
    first = datetime.combine(first_day, first_time)
    appointment = _series(rule, zone, first, minutes, all_day=False)
    dates = list(rrulestr(rule, dtstart=first)[:41])
    changes = []
    for offset, kind in sorted(dict(edits).items()):  # one edit per date, as the app keeps
        index = max(window_on, 5) + offset
        if index >= len(dates):
            continue
        original = dates[index]
        change = OccurrenceChange(original_start_local=original, cancelled=kind == "cancel")
        if kind == "move":
            change.start_local = original + timedelta(days=3, hours=1)
            change.end_local = change.start_local + timedelta(minutes=minutes)
        if kind == "retitle":
            change.title = "Moved to the pool"
        changes.append(change)
    start = datetime.combine(window_day, time(), tzinfo=UTC)
    if 0 <= window_on < len(dates):  # a window that opens as an occurrence starts, the edge case
        start = dates[window_on].replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    end = start + timedelta(days=window_days)
    expected = _reference(appointment, changes, start, end, by_start)
    for reuse in (True, True, False):  # the second call answers from what the first kept
        found = expand(appointment, changes, start, end, by_start=by_start, reuse=reuse)
        assert [(o.start, o.end, o.original, o.title) for o in found] == expected
        assert [o.sort_key for o in found] == sorted(o.sort_key for o in found)


def test_an_edited_series_lists_its_new_dates_at_once(app, make_user) -> None:
    setup = calendar_circle(app, make_user)
    coordinator = setup.people["coordinator"].id
    public_id = make_appointment(
        app, setup.id, coordinator, start_date=date(2030, 1, 1), rrule="FREQ=WEEKLY;BYDAY=TU"
    )
    start, end = datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC)

    def listed() -> list[datetime]:
        with app.app_context():
            circle = db.session.get(Circle, setup.id)
            member = membership_of(setup.id, coordinator)
            return [o.start_local for o in occurrences_between(circle, member, start, end)]

    assert [d.day for d in listed()] == [1, 8, 15, 22, 29]
    with app.app_context():
        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == public_id)
        )
        member = membership_of(setup.id, coordinator)
        appointment_input = service.AppointmentInput(
            title=appointment.title,
            start_date=date(2030, 1, 2),
            start_time=time(9, 30),
            end_time=time(10, 30),
            time_zone=appointment.time_zone,
            kind=appointment.kind,
            audience=appointment.audience,
            rrule="FREQ=WEEKLY;BYDAY=WE",
        )
        service.update_appointment(appointment, member, appointment_input)
        db.session.commit()
    moved = listed()
    assert [d.day for d in moved] == [2, 9, 16, 23, 30]
    assert {(d.hour, d.minute) for d in moved} == {(9, 30)}

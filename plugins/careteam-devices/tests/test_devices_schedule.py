"""Due dates: from the last completion and the frequency, on calendar dates in the circle's
zone, so daylight-saving changes never shift or skip a check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from careteam_devices.catalog import CHECKLISTS, Frequency, Kind
from careteam_devices.schedule import State, due_state, local_date, next_due
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]
STEPS = {
    Frequency.EACH_USE: relativedelta(days=1),
    Frequency.DAILY: relativedelta(days=1),
    Frequency.WEEKLY: relativedelta(days=7),
    Frequency.MONTHLY: relativedelta(months=1),
    Frequency.SIX_MONTHLY: relativedelta(months=6),
}

instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800))


@settings(max_examples=300, deadline=None)
@given(done=instants, gap=gaps, zone=st.sampled_from(ZONES), frequency=st.sampled_from(Frequency))
def test_due_date_is_the_local_completion_date_plus_the_frequency(done, gap, zone, frequency):
    tz = ZoneInfo(zone)
    now = done + gap
    due = due_state(done, frequency, now, tz)
    done_on = done.astimezone(tz).date()
    assert due.last_done_on == done_on
    assert due.due_on == done_on + STEPS[frequency]
    today = now.astimezone(tz).date()
    expected = (
        State.OVERDUE
        if due.due_on < today
        else State.DUE_TODAY
        if due.due_on == today
        else State.UPCOMING
    )
    assert due.state == expected
    assert due.days_late == max(0, (today - due.due_on).days)


@settings(max_examples=200, deadline=None)
@given(done=instants, later=gaps, zone=st.sampled_from(ZONES), frequency=st.sampled_from(Frequency))
def test_doing_it_later_never_brings_the_due_date_forward(done, later, zone, frequency):
    tz = ZoneInfo(zone)
    now = done + later + timedelta(days=1)
    first = due_state(done, frequency, now, tz)
    second = due_state(done + later, frequency, now, tz)
    assert second.due_on >= first.due_on


@settings(max_examples=200, deadline=None)
@given(added=instants, gap=gaps, zone=st.sampled_from(ZONES), frequency=st.sampled_from(Frequency))
def test_never_done_is_due_from_the_day_the_device_was_added(added, gap, zone, frequency):
    tz = ZoneInfo(zone)
    now = added + gap
    due = due_state(None, frequency, now, tz, since=added)
    assert due.last_done_on is None and due.due_on == added.astimezone(tz).date()
    same_day = now.astimezone(tz).date() == added.astimezone(tz).date()
    assert due.state == (State.DUE_TODAY if same_day else State.OVERDUE)


def test_a_weekly_check_across_the_spring_change_is_due_the_same_weekday():
    berlin = ZoneInfo("Europe/Berlin")
    # Saturday 28 March 2026, 23:30 in Berlin; clocks go forward in the night to Sunday 29th.
    done = datetime(2026, 3, 28, 23, 30, tzinfo=berlin)
    assert due_state(done, "weekly", done, berlin).due_on == date(2026, 4, 4)
    friday_night = datetime(2026, 4, 3, 23, 59, tzinfo=berlin)
    assert due_state(done, "weekly", friday_night, berlin).state == State.UPCOMING
    # Only 167 real hours after the check (one hour was lost to the change) it is already
    # 23:30 on Saturday in Berlin: due, by the calendar, as people expect.
    a_week_of_wall_time = done.astimezone(UTC) + timedelta(hours=167)
    assert a_week_of_wall_time.astimezone(berlin).date() == date(2026, 4, 4)
    assert due_state(done, "weekly", a_week_of_wall_time, berlin).state == State.DUE_TODAY
    saturday = datetime(2026, 4, 4, 0, 5, tzinfo=berlin)
    assert due_state(done, "weekly", saturday, berlin).state == State.DUE_TODAY


def test_daily_means_once_each_local_day_even_when_the_day_has_23_hours():
    new_york = ZoneInfo("America/New_York")
    evening = datetime(2026, 3, 7, 22, 0, tzinfo=new_york)  # the night clocks spring forward
    next_morning = datetime(2026, 3, 8, 7, 0, tzinfo=new_york)
    assert due_state(evening, "daily", next_morning, new_york).state == State.DUE_TODAY
    late_same_evening = datetime(2026, 3, 7, 23, 59, tzinfo=new_york)
    assert due_state(evening, "daily", late_same_evening, new_york).state == State.UPCOMING


def test_the_same_instant_can_be_a_different_day_in_different_circles():
    instant = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    assert local_date(instant, ZoneInfo("Europe/Berlin")) == date(2026, 6, 2)
    assert local_date(instant, ZoneInfo("America/New_York")) == date(2026, 6, 1)


def test_monthly_from_the_31st_lands_on_the_last_day_of_a_short_month():
    assert next_due(date(2026, 1, 31), "monthly", date(2026, 1, 31)) == date(2026, 2, 28)
    assert next_due(date(2026, 8, 31), "six_monthly", date(2026, 8, 31)) == date(2027, 2, 28)
    assert next_due(None, "weekly", date(2026, 5, 1)) == date(2026, 5, 1)


def test_every_kind_ships_a_checklist_with_known_frequencies():
    assert set(CHECKLISTS) == set(Kind)
    for kind, items in CHECKLISTS.items():
        assert items, kind
        assert all(isinstance(i.frequency, Frequency) and i.text for i in items)
    afo = " ".join(i.text + " " + i.guidance for i in CHECKLISTS[Kind.AFO])
    assert "20-30 minutes" in afo and "orthotist" in afo and "Sock taller" in afo


# Every IANA zone this machine knows, DST or not (Lord Howe's half-hour shift, Samoa's skipped
# day, zones that changed their offset in these years).
any_zone = st.timezones()
SPANS = {  # how many days after the local completion date an item comes due
    Frequency.EACH_USE: {1},
    Frequency.DAILY: {1},
    Frequency.WEEKLY: {7},
    Frequency.MONTHLY: {28, 29, 30, 31},
    Frequency.SIX_MONTHLY: set(range(181, 185)),
}


@settings(max_examples=300, deadline=None)
@given(done=instants, gap=gaps, zone=any_zone, frequency=st.sampled_from(Frequency))
def test_in_any_zone_an_item_comes_due_a_whole_period_later_and_not_before(
    done, gap, zone, frequency
):
    now = done + gap
    due = due_state(done, frequency, now, zone)
    assert (due.due_on - due.last_done_on).days in SPANS[frequency]
    local_now = now.astimezone(zone).date()
    if local_now < due.due_on:
        assert due.state == State.UPCOMING and due.days_late == 0
    else:
        assert due.state != State.UPCOMING
        assert (due.state == State.OVERDUE) == (due.days_late > 0)


@settings(max_examples=200, deadline=None)
@given(done=instants, zone=any_zone, frequency=st.sampled_from(Frequency))
def test_checking_again_today_is_never_overdue(done, zone, frequency):
    # Whatever the zone does to the clock, an item done now is not due again today.
    assert due_state(done, frequency, done, zone).state == State.UPCOMING

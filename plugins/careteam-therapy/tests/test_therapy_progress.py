"""Adherence per Monday-based week: hand-worked weeks pinned, and the rules checked with
hypothesis over partial weeks, versions changing mid-week, pauses and daylight-saving weeks;
then the loaders' statement counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from careteam_therapy.progress import (
    LogRow,
    PlannedTask,
    PlannedVersion,
    load_logs,
    progress_page,
    week_figures,
    week_summary,
)
from careteam_therapy.schedule import (
    TaskSchedule,
    monday_of,
    paused_days_between,
    scheduled_in_week,
    week_days,
    weekday_mask,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from careteam.api import db
from careteam.testing import sql_statements

from .progress_factories import add_logs, add_pause, add_programme, task

MONDAY = date(2025, 1, 6)
MON_WED_FRI = weekday_mask([0, 2, 4])
DAILY = weekday_mask(range(7))


def plan(*versions: tuple[date, list[tuple[str, TaskSchedule]]]) -> list[PlannedVersion]:
    return [
        PlannedVersion(number, since, tuple(PlannedTask(key, s) for key, s in tasks))
        for number, (since, tasks) in enumerate(versions, start=1)
    ]


def weekdays(mask: int, times: int = 1, start: date = date(2025, 1, 1), **kw) -> TaskSchedule:
    return TaskSchedule(start, kw.pop("end", None), mask, None, times, **kw)


def per_week(n: int, start: date = date(2025, 1, 1), **kw) -> TaskSchedule:
    return TaskSchedule(start, kw.pop("end", None), 0, n, kw.pop("times", 1), **kw)


def log(key: str, day: date, status: str = "done", slot: int = 1, pain=None, fatigue=None):
    return LogRow(key, day, slot, status, pain, fatigue)


# --- hand-worked weeks -----------------------------------------------------------------------


def test_weekdays_twice_a_day_with_done_partly_and_skipped():
    # Mon, Wed, Fri twice a day: 6 due.  Mon 2 done, Wed 1 done + 1 partly, Fri both skipped:
    # credit 2 + 1 + 0.5 = 3.5 of 6 = 58 %.
    week = week_figures(
        plan((date(2025, 1, 1), [("a", weekdays(MON_WED_FRI, times=2))])),
        [],
        [
            log("a", MONDAY),
            log("a", MONDAY, slot=2),
            log("a", MONDAY + timedelta(2)),
            log("a", MONDAY + timedelta(2), "partly", slot=2),
            log("a", MONDAY + timedelta(4), "skipped"),
            log("a", MONDAY + timedelta(4), "skipped", slot=2),
        ],
        MONDAY,
    )
    assert (week.scheduled, week.done, week.partly, week.skipped) == (6, 3, 1, 2)
    assert week.credit == Fraction(7, 2) and week.percent == 58 and week.extras == 0


def test_n_a_week_starting_on_a_thursday_expects_its_share():
    # 3 a week from Thursday: 4 active days, 3 x 4 / 7 = 1.71, rounded half up to 2.
    week = week_figures(
        plan((date(2025, 1, 1), [("a", per_week(3, start=date(2025, 1, 9)))])), [], [], MONDAY
    )
    assert week.scheduled == 2 and week.percent == 0


def test_a_task_ending_mid_week_expects_only_its_days():
    # Every day, ending on Tuesday: 2 due; both done is 100 %.
    schedule = weekdays(DAILY, end=MONDAY + timedelta(1))
    logs = [log("a", MONDAY), log("a", MONDAY + timedelta(1))]
    week = week_figures(plan((date(2025, 1, 1), [("a", schedule)])), [], logs, MONDAY)
    assert (week.scheduled, week.percent) == (2, 100)


def test_a_version_changing_mid_week_counts_each_day_by_its_version():
    # v1 3 a week until Wednesday, v2 5 a week from Thursday: 3/7 x 3 + 5/7 x 4 = 29/7 = 4.14,
    # rounded once to 4 (per day it would have been 0 + 0 + ... = wrong).
    week = week_figures(
        plan(
            (date(2025, 1, 1), [("a", per_week(3))]),
            (MONDAY + timedelta(3), [("a", per_week(5))]),
        ),
        [],
        [log("a", MONDAY), log("a", MONDAY + timedelta(4))],
        MONDAY,
    )
    assert week.scheduled == 4 and week.percent == 50
    assert week.versions == ((2, MONDAY + timedelta(3)),)


def test_a_version_adding_a_weekday_task_mid_week():
    # v1: "a" Mon/Wed/Fri; v2 from Wednesday adds "b" every day: a 3 + b 5 = 8 due.
    week = week_figures(
        plan(
            (date(2025, 1, 1), [("a", weekdays(MON_WED_FRI))]),
            (MONDAY + timedelta(2), [("a", weekdays(MON_WED_FRI)), ("b", weekdays(DAILY))]),
        ),
        [],
        [],
        MONDAY,
    )
    assert week.scheduled == 8


def test_paused_days_leave_the_denominator_but_flare_tasks_stay():
    # Paused Wednesday to Friday: "a" every day is due 4 times; "b" (kept in a flare-up) 7.
    week = week_figures(
        plan(
            (
                date(2025, 1, 1),
                [("a", weekdays(DAILY)), ("b", weekdays(DAILY, keep_in_flare=True))],
            )
        ),
        [(MONDAY + timedelta(2), MONDAY + timedelta(4))],
        [log("a", MONDAY), log("b", MONDAY)],
        MONDAY,
    )
    assert week.scheduled == 11 and week.paused_days == 3
    assert [d.paused for d in week.days] == [False, False, True, True, True, False, False]


def test_a_week_fully_paused_counts_against_nobody():
    week = week_figures(
        plan((date(2025, 1, 1), [("a", weekdays(DAILY)), ("b", per_week(3))])),
        [(date(2025, 1, 1), None)],
        [],
        MONDAY,
    )
    assert week.scheduled == 0 and week.adherence is None and week.percent is None


def test_extras_of_one_task_do_not_hide_another_skipped():
    # "a" 2 a week done 4 times, "b" 2 a week never: 2 of 4 = 50 %, and +2 extras.
    week = week_figures(
        plan((date(2025, 1, 1), [("a", per_week(2)), ("b", per_week(2))])),
        [],
        [log("a", MONDAY + timedelta(n)) for n in range(4)],
        MONDAY,
    )
    assert (week.scheduled, week.percent, week.extras) == (4, 50, 2)


def test_more_than_asked_is_capped_at_100_with_extras():
    week = week_figures(
        plan((date(2025, 1, 1), [("a", per_week(3))])),
        [],
        [log("a", MONDAY + timedelta(n), "partly" if n == 4 else "done") for n in range(5)],
        MONDAY,
    )
    assert (week.percent, week.extras, week.adherence) == (100, 2, 1.0)


def test_pain_and_fatigue_are_each_days_highest():
    logs = [
        log("a", MONDAY, pain=3, fatigue=8),
        log("b", MONDAY, pain=6, fatigue=2),
        log("a", MONDAY + timedelta(1), "skipped", fatigue=5),
    ]
    week = week_figures(
        plan((date(2025, 1, 1), [("a", weekdays(DAILY)), ("b", weekdays(DAILY))])),
        [],
        logs,
        MONDAY,
    )
    assert [(d.pain, d.fatigue) for d in week.days[:3]] == [(6, 8), (None, 5), (None, None)]
    assert (week.pain, week.fatigue) == (6, 8)


def test_the_week_under_way_counts_up_to_today():
    schedule_plan = plan((date(2025, 1, 1), [("a", weekdays(DAILY)), ("b", per_week(7))]))
    week = week_figures(schedule_plan, [], [log("a", MONDAY)], MONDAY, until=MONDAY + timedelta(2))
    assert week.scheduled == 6 and week.through == MONDAY + timedelta(2)
    assert week.percent == 17


def test_before_the_start_there_is_nothing_due():
    week = week_figures(plan((date(2025, 3, 1), [("a", weekdays(DAILY))])), [], [], MONDAY)
    assert week.adherence is None


def test_a_week_must_start_on_a_monday():
    with pytest.raises(ValueError):
        week_figures([], [], [], MONDAY + timedelta(1))


# --- the rules, with hypothesis --------------------------------------------------------------

mondays = st.dates(date(2024, 1, 1), date(2027, 12, 31)).map(monday_of)
offsets = st.integers(-10, 16)


@st.composite
def schedules(draw, monday: date) -> TaskSchedule:
    start = monday + timedelta(days=draw(offsets))
    end = draw(st.none() | st.integers(0, 20).map(lambda n: start + timedelta(days=n)))
    times = draw(st.integers(1, 4))
    keep = draw(st.booleans())
    if draw(st.booleans()):
        return TaskSchedule(start, end, 0, draw(st.integers(1, 14)), times, keep)
    return TaskSchedule(start, end, draw(st.integers(1, 127)), None, times, keep)


@st.composite
def pause_lists(draw, monday: date) -> list[tuple[date, date | None]]:
    pauses = []
    for _ in range(draw(st.integers(0, 2))):
        start = monday + timedelta(days=draw(offsets))
        length = draw(st.none() | st.integers(0, 9))
        pauses.append((start, None if length is None else start + timedelta(days=length)))
    return pauses


@st.composite
def weeks(draw):
    monday = draw(mondays)
    tasks = draw(st.lists(schedules(monday), min_size=1, max_size=4))
    return monday, [(f"t{i}", s) for i, s in enumerate(tasks)], draw(pause_lists(monday))


@settings(max_examples=300, deadline=None)
@given(week=weeks())
def test_one_version_agrees_with_the_schedule_module(week):
    """Partial weeks and pauses: a single version's week is schedule.scheduled_in_week summed."""
    monday, tasks, pauses = week
    paused = paused_days_between(pauses, monday, monday + timedelta(6))
    figures = week_figures(plan((monday - timedelta(30), tasks)), pauses, [], monday)
    assert figures.scheduled == sum(scheduled_in_week(s, monday, paused) for _, s in tasks)
    assert figures.adherence is None if figures.scheduled == 0 else figures.adherence == 0


@settings(max_examples=300, deadline=None)
@given(week=weeks(), change=st.integers(0, 6))
def test_a_new_version_with_the_same_tasks_changes_nothing(week, change):
    monday, tasks, pauses = week
    one = week_figures(plan((monday - timedelta(30), tasks)), pauses, [], monday)
    two = week_figures(
        plan((monday - timedelta(30), tasks), (monday + timedelta(change), tasks)),
        pauses,
        [],
        monday,
    )
    assert one.scheduled == two.scheduled
    assert two.versions == ((2, monday + timedelta(change)),)


@settings(max_examples=300, deadline=None)
@given(week=weeks(), other=weeks(), change=st.integers(1, 6))
def test_a_mid_week_change_counts_weekday_tasks_day_by_day(week, other, change):
    """Chosen-weekday tasks: the week is the sum of each day's version's slots."""
    monday, tasks, pauses = week
    firsts = [(k, s) for k, s in tasks if not s.per_week]
    seconds = [(f"u{k}", s) for k, s in other[1] if not s.per_week]
    since = monday + timedelta(change)
    figures = week_figures(
        plan((monday - timedelta(30), firsts), (since, seconds)), pauses, [], monday
    )
    paused = paused_days_between(pauses, monday, monday + timedelta(6))
    expected = 0
    for day in week_days(monday):
        for _, s in firsts if day < since else seconds:
            within = s.start <= day and (s.end is None or day <= s.end)
            on_day = s.weekdays & (1 << day.weekday())
            if within and on_day and (s.keep_in_flare or day not in paused):
                expected += s.times_per_day
    assert figures.scheduled == expected


@settings(max_examples=300, deadline=None)
@given(week=weeks(), extra=pause_lists(date(2025, 1, 6)))
def test_pausing_never_asks_for_more(week, extra):
    monday, tasks, pauses = week
    moved = [
        (s + (monday - date(2025, 1, 6)), e and e + (monday - date(2025, 1, 6))) for s, e in extra
    ]
    before = week_figures(plan((monday - timedelta(30), tasks)), pauses, [], monday)
    after = week_figures(plan((monday - timedelta(30), tasks)), pauses + moved, [], monday)
    assert after.scheduled <= before.scheduled


@settings(max_examples=300, deadline=None)
@given(week=weeks(), data=st.data())
def test_doing_every_due_slot_is_100_and_anything_is_between_0_and_1(week, data):
    monday, tasks, pauses = week
    tasks = [(k, s) for k, s in tasks if not s.per_week]
    the_plan = plan((monday - timedelta(30), tasks))
    paused = paused_days_between(pauses, monday, monday + timedelta(6))
    due = [
        log(key, day, slot=slot)
        for key, s in tasks
        for day in week_days(monday)
        if s.start <= day
        and (s.end is None or day <= s.end)
        and (s.keep_in_flare or day not in paused)
        and s.weekdays & (1 << day.weekday())
        for slot in range(1, s.times_per_day + 1)
    ]
    figures = week_figures(the_plan, pauses, due, monday)
    assert figures.scheduled == len(due)
    assert figures.adherence is None if not due else figures.adherence == 1.0
    assert figures.extras == 0
    some = data.draw(st.lists(st.sampled_from(due), unique=True) if due else st.just([]))
    statuses = data.draw(
        st.lists(
            st.sampled_from(["done", "partly", "skipped"]), min_size=len(some), max_size=len(some)
        )
    )
    partial = week_figures(
        the_plan,
        pauses,
        [row._replace(status=s) for row, s in zip(some, statuses, strict=True)],
        monday,
    )
    assert partial.adherence is None or 0 <= partial.adherence <= 1
    assert partial.done + partial.partly + partial.skipped == len(some)


# The weeks where the clocks change in zones devices' tests use: 23- and 25-hour days.
DST_WEEKS = {
    "Europe/London": [date(2025, 3, 24), date(2025, 10, 20)],
    "America/New_York": [date(2025, 3, 3), date(2025, 10, 27)],
}


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(sorted(DST_WEEKS)),
    which=st.integers(0, 1),
    seconds=st.integers(0, 7 * 24 * 3600 - 1),
)
def test_a_daylight_saving_week_has_seven_days_whatever_its_hours(zone, which, seconds):
    """The circle's today comes from an instant in its zone; the week's due count comes from
    dates, so a 23- or 25-hour Sunday neither drops nor doubles a day."""
    tz = ZoneInfo(zone)
    monday = DST_WEEKS[zone][which]
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    instant = start + timedelta(seconds=seconds)
    today = instant.astimezone(tz).date()
    if today > monday + timedelta(6):  # the week's end is earlier in UTC when it has 167 hours
        today = monday + timedelta(6)
    assert monday_of(today) == monday
    figures = week_figures(
        plan((monday - timedelta(30), [("a", weekdays(DAILY, times=2))])),
        [],
        [],
        monday,
        until=today,
    )
    assert figures.scheduled == 2 * (today.weekday() + 1)
    assert len(figures.days) == 7 and figures.through == today


# --- the loaders -----------------------------------------------------------------------------


def test_week_summary_costs_three_statements_for_any_number_of_programmes(app, circle_with_roles):
    setup = circle_with_roles
    therapist = setup.people["therapist"].id
    made = [
        add_programme(
            app, setup.id, therapist, [(date(2025, 1, 1), [task(f"k{n}", date(2025, 1, 1))])]
        )
        for n in range(3)
    ]
    add_logs(
        app,
        made[0],
        [{"key": "k0", "day": MONDAY, "pain": 4}, {"key": "k0", "day": MONDAY - timedelta(1)}],
    )
    add_pause(app, made[1], MONDAY + timedelta(3))
    with app.app_context():
        from careteam_therapy.models import Programme

        programmes = db.session.scalars(db.select(Programme).order_by(Programme.id)).all()
        with sql_statements(app) as statements:
            found = week_summary(programmes, MONDAY)
        assert (
            len([s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]) == 3
        )
        first, second, third = (found[m.id] for m in made)
        assert (first.done, first.scheduled, first.pain) == (1, 7, 4)
        assert (second.scheduled, second.paused_days) == (3, 4)
        assert third.percent == 0
        with sql_statements(app) as statements:
            assert load_logs([m.id for m in made], MONDAY, MONDAY)[made[0].id] == [
                LogRow("k0", MONDAY, 1, "done", 4, None)
            ]
        assert len([s for s in statements if "therapy_logs" in s]) == 1


def test_progress_page_pages_by_monday_and_stops_at_the_first_week(app, circle_with_roles):
    setup = circle_with_roles
    made = add_programme(app, setup.id, None, [(date(2025, 1, 1), [task("a", date(2025, 1, 1))])])
    today = date(2025, 6, 18)  # a Wednesday, 25 weeks after the first Monday (30 Dec)
    with app.app_context():
        from careteam_therapy.models import Programme

        programme = db.session.get(Programme, made.id)
        first = progress_page(programme, today)
        assert first.newest and len(first.weeks) == 12
        assert first.weeks[0].monday == monday_of(today) and first.weeks[0].through == today
        second = progress_page(programme, today, first.older)
        assert [w.monday for w in second.weeks] == [
            first.older - timedelta(7 * n) for n in range(1, 13)
        ]
        third = progress_page(programme, today, second.older)
        assert third.weeks[-1].monday == date(2024, 12, 30) and third.older is None
        assert [w.monday for w in third.weeks] == [date(2024, 12, 30)]  # 25 weeks in all
        assert progress_page(programme, today, date(2024, 12, 30)).weeks == []
        # A Monday past this week is the first page.
        assert progress_page(programme, today, date(2026, 1, 5)).newest

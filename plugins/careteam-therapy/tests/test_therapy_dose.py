"""The dose and schedule rules (careteam_therapy.dose), at and around every edge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from careteam_therapy.dose import DOSE_LIMITS, check_task, parse_times
from hypothesis import given
from hypothesis import strategies as st

START = date(2026, 3, 2)
GOOD = {
    "kind": "exercise",
    "sets": 2,
    "reps": 10,
    "hold_seconds": None,
    "minutes": None,
    "weekdays": 0b0010101,
    "per_week": None,
    "times_per_day": 1,
    "times_of_day": "",
    "start_date": START,
    "end_date": None,
    "pain_threshold": 7,
    "fatigue_threshold": 7,
}


def errors(**changes):
    return check_task({**GOOD, **changes})


def test_a_good_task_passes():
    assert errors() == {}
    assert errors(kind="strategy", sets=None, reps=None) == {}  # a strategy needs no dose


@pytest.mark.parametrize("field", sorted(DOSE_LIMITS))
def test_each_dose_edge(field):
    low, high, _unit = DOSE_LIMITS[field]
    assert field not in errors(**{field: low}) and field not in errors(**{field: high})
    for bad in (low - 1, high + 1, 0, -5, 10**9, True, 2.5, "3"):
        assert field in errors(**{field: bad}), (field, bad)


@given(st.sampled_from(sorted(DOSE_LIMITS)), st.integers(-(10**6), 10**6))
def test_dose_range_is_exactly_the_rule(field, value):
    low, high, _unit = DOSE_LIMITS[field]
    assert (field in errors(**{field: value})) == (not low <= value <= high)


def test_an_exercise_needs_one_dose_field():
    none = dict.fromkeys(DOSE_LIMITS)
    assert "sets" in errors(**none)
    assert "sets" not in errors(kind="activity", **none)
    for field in DOSE_LIMITS:
        assert errors(**{**none, field: 5}) == {}, field


@given(st.integers(0, 127), st.one_of(st.none(), st.integers(-3, 20)))
def test_weekdays_or_per_week_not_both(weekdays, per_week):
    found = errors(weekdays=weekdays, per_week=per_week)
    if weekdays and per_week is not None:
        assert "per_week" in found
    elif not weekdays and per_week is None:
        assert "weekdays" in found
    elif per_week is not None:
        assert ("per_week" in found) == (not 1 <= per_week <= 14)
    else:
        assert found == {}


def test_weekday_masks_outside_the_week_are_refused():
    assert "weekdays" in errors(weekdays=128)
    assert "weekdays" in errors(weekdays=-1)
    assert errors(weekdays=127) == {}


@given(st.integers(-2, 8))
def test_times_a_day(times):
    assert ("times_per_day" in errors(times_per_day=times)) == (not 1 <= times <= 4)


def test_times_of_day():
    assert errors(times_per_day=2, times_of_day="09:00 18:30") == {}
    assert errors(times_per_day=2, times_of_day="09:00, 18:30") == {}
    assert "times_of_day" in errors(times_per_day=1, times_of_day="09:00 18:30")
    assert "times_of_day" in errors(times_per_day=2, times_of_day="09:00 09:00")
    for bad in ("9:00", "24:00", "12:60", "noon", "09:00:00", "0900"):
        assert "times_of_day" in errors(times_of_day=bad), bad
    assert parse_times(" 07:05,23:59 ") == ["07:05", "23:59"]


@given(st.integers(-400, 400))
def test_end_not_before_start(offset):
    found = errors(end_date=START + timedelta(days=offset))
    assert ("end_date" in found) == (offset < 0)


def test_dates_are_needed_except_for_templates():
    assert "start_date" in errors(start_date=None)
    assert check_task({**GOOD, "start_date": None}, with_dates=False) == {}


@given(st.sampled_from(["pain_threshold", "fatigue_threshold"]), st.integers(-5, 15))
def test_thresholds(field, value):
    assert (field in errors(**{field: value})) == (not 0 <= value <= 10)


def test_unknown_kind():
    assert "kind" in errors(kind="jetpack")

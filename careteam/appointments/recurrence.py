"""Wall times, time zones and RFC 5545 recurrence rules, expanded with python-dateutil.

A series is expanded in naive wall time (its DTSTART and UNTIL are wall times in the series'
zone) and each occurrence is then placed in the zone, so "every Tuesday at 10:00" is at 10:00
before and after a daylight-saving change.  A wall time that does not exist on a change day
(02:30 on the spring-forward day in Europe/Berlin) is moved forward by the gap, as RFC 5545
section 3.3.5 says; a first occurrence at such a time is refused instead.

dateutil iterates a rule until it finds a match or reaches the year 9999, so a rule that matches
nothing (31 February) would keep a request busy for seconds.  :func:`normalise_rule` therefore
only accepts rules whose first occurrence is their start and that occur again soon after,
checking this on a copy moved by whole 400-year Gregorian cycles (which keep every weekday and
leap day in place) to just before the year 9999, so even the check of a hopeless rule is short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import DAILY, WEEKLY, rrule, rrulestr

from ..refusals import Refusal

KEY_FORMAT = "%Y%m%dT%H%M"
DAY_KEY_FORMAT = "%Y%m%d"
MAX_COUNT = 1000
MAX_INTERVAL = {"DAILY": 366, "WEEKLY": 52, "MONTHLY": 24, "YEARLY": 10}
# In the order a stored rule lists them.
ALLOWED_PARTS = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST")
ALLOWED_PARTS += ("UNTIL", "COUNT")
# A series must occur at least twice within this span (or end before it).
CHECK_YEARS = 10
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_VALUE = re.compile(r"[A-Z0-9,+-]{1,200}")
_KEY = re.compile(r"\d{8}(T\d{4})?")
_GREGORIAN_CYCLE_YEARS = 400  # whole cycles keep every weekday and leap day in place
_CHECK_SPAN = timedelta(days=366 * CHECK_YEARS)


class RecurrenceError(Refusal):
    """A time, zone or rule that cannot be used."""


# --- zones and wall times --------------------------------------------------------------------


def get_zone(name: str | None) -> ZoneInfo:
    """Return the IANA zone ``name`` or refuse it."""
    try:
        if not name or "\x00" in name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise RecurrenceError("Choose a time zone from the list.", "time_zone") from error


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Place a wall time in ``zone``; a time inside a spring-forward gap moves on by the gap."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    """Return the naive wall time of an aware instant in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def wall_time_exists(local: datetime, zone: ZoneInfo) -> bool:
    """Return False for wall times skipped by a daylight-saving change."""
    return to_local(to_utc(local, zone), zone) == local


def occurrence_key(local: datetime, all_day: bool) -> str:
    """Return the URL form of an occurrence's original start (e.g. ``20260310T1000``)."""
    # Formatted by hand: strftime was a visible share of a month page.  Same text as
    # DAY_KEY_FORMAT and KEY_FORMAT for every year the calendar allows (four digits).
    day = f"{local.year:04d}{local.month:02d}{local.day:02d}"
    return day if all_day else f"{day}T{local.hour:02d}{local.minute:02d}"


def parse_occurrence_key(text: str, all_day: bool) -> datetime | None:
    """Parse :func:`occurrence_key` output; None for anything else."""
    if not _KEY.fullmatch(text or "") or ("T" in text) == all_day:
        return None
    try:
        return datetime.strptime(text, DAY_KEY_FORMAT if all_day else KEY_FORMAT)
    except ValueError:
        return None


# --- the friendly builder --------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """What the form's recurrence builder asks for."""

    repeat: str = "none"  # none | daily | weekly | monthly | custom
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    nth: int = 1  # 1..4, or -1 for "last"
    weekday: str = "MO"
    ends: str = "never"  # never | until | count
    until: date | None = None
    count: int | None = None


def nth_weekday_of(day: date) -> tuple[int, str]:
    """Return (n, weekday) such that ``day`` is the n-th such weekday of its month (4 max)."""
    return min((day.day - 1) // 7 + 1, 4), WEEKDAYS[day.weekday()]


def build_rule(spec: RuleSpec, start: date) -> str:
    """Turn the builder's choices into an RRULE value ("" for no repetition)."""
    if spec.repeat == "none":
        return ""
    parts = []
    if spec.repeat == "daily":
        parts.append("FREQ=DAILY")
    elif spec.repeat == "weekly":
        days = spec.weekdays or (WEEKDAYS[start.weekday()],)
        parts += ["FREQ=WEEKLY", "BYDAY=" + ",".join(d for d in WEEKDAYS if d in days)]
    elif spec.repeat == "monthly":
        parts += ["FREQ=MONTHLY", f"BYDAY={spec.nth}{spec.weekday}"]
    else:
        raise RecurrenceError("Choose how the appointment repeats.", "repeat")
    if spec.interval and spec.interval > 1:
        parts.insert(1, f"INTERVAL={spec.interval}")
    if spec.ends == "until" and spec.until is not None:
        parts.append(f"UNTIL={spec.until:%Y%m%d}")
    elif spec.ends == "count" and spec.count:
        parts.append(f"COUNT={spec.count}")
    return ";".join(parts)


def spec_from_rule(rule_text: str) -> RuleSpec | None:
    """Return the builder choices that produce ``rule_text``, or None if it needs the raw field."""
    if not rule_text:
        return RuleSpec()
    parts = dict(p.split("=", 1) for p in rule_text.split(";"))
    freq, byday = parts.pop("FREQ", ""), parts.pop("BYDAY", "")
    interval = int(parts.pop("INTERVAL", "1"))
    ends, until, count = "never", None, None
    if "UNTIL" in parts:
        ends, until = "until", datetime.strptime(parts.pop("UNTIL")[:8], "%Y%m%d").date()
    elif "COUNT" in parts:
        ends, count = "count", int(parts.pop("COUNT"))
    if parts:
        return None
    common = {"interval": interval, "ends": ends, "until": until, "count": count}
    if freq == "DAILY" and not byday:
        return RuleSpec(repeat="daily", **common)
    if freq == "WEEKLY" and byday and all(d in WEEKDAYS for d in byday.split(",")):
        return RuleSpec(repeat="weekly", weekdays=tuple(byday.split(",")), **common)
    match = re.fullmatch(r"(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)", byday)
    if freq == "MONTHLY" and match:
        return RuleSpec(repeat="monthly", nth=int(match[1]), weekday=match[2], **common)
    return None


# --- checking hand-written rules -------------------------------------------------------------


def _parse_until(value: str, zone: ZoneInfo, all_day: bool) -> str:
    """Return UNTIL as a wall time in the series' zone (all-day series: a date)."""
    try:
        if re.fullmatch(r"\d{8}T\d{6}Z", value):
            instant = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            local = to_local(instant, zone)
        elif re.fullmatch(r"\d{8}T\d{6}", value):
            local = datetime.strptime(value, "%Y%m%dT%H%M%S")
        elif re.fullmatch(r"\d{8}", value):
            local = datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)
        else:
            raise ValueError(value)
    except (ValueError, OverflowError) as error:
        raise RecurrenceError("UNTIL must be a date such as 20261231.", "rrule") from error
    return f"{local:%Y%m%d}" if all_day else f"{local:%Y%m%dT%H%M%S}"


def _split_rule(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        value = value.strip().upper()
        if not sep or not name or not _VALUE.fullmatch(value):
            raise RecurrenceError(
                "Write the rule as NAME=VALUE pairs separated by semicolons, "
                "e.g. FREQ=WEEKLY;BYDAY=TU,TH.",
                "rrule",
            )
        if name not in ALLOWED_PARTS:
            raise RecurrenceError(
                f"{name} is not supported here. Use {', '.join(ALLOWED_PARTS)}.", "rrule"
            )
        if name in parts:
            raise RecurrenceError(f"{name} appears twice in the rule.", "rrule")
        parts[name] = value
    return parts


def _check_numbers(parts: dict[str, str]) -> None:
    freq = parts.get("FREQ")
    if freq not in MAX_INTERVAL:
        raise RecurrenceError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.", "rrule")
    if "UNTIL" in parts and "COUNT" in parts:
        raise RecurrenceError("Use either UNTIL or COUNT, not both.", "rrule")
    for name, limit in (("COUNT", MAX_COUNT), ("INTERVAL", MAX_INTERVAL[freq])):
        if name in parts:
            value = parts[name]
            if not value.isdigit() or not 1 <= int(value) <= limit:
                raise RecurrenceError(f"{name} must be a whole number from 1 to {limit}.", "rrule")


def _cycle_shift(local: datetime) -> int:
    """Years to add so a check window of CHECK_YEARS ends just before dateutil's year 9999."""
    cycles = (9998 - CHECK_YEARS - local.year) // _GREGORIAN_CYCLE_YEARS
    return max(cycles, 0) * _GREGORIAN_CYCLE_YEARS


def _shift(local: datetime, years: int) -> datetime:
    # Only ever by whole Gregorian cycles, so 29 February stays a real date.
    return local.replace(year=local.year + years)


def normalise_rule(text: str, start_local: datetime, zone: ZoneInfo, all_day: bool) -> str:
    """Check an RRULE value for a series starting at ``start_local``; return its stored form.

    Refuses (with :class:`RecurrenceError` on field "rrule" or "start_date") anything malformed,
    rules that do not start on the start date, and rules that hardly ever occur.
    """
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:].strip()
    if not text:
        return ""
    if len(text) > 500 or any(ch in text for ch in "\r\n\x00"):
        raise RecurrenceError("The rule must be one short line.", "rrule")
    parts = _split_rule(text.rstrip(";"))
    _check_numbers(parts)
    if "UNTIL" in parts:
        parts["UNTIL"] = _parse_until(parts["UNTIL"], zone, all_day)
    ordered = ["FREQ", *[p for p in ALLOWED_PARTS if p != "FREQ" and p in parts]]
    normal = ";".join(f"{name}={parts[name]}" for name in ordered)
    try:
        rule = rrulestr(normal, dtstart=start_local)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise RecurrenceError(
            "This rule is not valid RFC 5545, e.g. FREQ=MONTHLY;BYDAY=2TU.", "rrule"
        ) from error
    if not isinstance(rule, rrule):
        raise RecurrenceError("Give a single rule.", "rrule")
    if rule._until is not None and rule._until < start_local:
        raise RecurrenceError("UNTIL is before the first occurrence.", "rrule")
    _check_occurrences(rule, start_local)
    return normal


def _check_occurrences(rule: rrule, start_local: datetime) -> None:
    years = _cycle_shift(start_local)
    probe_start = _shift(start_local, years)
    probe = rule.replace(dtstart=probe_start, until=None, count=None)
    horizon = probe_start + _CHECK_SPAN
    found: list[datetime] = []
    for occurrence in probe:  # ends at the year 9999 at the latest: at most ~400 years away
        if occurrence > horizon or len(found) == 2:
            break
        found.append(occurrence)
    if not found or found[0] != probe_start:
        raise RecurrenceError(
            "The start date must be one of the days the appointment repeats on "
            "(the first occurrence is the start).",
            "start_date",
        )
    ends_soon = rule._count == 1 or (
        rule._until is not None and rule._until < start_local + _CHECK_SPAN
    )
    if len(found) < 2 and not ends_soon:
        raise RecurrenceError(f"This rule repeats less than once in {CHECK_YEARS} years.", "rrule")


# --- expansion -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def rule_for(rule_text: str, start_local: datetime) -> rrule:
    """Return the dateutil rule of a stored (already checked) RRULE value.

    Parsed once per process: a month page expands every series of the circle, and parsing was
    a third of its time.  dateutil rules are not changed by iterating them (and ``replace``
    makes a new one), so sharing them is safe.
    """
    return rrulestr(rule_text, dtstart=start_local)  # type: ignore[return-value]


def starts_between(
    rule_text: str, start_local: datetime, low: datetime, high: datetime
) -> list[datetime]:
    """Return the series' original wall-time starts within [low, high] (naive, inclusive)."""
    if not rule_text:
        return [start_local] if low <= start_local <= high else []
    rule = rule_for(rule_text, start_local)
    simple = _simple_starts(rule, start_local, low, high)
    if simple is not None:
        return simple
    later = _fast_forward_start(rule, start_local, low)
    if later != start_local:
        rule = rule_for(rule_text, later)  # cached too: the next page view asks the same
    return rule.between(low, high, inc=True)


# Rules whose occurrences repeat every whole period of this many days (times INTERVAL).
_PERIOD_DAYS = {DAILY: 1, WEEKLY: 7}


def _simple_starts(
    rule: rrule, start_local: datetime, low: datetime, high: datetime
) -> list[datetime] | None:
    """Return the starts in [low, high] of a plain daily or weekly rule by arithmetic, or None.

    Most series are "every week" or "every other Tuesday and Thursday"; dateutil's general
    iterator costs tens of microseconds per series per page even for those, which a month grid
    with hundreds of series feels.  Plain means: DAILY or WEEKLY, any INTERVAL, UNTIL and BYDAY
    (without ordinals), no COUNT and no other BY part.  Everything else goes to dateutil, and
    tests check that both agree.
    """
    days = _PERIOD_DAYS.get(rule._freq)
    if days is None or rule._count is not None or set(rule._original_rule) - {"byweekday"}:
        return None
    if rule._bynweekday:
        return None
    weekdays = set(rule._byweekday) if rule._byweekday else {start_local.weekday()}
    if rule._freq == DAILY and not rule._original_rule:
        weekdays = set(range(7))
    end = high if rule._until is None else min(high, rule._until)
    first = max(low, start_local)
    if first > end:
        return []
    step = timedelta(days=days * rule._interval)
    # The period holding start_local begins on its own day (daily) or on its week's WKST day.
    lead = (start_local.weekday() - rule._wkst) % 7 if rule._freq == WEEKLY else 0
    period_start = start_local - timedelta(days=lead)
    skipped = max((first - period_start) // step - 1, 0)
    period_start += step * skipped
    # Days into each period on which it may occur: a weekly one on each BYDAY, a daily one on
    # its first and only day (then kept only on a BYDAY weekday).
    offsets = sorted((w - rule._wkst) % 7 for w in weekdays) if rule._freq == WEEKLY else [0]
    found = []
    while period_start <= end:
        for offset in offsets:
            candidate = period_start + timedelta(days=offset)
            if candidate.weekday() in weekdays and first <= candidate <= end:
                found.append(candidate)
        period_start += step
    return found


def _fast_forward_start(rule: rrule, start_local: datetime, low: datetime) -> datetime:
    """Return a start a whole number of periods after ``start_local``, shortly before ``low``.

    dateutil walks every occurrence from the start to reach a window: a weekly series two years
    old costs a hundred steps per series per page.  A daily or weekly rule without COUNT has the
    same occurrences in every period of INTERVAL days or weeks, so the rule started whole periods
    later (still a period before ``low``, to be safe) yields the same ones from there on.
    Rules with COUNT, and monthly or yearly rules (months differ in length), keep their start.
    """
    days = _PERIOD_DAYS.get(rule._freq)
    if days is None or rule._count is not None or low <= start_local:
        return start_local
    step = timedelta(days=days * rule._interval)
    periods = (low - start_local) // step - 1
    return start_local + step * periods if periods >= 1 else start_local


def is_occurrence(rule_text: str, start_local: datetime, candidate: datetime) -> bool:
    """Return whether ``candidate`` is an original start of the series."""
    return candidate in starts_between(rule_text, start_local, candidate, candidate)


def last_start(rule_text: str, start_local: datetime) -> datetime | None:
    """Return the last original start of a finite series, or None if it never ends."""
    if not rule_text:
        return start_local
    rule = rule_for(rule_text, start_local)
    if rule._count is None and rule._until is None:
        return None
    if rule._until is not None:
        return rule.before(rule._until, inc=True) or start_local
    return list(rule)[-1]


def local_window(start: datetime, end: datetime, zone: ZoneInfo, slack: timedelta) -> tuple:
    """Return naive wall-time bounds covering [start, end) in ``zone``, widened by ``slack``."""
    # Offsets differ by at most a day from UTC, and an occurrence that starts before the window
    # can still overlap it by its own length: widen both ends rather than miss one.
    return to_local(start, zone) - slack - timedelta(days=1), to_local(end, zone) + timedelta(
        days=1
    )

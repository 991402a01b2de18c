"""Seeder phase: therapy programmes, in bulk.

A third of the circles (the busy one always) get a programme of 3 to 8 tasks, changed once half
way (version 2 keeps every task's key), with 12 weeks of logs up to yesterday as the plugin
writes them: one per due time, each pointing at the task row of the version in force that day,
most done, some partly or skipped, a few with a pain or fatigue rating over the threshold (an
alert).  Some programmes were paused for a few days (and their paused days have no logs).  One
therapist follows the programmes of 40 circles (joining those circles where needed), for the
overview scenario.  The manifest's ``"therapy"`` names the busy circle's programme
(``busy_programme``, for the progress scenario) and that therapist (``therapist_email``).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from careteam.audit import AuditEvent
from careteam.circles.models import Membership
from careteam.db.types import new_public_id

from .seed_world import Batches, CircleInfo, World

WEEKS = 12
THERAPIST_CIRCLES = 40
LOGGERS = ("coordinator", "family", "caregiver", "care_recipient")
# (title, kind, sets, reps, hold, minutes, keep during a flare-up)
TASKS = (
    ("Sit to stand", "exercise", 2, 8, None, None, False),
    ("Seated marching", "exercise", 2, 20, None, None, True),
    ("Standing balance at the counter", "exercise", 3, None, 30, None, False),
    ("Ankle stretch with a strap", "exercise", 3, None, 30, None, True),
    ("Heel raises", "exercise", 2, 10, None, None, False),
    ("Rollator walk", "activity", None, None, None, 15, False),
    ("Bridging", "exercise", 2, 10, None, None, False),
    ("Planned rests", "strategy", None, None, None, 20, True),
    ("Cooling before exercise", "strategy", None, None, None, 10, True),
)
EVERY_DAY = 0b1111111


def seed_therapy(world: World) -> dict[str, int]:
    from careteam_therapy.models import Alert, Log, Pause, Programme, Task, Version

    tables = [t.__table__ for t in (Programme, Version, Task, Pause, Log, Alert)]
    batches = Batches(world, [Membership.__table__, *tables, AuditEvent.__table__], Log.__table__)
    rng = world.rng
    chosen = [world.busy] + [c for c in world.circles[1:] if rng.random() < 1 / 3]
    therapist = _bench_therapist(world)
    world.progress.phase("therapy", len(chosen))
    made = {"therapy_programmes": 0, "therapy_logs": 0}
    for index, circle in enumerate(chosen):
        if index < THERAPIST_CIRCLES and therapist is not None:
            _join(world, batches, circle, therapist)
            prescriber = therapist
        else:
            found = circle.first("therapist")
            prescriber = found.user_id if found else None
        made["therapy_logs"] += _programme(world, batches, circle, prescriber)
        made["therapy_programmes"] += 1
        world.progress.advance()
    batches.flush()
    world.progress.end_phase()
    if therapist is not None:
        world.manifest_extra.setdefault("therapy", {})["therapist_email"] = world.users[therapist][
            "email"
        ]
    return made


def _bench_therapist(world: World) -> int | None:
    """The busy circle's therapist (else any circle's): the overview scenario signs in as them."""
    for circle in world.circles:
        found = circle.first("therapist")
        if found is not None:
            return found.user_id
    return None


def _join(world: World, batches: Batches, circle: CircleInfo, user_id: int) -> None:
    if any(m.user_id == user_id for m in circle.members):
        return
    from .seed_world import Member

    member = Member(world.new_id(Membership.__table__), user_id, "therapist")
    batches.add(
        Membership.__table__,
        {"id": member.membership_id, "public_id": new_public_id(), "circle_id": circle.id,
         "user_id": user_id, "role": "therapist", "joined_at": circle.created_at},
    )  # fmt: skip
    circle.members.append(member)


def _programme(world: World, batches: Batches, circle: CircleInfo, therapist: int | None) -> int:
    from careteam_therapy.models import Programme, Version

    rng = world.rng
    today = world.now.date()
    start = today - timedelta(weeks=WEEKS)
    changed = start + timedelta(weeks=WEEKS // 2)
    created = datetime.combine(start, time(10), tzinfo=world.now.tzinfo)
    programme_id = world.new_id(Programme.__table__)
    public_id = new_public_id()
    if circle is world.busy:
        world.manifest_extra.setdefault("therapy", {})["busy_programme"] = public_id
    batches.add(
        Programme.__table__,
        {"id": programme_id, "public_id": public_id, "circle_id": circle.id,
         "title": "Home programme", "therapist_id": therapist, "created_at": created,
         "current_version": 2, "archived_at": None, "archived_by_id": None},
    )  # fmt: skip
    picked = rng.sample(TASKS, rng.randint(3, 8))
    specs = [_spec(rng, entry) for entry in picked]
    keys = [new_public_id() for _ in specs]
    versions = []
    for number, effective in ((1, start), (2, changed)):
        version_id = world.new_id(Version.__table__)
        batches.add(
            Version.__table__,
            {"id": version_id, "programme_id": programme_id, "number": number,
             "effective_from": effective, "created_at": created + timedelta(days=7 * (number - 1)),
             "created_by_id": therapist, "change_note": "" if number == 1 else "More repetitions"},
        )  # fmt: skip
        rows = [
            _task(world, batches, circle, programme_id, version_id, position, key, spec, start,
                  extra=number - 1)
            for position, (key, spec) in enumerate(zip(keys, specs, strict=True))
        ]  # fmt: skip
        versions.append((effective, rows))
    pause = _pause(world, batches, circle, programme_id, start, today)
    return _logs(world, batches, circle, programme_id, versions, start, today, pause)


def _spec(rng: Any, entry: tuple) -> dict[str, Any]:
    title, kind, sets, reps, hold, minutes, keep = entry
    per_week = rng.choice([None, None, 3, 5])
    return {
        "title": title, "kind": kind, "sets": sets, "reps": reps, "hold_seconds": hold,
        "minutes": minutes, "keep_in_flare": keep, "per_week": per_week,
        "weekdays": 0 if per_week else rng.choice([EVERY_DAY, 0b0010101, 0b1011011]),
        "times_per_day": rng.choice([1, 1, 1, 2]),
    }  # fmt: skip


def _task(world, batches, circle, programme_id, version_id, position, key, spec, start, extra):
    from careteam_therapy.models import Task

    row = {
        "id": world.new_id(Task.__table__), "public_id": new_public_id(), "key": key,
        "version_id": version_id, "programme_id": programme_id, "circle_id": circle.id,
        "position": position, "instructions": "", "drawing": "", "source": "",
        "times_of_day": "", "start_date": start, "end_date": None, "precautions": "",
        "pain_threshold": 7, "fatigue_threshold": 7, **spec,
    }  # fmt: skip
    if extra and row["reps"]:
        row["reps"] += 2  # version 2 asks a little more
    batches.add(Task.__table__, row)
    return row


def _pause(world, batches, circle, programme_id, start, today) -> tuple[date, date] | None:
    from careteam_therapy.models import Alert, Pause

    rng = world.rng
    if rng.random() > 0.3:
        return None
    first = start + timedelta(days=rng.randint(7, WEEKS * 7 - 10))
    last = first + timedelta(days=rng.randint(2, 5))
    pause_id = world.new_id(Pause.__table__)
    logger = rng.choice(circle.with_roles(LOGGERS) or circle.members)
    batches.add(
        Pause.__table__,
        {"id": pause_id, "public_id": new_public_id(), "circle_id": circle.id,
         "programme_id": programme_id, "start_date": first, "end_date": last,
         "note": "Flare-up, resting.", "created_at": world.now - (today - first),
         "created_by_id": logger.user_id, "resumed_at": None, "resumed_by_id": None},
    )  # fmt: skip
    batches.add(
        Alert.__table__,
        {"public_id": new_public_id(), "circle_id": circle.id, "programme_id": programme_id,
         "kind": "pause", "log_id": None, "pause_id": pause_id, "value": None,
         "raised_at": world.now - (today - first), "seen_at": world.now, "seen_by_id": None},
    )  # fmt: skip
    return first, last


def _logs(world, batches, circle, programme_id, versions, start, today, pause) -> int:
    from careteam_therapy.models import Alert, Log

    rng = world.rng
    loggers = circle.with_roles(LOGGERS) or circle.members
    count = 0
    day = start
    while day < today:
        tasks = versions[1][1] if day >= versions[1][0] else versions[0][1]
        paused = pause is not None and pause[0] <= day <= pause[1]
        for task in tasks:
            if paused and not task["keep_in_flare"]:
                continue
            due = task["times_per_day"] if (
                task["per_week"] or task["weekdays"] & (1 << day.weekday())
            ) else 0  # fmt: skip
            for slot in range(1, due + 1):
                if task["per_week"] and rng.random() > task["per_week"] / 7:
                    continue
                if rng.random() < 0.15:
                    continue  # not logged at all
                roll = rng.random()
                status = "done" if roll < 0.8 else "partly" if roll < 0.92 else "skipped"
                fatigue = rng.choice([None, 2, 3, 4, 5, 8]) if status != "skipped" else None
                log_id = world.new_id(Log.__table__)
                when = datetime.combine(day, time(18), tzinfo=world.now.tzinfo)
                batches.add(
                    Log.__table__,
                    {"id": log_id, "public_id": new_public_id(), "circle_id": circle.id,
                     "programme_id": programme_id, "task_id": task["id"],
                     "task_key": task["key"], "day": day, "slot": slot, "status": status,
                     "sets": None, "reps": None, "minutes": None, "effort": None,
                     "pain": None, "fatigue": fatigue,
                     "reason": "" if status == "done" else "Too tired",
                     "comment": "", "token": secrets.token_urlsafe(32), "logged_at": when,
                     "logged_by_id": rng.choice(loggers).user_id},
                )  # fmt: skip
                if fatigue is not None and fatigue >= task["fatigue_threshold"]:
                    batches.add(
                        Alert.__table__,
                        {"public_id": new_public_id(), "circle_id": circle.id,
                         "programme_id": programme_id, "kind": "fatigue", "log_id": log_id,
                         "pause_id": None, "value": fatigue, "raised_at": when,
                         "seen_at": when + timedelta(days=1) if day < today - timedelta(days=7)
                         else None, "seen_by_id": None},
                    )  # fmt: skip
                count += 1
        day += timedelta(days=1)
    return count

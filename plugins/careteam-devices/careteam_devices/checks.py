"""Running checks (with a copy of the checklist as it stood) and each device's history."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from careteam.api import (
    Circle,
    db,
    display_names,
    lock_circle,
    record_audit,
    require,
    utcnow,
)

from .inventory import DeviceError, checklist_of, items_of
from .journal import post_journal_note
from .models import Check, CheckItem, Device, Problem

RESULTS = ("ok", "attention")
HISTORY_PAGE = 20


class StaleCheck(DeviceError):
    """The form was older than the check: someone saved it meanwhile."""


@dataclass(frozen=True)
class Answer:
    result: str  # "ok", "attention" or "" (not answered yet)
    comment: str = ""


def new_start_token() -> str:
    return secrets.token_urlsafe(32)


def running_check(device: Device) -> Check | None:
    """Return the device's unfinished check, if one was saved part-way."""
    return db.session.scalar(
        select(Check)
        .where(Check.device_id == device.id, Check.finished_at.is_(None))
        .order_by(Check.id.desc())
        .limit(1)
    )


def get_check(device: Device, public_id: str) -> Check | None:
    return db.session.scalar(
        select(Check).where(Check.device_id == device.id, Check.public_id == public_id)
    )


def check_items(check: Check) -> list[CheckItem]:
    return list(
        db.session.scalars(
            select(CheckItem).where(CheckItem.check_id == check.id).order_by(CheckItem.position)
        )
    )


def start_check(device: Device, membership: Any, token: str) -> Check:
    """Start a check, copying the checklist as it is now; the same token starts it once."""
    require(membership, "devices.check")
    if device.retired_at is not None:
        raise DeviceError("This device is retired: bring it back before checking it.")
    # Two people pressing "Start" at once on PostgreSQL must not both find no running check
    # and start two (SQLite's BEGIN IMMEDIATE already queues them).
    lock_circle(device.circle_id)
    existing = db.session.scalar(
        select(Check).where(Check.device_id == device.id, Check.start_token == token)
    )
    if existing is not None:
        return existing  # the second click of a double click
    running = running_check(device)
    if running is not None:
        return running  # finish the one already under way rather than start another
    template = checklist_of(device)
    items = items_of(template) if template is not None else []
    try:
        with db.session.begin_nested():
            check = Check(
                circle_id=device.circle_id,
                device_id=device.id,
                start_token=token,
                started_by_id=membership.user_id,
            )
            db.session.add(check)
            db.session.flush()
    except IntegrityError:  # the same token raced in from another request
        return db.session.scalar(
            select(Check).where(Check.device_id == device.id, Check.start_token == token)
        )
    for item in items:
        db.session.add(
            CheckItem(
                check_id=check.id,
                device_id=device.id,
                item_public_id=item.public_id,
                position=item.position,
                text=item.text,
                guidance=item.guidance,
                frequency=item.frequency,
            )
        )
    _audit("devices.check_started", device, check, membership)
    return check


def save_check(
    check: Check,
    device: Device,
    membership: Any,
    answers: dict[str, Answer],
    *,
    version: int,
    finish: bool,
    post_note: bool = False,
) -> list[Problem]:
    """Save the answers given so far (one transaction); return the problems opened now."""
    require(membership, "devices.check")
    if check.finished_at is not None:
        return []  # finished already: a second submit of the same form changes nothing
    # The version check is in the UPDATE, so two people saving the same form cannot both win.
    bumped = db.session.execute(
        update(Check)
        .where(Check.id == check.id, Check.version == version, Check.finished_at.is_(None))
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if bumped != 1:
        db.session.refresh(check)
        if _already_saved(check, answers, finish):
            return []  # the second click of a double click: these answers are in already
        raise StaleCheck("Someone saved this check meanwhile. Here it is as it stands now.")
    now = utcnow()
    opened = []
    items = {i.item_public_id: i for i in check_items(check)}
    problems = {
        p.check_item_id: p
        for p in db.session.scalars(
            select(Problem).where(Problem.check_item_id.in_([i.id for i in items.values()]))
        )
    }
    for key, answer in answers.items():
        item = items.get(key)
        if item is None or answer.result not in ("", *RESULTS):
            raise DeviceError("This check changed meanwhile. Reload it and try again.")
        changed = (item.result, item.comment) != (answer.result, answer.comment)
        if not changed:
            continue
        item.result, item.comment = answer.result, answer.comment
        item.answered_at = now if answer.result else None
        item.answered_by_id = membership.user_id if answer.result else None
        problem = problems.get(item.id)
        if answer.result == "attention" and problem is None:
            problem = Problem(
                circle_id=device.circle_id,
                device_id=device.id,
                check_item_id=item.id,
                opened_by_id=membership.user_id,
            )
            db.session.add(problem)
            opened.append(problem)
        elif answer.result != "attention" and problem is not None and problem.resolved_at is None:
            # Changed to OK before the check was finished: it was a slip, not a problem.
            db.session.delete(problem)
    if finish:
        unanswered = [i.text for i in items.values() if not i.result]
        if unanswered:
            raise DeviceError(
                f"Answer every item before finishing ({len(unanswered)} left), or save and "
                "finish later.",
                "answers",
            )
        check.finished_at = now
        check.finished_by_id = membership.user_id
        _audit("devices.check_finished", device, check, membership)
        if post_note:
            post_journal_note(check, device, membership, list(items.values()))
    else:
        _audit("devices.check_saved", device, check, membership)
    db.session.flush()
    return opened


def _already_saved(check: Check, answers: dict[str, Answer], finish: bool) -> bool:
    """Return whether a refused save only repeats what the check holds already."""
    if finish and check.finished_at is None:
        return False
    stored = {i.item_public_id: (i.result, i.comment) for i in check_items(check)}
    return all(stored.get(key) == (a.result, a.comment) for key, a in answers.items())


# --- history -------------------------------------------------------------------------------


def history_page(device: Device, before: str | None = None) -> tuple[list[dict], str | None]:
    """Return a page of the device's checks, newest first, with their answers (keyset)."""
    stmt = select(Check).where(Check.device_id == device.id).order_by(Check.id.desc())
    if before:
        boundary = (
            select(Check.id)
            .where(Check.device_id == device.id, Check.public_id == before)
            .scalar_subquery()
        )
        stmt = stmt.where(Check.id < boundary)
    checks = list(db.session.scalars(stmt.limit(HISTORY_PAGE + 1)))
    more = len(checks) > HISTORY_PAGE
    checks = checks[:HISTORY_PAGE]
    answers = _answers_by_check([c.id for c in checks])
    problems = _problems_by_item([a.id for rows in answers.values() for a in rows])
    people = display_names(
        [c.started_by_id for c in checks]
        + [c.finished_by_id for c in checks]
        + [a.answered_by_id for rows in answers.values() for a in rows]
        + [p.resolved_by_id for p in problems.values()]
    )
    page = [
        {
            "check": c,
            "started_by": people.get(c.started_by_id or 0, "A former member"),
            "finished_by": people.get(c.finished_by_id or 0, ""),
            "items": answers.get(c.id, []),
            "problems": problems,
            "people": people,
        }
        for c in checks
    ]
    return page, (checks[-1].public_id if more and checks else None)


def _answers_by_check(check_ids: list[int]) -> dict[int, list[CheckItem]]:
    found: dict[int, list[CheckItem]] = {}
    if not check_ids:
        return found
    rows = db.session.scalars(
        select(CheckItem)
        .where(CheckItem.check_id.in_(check_ids))
        .order_by(CheckItem.check_id, CheckItem.position)
    )
    for row in rows:
        found.setdefault(row.check_id, []).append(row)
    return found


def _problems_by_item(check_item_ids: list[int]) -> dict[int, Problem]:
    if not check_item_ids:
        return {}
    rows = db.session.scalars(select(Problem).where(Problem.check_item_id.in_(check_item_ids)))
    return {p.check_item_id: p for p in rows}


def all_history(device: Device) -> list[tuple[Check, CheckItem]]:
    """Every answer ever given for the device, oldest first (for the CSV download)."""
    rows = db.session.execute(
        select(Check, CheckItem)
        .join(CheckItem, CheckItem.check_id == Check.id)
        .where(Check.device_id == device.id)
        .order_by(Check.id, CheckItem.position)
    )
    return [(check, item) for check, item in rows]


def last_done(device_ids: list[int]) -> dict[tuple[int, str], Any]:
    """Return {(device id, item public id): last answered instant} in one query."""
    if not device_ids:
        return {}
    rows = db.session.execute(
        select(CheckItem.device_id, CheckItem.item_public_id, func.max(CheckItem.answered_at))
        .where(CheckItem.device_id.in_(device_ids), CheckItem.answered_at.is_not(None))
        .group_by(CheckItem.device_id, CheckItem.item_public_id)
    )
    return {(d, i): when for d, i, when in rows}


def _audit(action: str, device: Device, check: Check, membership: Any) -> None:
    circle = db.session.get(Circle, device.circle_id)
    record_audit(
        action,
        circle,
        object_type="device_check",
        object_id=check.public_id,
        actor_id=membership.user_id,
        details={"device": device.public_id},
    )

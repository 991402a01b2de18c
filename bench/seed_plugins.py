"""Seeder phase: data of the installed first-party plugins (devices, hello, therapy), in bulk.

Devices: a few per circle, each with its own checklist copied from the one the plugin ships for
its kind (as ``inventory.add_device`` does), and some finished checks whose items copy the
checklist (as ``checks.start_check``/``save_check`` do); a "needs attention" answer opens a
problem, most of them resolved since.  Hello: some kind words per circle, and the counter of
"everyone" notes its ``careteam_note_created`` hook would have kept.  Therapy: see
:mod:`.seed_therapy`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from careteam.audit import AuditEvent
from careteam.db.types import new_public_id

from . import corpus
from .seed_notes import NoteInfo
from .seed_people import audit_row
from .seed_world import Batches, CircleInfo, World

DEVICE_MANAGERS = ("coordinator", "therapist", "care_recipient")
CHECKERS = ("coordinator", "family", "caregiver", "therapist", "care_recipient")


def seed_plugin_data(world: World, notes: list[NoteInfo]) -> dict[str, int]:
    """Fill the tables of every installed plugin we know; return their row counts."""
    counts: dict[str, int] = {}
    if "devices" in world.plugins:
        counts.update(_seed_devices(world))
    if "hello" in world.plugins:
        counts.update(_seed_hello(world, notes))
    if "therapy" in world.plugins:
        from .seed_therapy import seed_therapy

        counts.update(seed_therapy(world))
    return counts


def _seed_devices(world: World) -> dict[str, int]:
    from careteam_devices.catalog import CHECKLISTS, KIND_LABELS
    from careteam_devices.models import Check, CheckItem, Device, Problem, Template, TemplateItem

    tables = [t.__table__ for t in (Device, Template, TemplateItem, Check, CheckItem, Problem)]
    batches = Batches(world, [*tables, AuditEvent.__table__], Device.__table__)
    rng = world.rng
    kinds = [k for k in CHECKLISTS if k != "other"]
    world.progress.phase("devices", len(world.circles))
    made = {"devices": 0, "device_checks": 0}
    for circle in world.circles:
        managers = circle.with_roles(DEVICE_MANAGERS)
        checkers = circle.with_roles(CHECKERS)
        owner = circle.first("care_recipient") or managers[0]
        first_name = world.users[owner.user_id]["display_name"].split()[0]
        for kind in rng.sample(kinds, rng.randint(1, 4)):
            manager = rng.choice(managers)
            added = circle.created_at + timedelta(days=rng.randint(1, 120))
            device = {
                "id": world.new_id(Device.__table__),
                "public_id": new_public_id(),
                "circle_id": circle.id,
                "kind": str(kind),
                "name": f"{first_name}'s {KIND_LABELS[kind].lower()}",
                "make_model": "",
                "size_settings": "",
                "acquired_on": added.date(),
                "fitted_by": "",
                "supplier_contact": "",
                "notes": "",
                "created_at": added,
                "created_by_id": manager.user_id,
                "updated_at": added,
                "retired_at": None,
                "retired_reason": "",
            }
            batches.add(Device.__table__, device)
            template_id = world.new_id(Template.__table__)
            batches.add(
                Template.__table__,
                {"id": template_id, "public_id": new_public_id(), "circle_id": circle.id,
                 "device_id": device["id"], "name": device["name"], "kind": str(kind),
                 "copied_from": f"shipped:{kind}", "updated_at": added,
                 "updated_by_id": manager.user_id},
            )  # fmt: skip
            items = []
            for position, shipped in enumerate(CHECKLISTS[kind]):
                item = {
                    "id": world.new_id(TemplateItem.__table__),
                    "public_id": new_public_id(),
                    "template_id": template_id,
                    "position": position,
                    "text": shipped.text,
                    "guidance": shipped.guidance,
                    "frequency": shipped.frequency.value,
                    "active": True,
                    "created_at": added,
                }
                items.append(item)
                batches.add(TemplateItem.__table__, item)
            _audit(world, batches, "devices.device_added", circle, added, manager.user_id,
                   "device", device["public_id"])  # fmt: skip
            for _ in range(rng.randint(0, 3)):
                made["device_checks"] += 1
                _add_check(world, batches, circle, device, items, rng.choice(checkers))
            made["devices"] += 1
        world.progress.advance()
    batches.flush()
    world.progress.end_phase()
    return made


def _add_check(world, batches, circle: CircleInfo, device, items, checker) -> None:
    from careteam_devices.models import Check, CheckItem, Problem

    rng = world.rng
    started = world.now - timedelta(days=rng.uniform(1, 200))
    finished = started + timedelta(minutes=rng.randint(3, 20))
    check_id = world.new_id(Check.__table__)
    public_id = new_public_id()
    batches.add(
        Check.__table__,
        {"id": check_id, "public_id": public_id, "circle_id": circle.id,
         "device_id": device["id"], "start_token": secrets.token_urlsafe(32),
         "started_at": started, "started_by_id": checker.user_id, "finished_at": finished,
         "finished_by_id": checker.user_id, "version": 2, "journal_note_id": ""},
    )  # fmt: skip
    for item in items:
        attention = rng.random() < 0.05
        check_item_id = world.new_id(CheckItem.__table__)
        batches.add(
            CheckItem.__table__,
            {"id": check_item_id, "check_id": check_id, "device_id": device["id"],
             "item_public_id": item["public_id"], "position": item["position"],
             "text": item["text"], "guidance": item["guidance"],
             "frequency": item["frequency"], "result": "attention" if attention else "ok",
             "comment": "Worn, needs replacing soon." if attention else "",
             "answered_at": finished, "answered_by_id": checker.user_id},
        )  # fmt: skip
        if attention:
            resolved = rng.random() < 0.7
            batches.add(
                Problem.__table__,
                {"public_id": new_public_id(), "circle_id": circle.id,
                 "device_id": device["id"], "check_item_id": check_item_id,
                 "opened_at": finished, "opened_by_id": checker.user_id,
                 "resolved_at": finished + timedelta(days=2) if resolved else None,
                 "resolved_by_id": checker.user_id if resolved else None,
                 "resolution": "Replaced the worn part." if resolved else ""},
            )  # fmt: skip
    for action, when in (("devices.check_started", started), ("devices.check_finished", finished)):
        _audit(world, batches, action, circle, when, checker.user_id, "check", public_id)


def _audit(world, batches, action, circle, when, actor_id, object_type, object_id) -> None:
    batches.add(
        AuditEvent.__table__,
        audit_row(world, action, when, circle_id=circle.id, object_type=object_type,
                  object_id=object_id, actor_id=actor_id),
    )  # fmt: skip


def _seed_hello(world: World, notes: list[NoteInfo]) -> dict[str, int]:
    from careteam_hello.models import KindWord, SharedUpdateCount

    rng = world.rng
    batches = Batches(world, [KindWord.__table__, AuditEvent.__table__], KindWord.__table__)
    world.progress.phase("kind words", len(world.circles))
    words = 0
    for circle in world.circles:
        for _ in range(rng.randint(0, 4)):
            author = rng.choice(circle.members)
            when = world.now - timedelta(days=rng.uniform(0, 365))
            public_id = new_public_id()
            batches.add(
                KindWord.__table__,
                {"public_id": public_id, "circle_id": circle.id, "author_id": author.user_id,
                 "message": corpus.kind_word(rng), "created_at": when},
            )  # fmt: skip
            _audit(world, batches, "hello.kind_word_added", circle, when, author.user_id,
                   "kind_word", public_id)  # fmt: skip
            words += 1
        world.progress.advance()
    batches.flush()
    # The plugin is on from each circle's start, so its hook counted every "everyone" note.
    shared: dict[int, tuple[int, Any]] = {}
    for note in notes:
        if note.audience == "everyone":
            count, last = shared.get(note.circle_index, (0, None))
            shared[note.circle_index] = (count + 1, max(last or note.created_at, note.created_at))
    rows = [
        {"circle_id": world.circles[index].id, "count": count, "last_at": last}
        for index, (count, last) in shared.items()
    ]
    world.insert(SharedUpdateCount.__table__, rows)
    world.progress.end_phase()
    return {"kind_words": words}

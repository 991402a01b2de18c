"""The devices part of the circle export: devices, checklists, checks and problems."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careteam.api import SectionContent, db, display_names, member_can

from .models import Check, CheckItem, Device, Problem, Template, TemplateItem


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def build_section(circle: Any, membership: Any, **_: Any) -> SectionContent:
    """Return everything the plugin keeps for the circle, in six queries."""
    if not member_can(membership, "devices.check"):
        return SectionContent()
    devices = list(db.session.scalars(select(Device).where(Device.circle_id == circle.id)))
    templates = list(db.session.scalars(select(Template).where(Template.circle_id == circle.id)))
    items = db.session.scalars(
        select(TemplateItem)
        .join(Template, Template.id == TemplateItem.template_id)
        .where(Template.circle_id == circle.id)
        .order_by(TemplateItem.template_id, TemplateItem.position)
    ).all()
    checks = list(
        db.session.scalars(select(Check).where(Check.circle_id == circle.id).order_by(Check.id))
    )
    answers = db.session.scalars(
        select(CheckItem)
        .join(Check, Check.id == CheckItem.check_id)
        .where(Check.circle_id == circle.id)
        .order_by(CheckItem.check_id, CheckItem.position)
    ).all()
    problems = list(db.session.scalars(select(Problem).where(Problem.circle_id == circle.id)))
    names = display_names(
        [c.started_by_id for c in checks]
        + [a.answered_by_id for a in answers]
        + [p.resolved_by_id for p in problems]
    )
    by_device = {d.id: d.public_id for d in devices}
    items_of: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        items_of.setdefault(item.template_id, []).append(
            {
                "id": item.public_id,
                "text": item.text,
                "how_often": item.frequency,
                "guidance": item.guidance,
                "in_use": item.active,
                "added_at": _iso(item.created_at),
            }
        )
    answers_of: dict[int, list[dict[str, Any]]] = {}
    for answer in answers:
        answers_of.setdefault(answer.check_id, []).append(
            {
                "item": answer.item_public_id,
                "text": answer.text,
                "result": answer.result,
                "comment": answer.comment,
                "answered_at": _iso(answer.answered_at),
                "answered_by": names.get(answer.answered_by_id or 0, ""),
            }
        )
    answer_ids = {a.id: a.item_public_id for a in answers}
    data = {
        "devices": [
            {
                "id": d.public_id,
                "kind": d.kind,
                "name": d.name,
                "make_model": d.make_model,
                "size_settings": d.size_settings,
                "acquired_on": _iso(d.acquired_on),
                "fitted_by": d.fitted_by,
                "supplier_contact": d.supplier_contact,
                "notes": d.notes,
                "retired_at": _iso(d.retired_at),
                "retired_reason": d.retired_reason,
            }
            for d in devices
        ],
        "checklists": [
            {
                "id": t.public_id,
                "name": t.name,
                "kind": t.kind,
                "device": by_device.get(t.device_id or 0),
                "copied_from": t.copied_from,
                "items": items_of.get(t.id, []),
            }
            for t in templates
        ],
        "checks": [
            {
                "id": c.public_id,
                "device": by_device.get(c.device_id),
                "started_at": _iso(c.started_at),
                "started_by": names.get(c.started_by_id or 0, ""),
                "finished_at": _iso(c.finished_at),
                "answers": answers_of.get(c.id, []),
            }
            for c in checks
        ],
        "problems": [
            {
                "id": p.public_id,
                "device": by_device.get(p.device_id),
                "item": answer_ids.get(p.check_item_id),
                "opened_at": _iso(p.opened_at),
                "resolved_at": _iso(p.resolved_at),
                "resolved_by": names.get(p.resolved_by_id or 0, ""),
                "resolution": p.resolution,
            }
            for p in problems
        ],
    }
    header = (
        "device",
        "device_name",
        "check",
        "item",
        "result",
        "comment",
        "answered_at",
        "answered_by",
    )
    names_of_devices = {d.id: d.name for d in devices}
    device_of_check = {c.id: c.device_id for c in checks}
    check_ids = {c.id: c.public_id for c in checks}
    rows = [
        (
            by_device.get(device_of_check.get(a.check_id)),
            names_of_devices.get(device_of_check.get(a.check_id)),
            check_ids.get(a.check_id),
            a.text,
            a.result,
            a.comment,
            a.answered_at,
            names.get(a.answered_by_id or 0, ""),
        )
        for a in answers
    ]
    return SectionContent(data=data, tables={"device_checks.csv": (header, rows)})

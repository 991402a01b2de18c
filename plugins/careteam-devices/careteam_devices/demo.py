"""Demo devices for Maya: her AFO for foot drop, her cane, and a rollator whose weekly check is
overdue (so the dashboard and the reminders have something to show)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from careteam.api import Role, db, demo_circle, demo_membership, utcnow

from . import checks, inventory
from .models import Device

DEMO = (
    inventory.DeviceInput(
        kind="afo",
        name="Maya's left AFO",
        make_model="Custom polypropylene AFO",
        size_settings="Worn with size 39 trainers",
        acquired_on=date(2025, 9, 1),
        fitted_by="City Hospital orthotics",
        supplier_contact="Orthotics clinic, 01632 960 123",
        notes="For foot drop on the left; helps most when she is tired.",
    ),
    inventory.DeviceInput(
        kind="cane",
        name="Maya's cane",
        make_model="Adjustable aluminium cane",
        size_settings="Height hole 6",
    ),
    inventory.DeviceInput(
        kind="rollator",
        name="Rollator",
        make_model="Four-wheel rollator with seat",
        notes="Kept in the hall; used for longer walks.",
    ),
)


def build_demo() -> list[str]:
    """Add the demo devices once; an overdue weekly check on the rollator."""
    circle = demo_circle("maya")
    if circle is None:
        return []
    if db.session.scalar(select(Device.id).where(Device.circle_id == circle.id).limit(1)):
        return []
    manager = demo_membership(circle, Role.THERAPIST.value) or demo_membership(
        circle, Role.COORDINATOR.value
    )
    checker = demo_membership(circle, Role.CAREGIVER.value) or manager
    if manager is None:
        return []
    added = {
        data.kind: inventory.add_device(circle, manager, data, f"{inventory.SHIPPED}{data.kind}")
        for data in DEMO
    }
    db.session.flush()
    # Ana checked the rollator ten days ago: its weekly items are now overdue.
    rollator = added["rollator"]
    check = checks.start_check(rollator, checker, checks.new_start_token())
    db.session.flush()
    answers = {i.item_public_id: checks.Answer("ok") for i in checks.check_items(check)}
    checks.save_check(check, rollator, checker, answers, version=check.version, finish=True)
    long_ago = utcnow() - timedelta(days=10)
    check.started_at = check.finished_at = long_ago
    for item in checks.check_items(check):
        item.answered_at = long_ago
    db.session.commit()
    return [f"Added {len(DEMO)} devices to {circle.name} (the rollator's weekly check is overdue)."]

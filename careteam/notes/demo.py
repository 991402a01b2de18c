"""Demo notes for "Maya's circle" (built by the circles demo builder, which runs first)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..audience import Audience
from ..circles.demo import demo_circle
from ..circles.models import Circle, Membership
from ..db.clock import utcnow
from ..extensions import db
from ..roles import CARE_TEAM, Role
from . import service
from .models import Category, Note

DEMO_CIRCLE = "Maya's circle"

# (hours ago, preferred author role, category, audience, title, body, tags)
_NOTES: list[tuple[int, Role, Category, Audience, str, str, list[str]]] = [
    (
        70,
        Role.CARE_RECIPIENT,
        Category.SYMPTOMS,
        Audience.CARE_TEAM,
        "Left leg weaker after the heat",
        "It was 29 °C on the walk back from the pharmacy and my **left leg** started dragging "
        "after about ten minutes. The AFO helped, but I had to sit down twice.\n\n"
        "- Weakness eased after a cool shower and an hour's rest\n"
        "- No new numbness or vision changes\n\n"
        "Probably Uhthoff's (heat) again rather than a relapse, but noting it for the neuro.",
        ["weakness", "heat", "left leg"],
    ),
    (
        46,
        Role.CAREGIVER,
        Category.SHIFT_HANDOFF,
        Audience.CARE_TEAM,
        "Evening handoff, Tuesday",
        "Maya ate well at 18:30. Did the stretching programme with the walker, about "
        "15 minutes. Tired by 20:00, so we skipped the stairs practice.\n\n"
        "**For the morning shift:** the cooling vest is charging in the hall; please check "
        "the AFO strap, it was rubbing at the ankle.",
        ["handoff", "AFO", "fatigue"],
    ),
    (
        30,
        Role.COORDINATOR,
        Category.MEDICATION,
        Audience.CARE_TEAM,
        "Baclofen dose change",
        "The neurologist's office called: baclofen goes up to 10 mg three times a day from "
        "Thursday, for the night-time spasms. The pharmacy has the new prescription. "
        "Watch for extra drowsiness in the first week.",
        ["baclofen", "spasticity"],
    ),
    (
        20,
        Role.FAMILY,
        Category.DOCTOR_QUESTION,
        Audience.CARE_TEAM,
        "For the neurologist on the 14th",
        "1. Is the heat-related weakness worth an MRI, or is it expected?\n"
        "2. Could a physio referral for balance work start before the next review?\n"
        "3. Is the fatigue in the afternoons something amantadine might help with?",
        ["neurologist", "appointment"],
    ),
    (
        6,
        Role.COORDINATOR,
        Category.UPDATE,
        Audience.EVERYONE,
        "Thank you all, and a plan for the summer",
        "Thanks to everyone who brought meals and drove Maya to appointments this month. "
        "With the hot weather coming we are setting up short morning visits instead of "
        "afternoon ones. The support group meets on Thursdays at 11.",
        ["thanks", "visits"],
    ),
]


def _members_by_role(circle: Circle) -> dict[str, Any]:
    rows = db.session.scalars(
        select(Membership).where(Membership.circle_id == circle.id).order_by(Membership.id)
    ).all()
    found: dict[str, Any] = {}
    for member in rows:
        found.setdefault(member.role, member)
    return found


def build_demo_notes() -> list[str]:
    """Add realistic MS care notes to the demo circle once; do nothing if it is absent."""
    circle = demo_circle("maya")
    if circle is None:
        return []
    if db.session.scalar(select(Note.id).where(Note.circle_id == circle.id).limit(1)):
        return []
    members = _members_by_role(circle)
    writers = [m for role, m in members.items() if role in CARE_TEAM]
    if not writers:
        return []
    now = utcnow()
    created: dict[Category, Note] = {}
    for hours_ago, role, category, audience, title, body, tags in _NOTES:
        author = members.get(role, writers[0])
        note = service.create_note(
            circle,
            author,
            title=title,
            body=body,
            category=category.value,
            tags=tags,
            audience=audience.value,
        )
        note.created_at = note.updated_at = now - timedelta(hours=hours_ago)
        created[category] = note
    db.session.flush()
    coordinator = members.get(Role.COORDINATOR, writers[0])
    service.set_pinned(created[Category.DOCTOR_QUESTION], coordinator, True)
    commenter = members.get(Role.CAREGIVER, writers[0])
    service.add_comment(
        created[Category.SYMPTOMS],
        commenter,
        "Same thing happened last July. The cooling vest made a big difference then.",
    )
    service.add_comment(
        created[Category.DOCTOR_QUESTION],
        members.get(Role.CARE_RECIPIENT, writers[0]),
        "Please also ask about the bladder urgency at night.",
    )
    supporter = members.get(Role.SUPPORTER)
    if supporter is not None:
        service.add_comment(
            created[Category.UPDATE],
            supporter,
            "Happy to do Thursday morning drives to the support group!",
        )
    handoff = created[Category.SHIFT_HANDOFF]
    reader = members.get(Role.FAMILY) or coordinator
    if reader.user_id != handoff.author_id:
        service.acknowledge(handoff, reader)
    return [f"Added {len(_NOTES)} care notes to {DEMO_CIRCLE}."]

"""Demo circles for ``careteam demo``: Maya's circle and Joe's circle, built once.

Maya lives with multiple sclerosis; Joe with Parkinson's disease.  Dr. Lee, a physical
therapist, serves both circles, so the demo shows one person working across two circles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..auth.models import User
from ..auth.passwords import hash_password
from ..db.clock import utcnow
from ..extensions import db
from ..roles import ROLE_LABELS, Role
from .membership import add_member
from .models import Circle
from .service import create_circle

# example.org is reserved for examples yet passes email validation, so these addresses can be
# typed into every form (invitations too); nobody receives mail there.
DOMAIN = "example.org"


# Shown on the demo's sign-in lines; demo sites are for trying the app, never real data.
DEMO_PASSWORD = "demo-care-circle-2026"  # noqa: S105 - public by design


def ensure_user(email: str, display_name: str, time_zone: str = "Europe/London") -> User:
    """Return the demo user with this email, creating a verified account if needed."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            display_name=display_name,
            password_hash=hash_password(DEMO_PASSWORD),
            email_verified_at=utcnow(),
            time_zone=time_zone,
        )
        db.session.add(user)
        db.session.flush()
    return user


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    note: str

    @property
    def email(self) -> str:
        return f"{self.key}@{DOMAIN}"


PEOPLE = {
    person.key: person
    for person in (
        DemoPerson("maya", "Maya", "lives with MS"),
        DemoPerson("sam", "Sam", "Maya's partner"),
        DemoPerson("ruth", "Ruth", "Maya's mother"),
        DemoPerson("ana", "Ana", "paid caregiver"),
        DemoPerson("dr.lee", "Dr. Lee", "physical therapist"),
        DemoPerson("priya", "Priya", "Maya's friend"),
        DemoPerson("joe", "Joe", "lives with Parkinson's"),
        DemoPerson("kim", "Kim", "Joe's daughter"),
        DemoPerson("tom", "Tom", "Joe's neighbour"),
    )
}


@dataclass(frozen=True)
class DemoCircle:
    name: str
    description: str
    coordinator: str
    members: tuple[tuple[str, Role], ...]


CIRCLES = (
    DemoCircle(
        "Maya's circle",
        "Maya has relapsing-remitting multiple sclerosis. We share shift handoffs and symptom "
        "notes, keep appointments and rides straight, and follow the home exercise programme "
        "Dr. Lee set for her walking and balance.",
        "sam",
        (
            ("maya", Role.CARE_RECIPIENT),
            ("ruth", Role.FAMILY),
            ("ana", Role.CAREGIVER),
            ("dr.lee", Role.THERAPIST),
            ("priya", Role.SUPPORTER),
        ),
    ),
    DemoCircle(
        "Joe's circle",
        "Joe lives with Parkinson's disease at home. Kim coordinates visits and physiotherapy; "
        "Tom from next door helps with shopping and lifts.",
        "kim",
        (
            ("joe", Role.CARE_RECIPIENT),
            ("dr.lee", Role.THERAPIST),
            ("tom", Role.SUPPORTER),
        ),
    ),
)


DEMO_CIRCLE_KEYS = {"maya": CIRCLES[0], "joe": CIRCLES[1]}


def demo_circle(key: str) -> Circle | None:
    """Return the demo circle around ``key`` ("maya" or "joe"), or None before the demo ran.

    The demo's own circle is the one its demo coordinator created under its name: anyone may
    call a circle "Maya's circle", and demo data must never land in a real one.
    """
    spec = DEMO_CIRCLE_KEYS.get(key)
    if spec is None:
        return None
    return db.session.scalar(
        select(Circle)
        .join(User, User.id == Circle.created_by_id)
        .where(Circle.name == spec.name, User.email == PEOPLE[spec.coordinator].email)
        .order_by(Circle.id)
        .limit(1)
    )


def _ensure_circle(spec: DemoCircle, users: dict[str, User]) -> Circle:
    coordinator = users[spec.coordinator]
    # The demo's own circle is the one its coordinator created under this name.
    circle = db.session.scalar(
        select(Circle).where(Circle.name == spec.name, Circle.created_by_id == coordinator.id)
    )
    if circle is None:
        circle = create_circle(
            coordinator, name=spec.name, description=spec.description, time_zone="Europe/London"
        )
    for key, role in spec.members:
        add_member(circle, users[key], role, via="demo")
    return circle


def build_demo_circles() -> list[str]:
    """Create the demo people and circles if missing; return one sign-in line per person."""
    users = {key: ensure_user(p.email, p.name) for key, p in PEOPLE.items()}
    roles: dict[str, list[str]] = {key: [] for key in PEOPLE}
    for spec in CIRCLES:
        _ensure_circle(spec, users)
        roles[spec.coordinator].append(f"{ROLE_LABELS[Role.COORDINATOR].lower()}, {spec.name}")
        for key, role in spec.members:
            roles[key].append(f"{ROLE_LABELS[role].lower()}, {spec.name}")
    return [
        f"{p.email} / {DEMO_PASSWORD} - {p.name} ({p.note}; {'; '.join(roles[key])})"
        for key, p in PEOPLE.items()
    ]

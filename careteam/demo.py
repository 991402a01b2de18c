"""Demo data for ``careteam demo``: each feature adds a builder; running twice changes nothing.

Builders run in ``order``; each returns lines to print (demo sign-ins and the like).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from .auth.models import User
from .auth.passwords import hash_password
from .clock import utcnow
from .extensions import db

# Shown on the demo's sign-in lines; demo sites are for trying the app, never real data.
DEMO_PASSWORD = "demo-care-circle-2026"  # noqa: S105 - public by design


@dataclass(frozen=True)
class DemoBuilder:
    name: str
    build: Callable[[], list[str]]
    order: int = 100


def register_builder(builder: DemoBuilder) -> None:
    current_app.extensions.setdefault("careteam_demo", []).append(builder)


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


def run_demo() -> list[str]:
    """Run every registered builder in order, commit, and return the lines to print."""
    lines: list[str] = []
    builders = sorted(current_app.extensions.get("careteam_demo", []), key=lambda b: b.order)
    for builder in builders:
        lines.extend(builder.build())
        db.session.commit()
    return lines

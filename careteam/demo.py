"""Demo data for ``careteam demo``: each feature adds a builder; running twice changes nothing.

Builders run in ``order``; each returns lines to print (demo sign-ins and the like).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from .auth.models import User
from .auth.passwords import hash_password
from .db.clock import utcnow
from .extensions import db

log = logging.getLogger(__name__)

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
    """Run every registered builder in order, then the plugins' demo hooks; return the lines.

    The demo circles get every installed plugin switched on, so trying the demo shows them all.
    """
    lines: list[str] = []
    builders = sorted(current_app.extensions.get("careteam_demo", []), key=lambda b: b.order)
    for builder in builders:
        lines.extend(builder.build())
        db.session.commit()
    _switch_on_plugins_in_demo_circles()
    host = current_app.extensions["careteam"]
    for impl in host.impls("careteam_demo_data"):
        try:
            result = impl.function()
            db.session.commit()
        except Exception:  # one plugin's broken demo must not stop the others
            db.session.rollback()
            log.exception("Plugin %s failed in careteam_demo_data", impl.plugin_name)
            lines.append(f"The {impl.plugin_name} plugin could not add its demo data (see log).")
            continue
        lines.extend(str(line) for line in result or [])
    return lines


def _switch_on_plugins_in_demo_circles() -> None:
    from .circles.demo import DEMO_CIRCLE_KEYS, demo_circle
    from .plugins.enablement import set_enabled

    host = current_app.extensions["careteam"]
    for key in DEMO_CIRCLE_KEYS:
        circle = demo_circle(key)
        if circle is None:
            continue
        for name in host.plugins:
            set_enabled(circle, name, True, None)
    db.session.commit()

"""The circle home page's sections: "What's next", "Recent activity" and "Members".

"What's next" gathers upcoming items from providers that features register with
:func:`add_whats_next` (appointments, rides, therapy tasks...); with none it shows an empty
state.  A provider that fails is logged and left out, so the home page still renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from ..permissions import ROLE_LABELS, Role, member_can
from ..ui import PageSection
from . import audit_log, service

log = logging.getLogger(__name__)

PAGE = "circle_home"
WHATS_NEXT_LIMIT = 10


@dataclass(frozen=True)
class WhatsNextItem:
    """One upcoming thing on the circle's home page; ``url`` is a path inside this site."""

    title: str
    when: datetime | None = None
    url: str | None = None
    detail: str = ""
    kind: str = ""


# Called with circle= and membership=; returns the items this member may see.
WhatsNextProvider = Callable[..., list[WhatsNextItem]]


def add_whats_next(app: Flask, provider: WhatsNextProvider) -> None:
    """Let a feature add upcoming items to every circle's "What's next" section."""
    app.extensions.setdefault("careteam_whats_next", []).append(provider)


def whats_next_items(circle: Any, membership: Any) -> list[WhatsNextItem]:
    """Collect upcoming items from every provider, soonest first (undated last)."""
    items: list[WhatsNextItem] = []
    for provider in current_app.extensions.get("careteam_whats_next", []):
        try:
            items.extend(provider(circle=circle, membership=membership))
        except Exception:  # a feature's fault must not break the circle's home page
            log.exception("What's next provider %r failed", provider)
    dated = sorted((i for i in items if i.when is not None), key=lambda i: i.when)
    undated = [i for i in items if i.when is None]
    return (dated + undated)[:WHATS_NEXT_LIMIT]


def whats_next_section(circle: Any = None, membership: Any = None, **_: Any) -> dict | None:
    if circle is None or not member_can(membership, "circle.view"):
        return None
    return {"circle": circle, "upcoming": whats_next_items(circle, membership)}


def recent_activity_section(circle: Any = None, membership: Any = None, **_: Any) -> dict | None:
    if circle is None or not member_can(membership, "circle.view"):
        return None
    return {
        "circle": circle,
        "entries": audit_log.recent_activity(circle.id),
        "can_see_log": member_can(membership, "audit.view"),
    }


def members_section(circle: Any = None, membership: Any = None, **_: Any) -> dict | None:
    if circle is None or not member_can(membership, "circle.view"):
        return None
    return {
        "circle": circle,
        "members": service.members_of(circle),
        "role_labels": {role.value: label for role, label in ROLE_LABELS.items()},
        "me": membership.id,
        "care_recipient": Role.CARE_RECIPIENT.value,
    }


SECTIONS = (
    PageSection("whats-next", "What's next", "circles/_whats_next.html", 10, whats_next_section),
    PageSection(
        "recent-activity",
        "Recent activity",
        "circles/_recent_activity.html",
        30,
        recent_activity_section,
    ),
    PageSection("members", "Members", "circles/_members_section.html", 40, members_section),
)


def init_home(app: Flask) -> None:
    registry = app.extensions["careteam_ui"]
    for section in SECTIONS:
        registry.add_section(PAGE, section)

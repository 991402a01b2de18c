"""The circle home page's sections: "What's next", "Recent activity" and "Members".

"What's next" gathers upcoming items from the ``careteam_whats_next`` hook: core features
register theirs with :func:`add_whats_next` (appointments, requests to join), plugins implement
the hook (therapy tasks, device checks); with none it shows an empty state.  A provider that
fails is logged and left out, so the home page still renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import Flask

from ..hookspecs import hookimpl
from ..permissions import ROLE_LABELS, Role, member_can
from ..plugins import enabled_plugins, plugin_host, register_core_hooks
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


class _CoreWhatsNext:
    """A core feature's "What's next" provider, registered as a plugin (always on, last)."""

    def __init__(self, provider: WhatsNextProvider) -> None:
        self.provider = provider

    @hookimpl(trylast=True)
    def careteam_whats_next(self, circle: Any, membership: Any) -> list[WhatsNextItem]:
        return self.provider(circle=circle, membership=membership)


def add_whats_next(app: Flask, provider: WhatsNextProvider) -> None:
    """Let a core feature add upcoming items to every circle's "What's next" section."""
    name = f"careteam.whats_next.{provider.__module__}.{provider.__qualname__}"
    register_core_hooks(app, name, _CoreWhatsNext(provider))


def _site_path(url: str | None) -> str | None:
    # Items link inside this site only: a plugin cannot put "javascript:" or another host here.
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return None


def whats_next_items(circle: Any, membership: Any) -> list[WhatsNextItem]:
    """Collect upcoming items from core and the circle's plugins, soonest first (undated last).

    A provider that fails is logged with its name and left out (see PluginHost.call).
    """
    items: list[WhatsNextItem] = []
    answers = plugin_host().call(
        "careteam_whats_next",
        enabled=enabled_plugins(circle.id),
        circle=circle,
        membership=membership,
    )
    for name, answer in answers:
        for item in answer:
            if not isinstance(item, WhatsNextItem):
                log.error("Plugin %s returned %r from careteam_whats_next", name, item)
                continue
            items.append(replace(item, url=_site_path(item.url)))
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

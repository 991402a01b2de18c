"""The circle home page's sections: "What's next", "Recent activity" and "Members".

"What's next" gathers upcoming items from the ``careteam_whats_next`` hook: core features
register theirs with :func:`careteam.registries.add_whats_next` (appointments, requests to
join), plugins implement the hook (therapy tasks, device checks); with none it shows an empty
state.  A provider that fails is logged and left out, so the home page still renders.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from flask import Flask

from ..permissions import member_can
from ..plugins import enabled_plugins, plugin_host
from ..registries import PageSection, WhatsNextItem
from ..roles import ROLE_LABELS, Role
from . import audit_log, service

log = logging.getLogger(__name__)

PAGE = "circle_home"
WHATS_NEXT_LIMIT = 10


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

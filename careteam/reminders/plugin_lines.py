"""Plugins' lines in reminder emails (``careteam_reminder_items``), claimed like appointments.

For each member who gets reminders, each plugin switched on in their circle may return
:class:`~careteam.plugins.types.ReminderItem` lines.  Every line is claimed by inserting
(membership, plugin, key) into ``plugin_reminder_claims`` in its own committed transaction
before the email goes out, so overlapping ``send-reminders`` runs send it once; a failed send
marks it ``failed`` and the next run takes it again.  The crash rule is the appointments' one:
a crash after claiming can lose a line, never double it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from ..db import claims
from ..plugins.enablement import enabled_plugins, plugin_host
from ..plugins.models import PluginReminderClaim
from ..plugins.types import ReminderItem

HOOK = "careteam_reminder_items"
MAX_ATTEMPTS = 5
MAX_KEY = 200


@dataclass(frozen=True)
class PluginLine:
    """A plugin's reminder line for one member, ready to claim and send."""

    membership_id: int
    plugin: str
    item: ReminderItem
    circle_name: str

    @property
    def link(self) -> str | None:
        path = self.item.path
        if path and path.startswith("/") and not path.startswith("//"):
            return current_app.config["BASE_URL"] + path
        return None


def lines_for(circle: Any, membership: Any, now: datetime) -> list[PluginLine]:
    """Ask the plugins switched on in ``circle`` for this member's reminder lines."""
    host = plugin_host()
    if not host.implements(HOOK):
        return []
    lines = []
    answers = host.call(
        HOOK, enabled=enabled_plugins(circle.id), circle=circle, membership=membership, now=now
    )
    for plugin, items in answers:
        for item in items:
            if isinstance(item, ReminderItem) and item.key and len(item.key) <= MAX_KEY:
                lines.append(PluginLine(membership.id, plugin, item, circle.name))
    return lines


def _key(line: PluginLine) -> dict[str, Any]:
    return {
        "membership_id": line.membership_id,
        "plugin": line.plugin,
        "item_key": line.item.key,
    }


def claim(line: PluginLine, now: datetime) -> bool:
    """Claim one line in its own committed transaction; False if it was sent or is taken."""
    return claims.claim(PluginReminderClaim.__table__, _key(line), now, MAX_ATTEMPTS)


def finish(lines: list[PluginLine], status: str, now: datetime) -> None:
    """Record how sending went for these claimed lines ("sent" or "failed")."""
    claims.finish(PluginReminderClaim.__table__, [_key(line) for line in lines], status, now)

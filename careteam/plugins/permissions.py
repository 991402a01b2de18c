"""Plugin answers to capability checks, combined by veto.

The role table gives the first answer.  Then every plugin switched on in the circle may speak:
any False denies; True grants only a capability the answering plugin defines itself (a plugin
cannot hand out core capabilities, or another plugin's).  A plugin's own capabilities exist only
where the plugin is on.  "First answer wins" would let install order decide who may read care
notes; a veto cannot widen access by accident.
"""

from __future__ import annotations

from typing import Any

from flask import g

from .circle_reads import circle_reads
from .enablement import enabled_plugins, plugin_host

HOOK = "careteam_permission"


def _circle_of(membership: Any) -> Any:
    circle = g.get("circle")
    if circle is not None and circle.id == membership.circle_id:
        return circle
    return circle_reads().circle(membership.circle_id)


def plugin_verdict(membership: Any, capability: str, table_answer: bool) -> bool:
    """Combine the role table's answer with the plugins' answers for this membership."""
    host = plugin_host()
    if not host.plugins:
        return table_answer
    on = enabled_plugins(membership.circle_id)
    owner = host.owner_of_capability(capability)
    if owner is not None and owner not in on:
        return False
    if not host.implements(HOOK):
        return table_answer
    answers = host.call(
        HOOK,
        enabled=on,
        capability=capability,
        membership=membership,
        circle=_circle_of(membership),
    )
    if any(answer is False for _name, answer in answers):
        return False
    if any(answer is True and name == owner for name, answer in answers):
        return True
    return table_answer

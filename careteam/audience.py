"""Who may see a piece of care data: one audience model for notes, appointments and the rest.

Every read of audience-bearing data -- feeds, detail pages, search, counts, calendar feeds,
emails, exports, plugin helpers -- filters through :func:`visible_clause` or :func:`can_see`,
so the rule lives in one place.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from .permissions import Role


class Audience(StrEnum):
    EVERYONE = "everyone"
    CARE_TEAM = "care_team"
    COORDINATORS = "coordinators"
    ONLY_ME = "only_me"


AUDIENCE_LABELS: dict[Audience, str] = {
    Audience.EVERYONE: "Everyone in the circle (including friends and supporters)",
    Audience.CARE_TEAM: "The care team (not friends and supporters)",
    Audience.COORDINATORS: "Coordinators and the care recipient",
    Audience.ONLY_ME: "Only me (private draft)",
}

SHORT_LABELS: dict[Audience, str] = {
    Audience.EVERYONE: "Everyone",
    Audience.CARE_TEAM: "Care team",
    Audience.COORDINATORS: "Coordinators",
    Audience.ONLY_ME: "Only me",
}

# Which roles see each shared audience (ONLY_ME is decided by authorship alone).
_ROLES_FOR: dict[Audience, frozenset[Role]] = {
    Audience.EVERYONE: frozenset(Role),
    Audience.CARE_TEAM: frozenset(Role) - {Role.SUPPORTER},
    Audience.COORDINATORS: frozenset({Role.COORDINATOR, Role.CARE_RECIPIENT}),
}


def shared_audiences_for(role: str) -> list[str]:
    """Return the shared audiences (not ONLY_ME) a member with ``role`` can read."""
    return [str(a) for a, roles in _ROLES_FOR.items() if role in roles]


@cache
def _shared_set(role: str) -> frozenset[str]:
    return frozenset(shared_audiences_for(role))


def can_see(audience: str, author_id: int | None, membership: Any) -> bool:
    """Return whether ``membership`` (None for outsiders) may see an item with this audience."""
    if membership is None:
        return False
    if audience == Audience.ONLY_ME:
        return author_id is not None and author_id == membership.user_id
    # A set made once per role: the calendar pages ask this for every series of a circle.
    return audience in _shared_set(membership.role)


def visible_clause(
    audience_column: Any, author_column: Any, membership: Any
) -> ColumnElement[bool]:
    """Return a SQL condition selecting the rows ``membership`` may see."""
    return or_(
        audience_column.in_(shared_audiences_for(membership.role)),
        and_(audience_column == Audience.ONLY_ME.value, author_column == membership.user_id),
    )


def audience_choices() -> list[tuple[str, str]]:
    return [(a.value, AUDIENCE_LABELS[a]) for a in Audience]

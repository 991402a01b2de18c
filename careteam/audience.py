"""Who may see a piece of care data: one audience model for notes, appointments and the rest.

Every read of audience-bearing data -- feeds, detail pages, search, counts, calendar feeds,
emails, exports, plugin helpers -- filters through :func:`visible_clause` or :func:`can_see`,
so the rule lives in one place.

Who may *change* an audience is decided here too (:func:`allowed_audiences`,
:func:`check_audience_change`): forms, services, the API and plugins all ask these functions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from .roles import Role


class Audience(StrEnum):
    """Who may see a note, an appointment or a plugin's object: everyone in the circle, the care
    team (everyone but supporters), coordinators and the care recipient, or only its author."""

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


def can_see(audience: str, author_id: int | None, membership: Any) -> bool:
    """Return whether ``membership`` (None for outsiders) may see an item with this audience."""
    if membership is None:
        return False
    if audience == Audience.ONLY_ME:
        return author_id is not None and author_id == membership.user_id
    return membership.role in _ROLES_FOR.get(audience, frozenset())


def visible_clause(
    audience_column: Any, author_column: Any, membership: Any
) -> ColumnElement[bool]:
    """Return a SQL condition selecting the rows ``membership`` may see."""
    return visible_to(audience_column, author_column, membership.role, membership.user_id)


def visible_to(
    audience_column: Any, author_column: Any, role: str, user_id: Any
) -> ColumnElement[bool]:
    """Return a SQL condition selecting the rows a member with ``role`` and ``user_id`` may see
    (``user_id`` may be a bound parameter: the role alone shapes the SQL)."""
    return or_(
        audience_column.in_(shared_audiences_for(role)),
        and_(audience_column == Audience.ONLY_ME.value, author_column == user_id),
    )


def audience_choices() -> list[tuple[str, str]]:
    return [(a.value, AUDIENCE_LABELS[a]) for a in Audience]


# --- changing an audience ----------------------------------------------------------------------

NARROWING_REFUSED = "Only the person who wrote this or a coordinator can narrow who sees it."
ONLY_ME_REFUSED = "Only the person who wrote this can choose \u201cOnly me\u201d."
CREATOR_ONLY_REFUSED = "Only the author can change who sees this {noun}."


class AudienceChangeRefused(ValueError):
    """The audience rule does not let this person make this change; the message says who may."""

    field = "audience"


def width(audience: str) -> frozenset[Role]:
    """Return the roles that see ``audience`` whoever wrote it ("only me": none)."""
    return _ROLES_FOR.get(Audience(audience), frozenset())


def allowed_audiences(
    current: str | None, *, is_creator: bool, is_coordinator: bool, creator_only: bool = False
) -> list[str]:
    """Return the audiences someone may give an object whose audience is ``current``.

    ``current`` None means a new object: its creator chooses freely.  On an existing object the
    creator may choose any audience and a coordinator any but "only me" (which always means the
    person who chose it, so on someone else's object nobody else can be that person); everyone
    else may keep the audience or widen it, so an edit can never hide an object from people its
    creator shared it with.  ``creator_only`` objects (notes: a moderator may fix the words, not
    who reads them) keep their audience unless their creator changes it.
    """
    if current is None or is_creator:
        return [a.value for a in Audience]
    if creator_only:
        return [Audience(current).value]
    if is_coordinator:
        return [a.value for a in Audience if a != Audience.ONLY_ME]
    return [a.value for a in Audience if width(a) >= width(current)]


def check_audience_change(
    current: str,
    new: str,
    *,
    is_creator: bool,
    is_coordinator: bool,
    creator_only: bool = False,
    noun: str = "item",
) -> None:
    """Raise :class:`AudienceChangeRefused` unless :func:`allowed_audiences` allows ``new``."""
    rule = {"is_creator": is_creator, "is_coordinator": is_coordinator}
    if new in allowed_audiences(current, creator_only=creator_only, **rule):
        return
    if creator_only:
        raise AudienceChangeRefused(CREATOR_ONLY_REFUSED.format(noun=noun))
    if is_coordinator:  # a coordinator is refused nothing but "only me"
        raise AudienceChangeRefused(ONLY_ME_REFUSED)
    raise AudienceChangeRefused(NARROWING_REFUSED)


def editor_standing(membership: Any, author_id: int | None) -> dict[str, bool]:
    """Return the keyword arguments of the change rule for ``membership`` editing an object
    written by ``author_id``: is this person its creator, and a coordinator of the circle?"""
    return {
        "is_creator": author_id is not None and author_id == membership.user_id,
        "is_coordinator": membership.role == Role.COORDINATOR,
    }


def choosable_audiences(
    membership: Any,
    *,
    current: str | None = None,
    author_id: int | None = None,
    creator_only: bool = False,
) -> list[str]:
    """Return the audiences ``membership`` may pick: those the change rule allows (everything
    for a new object, ``current`` None) that include the chooser.

    An audience that leaves the chooser out is never offered: the model does not let people read
    outside an audience (a family member cannot read a "coordinators" item), so choosing one
    would make the item vanish for the person who just saved it.
    """
    allowed = allowed_audiences(
        current, creator_only=creator_only, **editor_standing(membership, author_id)
    )
    return [a for a in allowed if can_see(a, membership.user_id, membership)]

"""Roles, capabilities and the one place that checks them.

The capability table is data: each capability names the roles that hold it.  Features and
plugins add capabilities to the app's table; every circle route declares the capability it needs
when it is registered (:meth:`CircleBlueprint.circle_route`), and :func:`require_capability`
enforces it.  Tests walk every circle route against this table.

Rules every circle URL follows:
- not signed in: redirect to sign-in (the same for circles that do not exist);
- signed in but not a member (site admins included): 404, so nobody learns a circle exists;
- a member without the capability: 403;
- an archived circle is read-only: changes are refused unless the route allows them.

This module knows no models: features import it, so the circles package hands the guard the
one function that reads a circle and a membership (:func:`use_membership_loader`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from blinker import Namespace
from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

# The URL prefix of every page inside a circle.
CIRCLE_URL_PREFIX = "/circles/<circle_id>"
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

# Reads (circle, membership of the signed-in person) for a circle's public id, or None for an
# outsider or when nobody is signed in.
MembershipLoader = Callable[[str], "tuple[Any, Any] | None"]
_MEMBERSHIP_LOADER = "careteam_membership_loader"


class Role(StrEnum):
    COORDINATOR = "coordinator"
    FAMILY = "family"
    CAREGIVER = "caregiver"
    THERAPIST = "therapist"
    SUPPORTER = "supporter"
    CARE_RECIPIENT = "care_recipient"


ROLE_LABELS: dict[Role, str] = {
    Role.COORDINATOR: "Coordinator",
    Role.FAMILY: "Family",
    Role.CAREGIVER: "Caregiver",
    Role.THERAPIST: "Therapist",
    Role.SUPPORTER: "Friend / supporter",
    Role.CARE_RECIPIENT: "Care recipient",
}

ALL_ROLES = frozenset(Role)
CARE_TEAM = frozenset(ALL_ROLES - {Role.SUPPORTER})


@dataclass(frozen=True)
class Capability:
    name: str
    description: str
    roles: frozenset[Role]


# DESIGN.md section 4, as data. Later features add their own rows with add_capability().
CORE_CAPABILITIES: tuple[Capability, ...] = (
    Capability("circle.view", "See the circle's home page and its members", ALL_ROLES),
    Capability(
        "circle.manage",
        "Manage members, roles, invitations, plugins and circle settings",
        frozenset({Role.COORDINATOR, Role.CARE_RECIPIENT}),
    ),
    Capability(
        "audit.view",
        "See the circle's audit log",
        frozenset({Role.COORDINATOR, Role.CARE_RECIPIENT}),
    ),
    Capability("circle.leave", "Leave the circle", ALL_ROLES),
)


def init_permissions(app: Flask) -> None:
    app.extensions["careteam_capabilities"] = {c.name: c for c in CORE_CAPABILITIES}


def use_membership_loader(app: Flask, loader: MembershipLoader) -> None:
    """Set the function the circle guard calls to read a circle and the reader's membership
    (:func:`careteam.circles.guard.load_circle_membership`)."""
    app.extensions[_MEMBERSHIP_LOADER] = loader


def add_capability(app: Flask, *capabilities: Capability) -> None:
    """Register capabilities (features and plugins); names must be unique."""
    table: dict[str, Capability] = app.extensions["careteam_capabilities"]
    for capability in capabilities:
        if capability.name in table:
            raise ValueError(f"capability {capability.name!r} is already registered")
        table[capability.name] = capability


def capability_table() -> dict[str, Capability]:
    return current_app.extensions["careteam_capabilities"]


def role_has(role: str, capability: str) -> bool:
    """Answer from the table alone: does ``role`` hold ``capability``?"""
    entry = capability_table().get(capability)
    if entry is None:
        raise KeyError(f"unknown capability {capability!r}")
    return role in entry.roles


def member_can(membership: Any, capability: str) -> bool:
    """Return whether this membership (or None for outsiders) holds ``capability``.

    The role table answers first; plugins switched on in the circle may then veto (see
    :func:`careteam.plugins.permissions.plugin_verdict`).
    """
    if membership is None:
        return False
    from .plugins.permissions import plugin_verdict

    return plugin_verdict(membership, capability, role_has(membership.role, capability))


def capabilities_of(role: str) -> frozenset[str]:
    return frozenset(name for name, c in capability_table().items() if role in c.roles)


# --- circle routes ---------------------------------------------------------------------------


_signals = Namespace()
# Sent (with the app as sender) once the guard has loaded everything every circle page needs,
# just before the view runs.  Query-budget tests use it to tell that fixed per-request prelude
# apart from what the page itself costs; without receivers sending costs nothing.
circle_view_starting = _signals.signal("careteam-circle-view-starting")


def plausible_ids(circle_id: str, values: dict[str, Any]) -> bool:
    """Return False for ids no row can have, before they reach the database.

    PostgreSQL rejects NUL characters in text parameters with an error, so an id such as
    ``%00`` must end as a 404 here rather than a 500 in whichever query sees it first.
    """
    if not _PUBLIC_ID.fullmatch(circle_id):
        return False
    return not any(
        isinstance(value, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
        for value in values.values()
    )


def load_circle_membership(circle_id: str) -> tuple[Any, Any] | None:
    """Return (circle, membership of the signed-in person), or None for an outsider or when
    nobody is signed in.  The loader reads the session too (:mod:`careteam.circles.guard`)."""
    loader: MembershipLoader = current_app.extensions[_MEMBERSHIP_LOADER]
    return loader(circle_id)


def require_capability(
    capability: str, *, allow_archived: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Guard a circle view: outsiders 404, members without ``capability`` 403.

    The view receives ``circle`` and ``membership`` keyword arguments instead of ``circle_id``;
    both are also put on ``flask.g`` for templates.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(circle_id: str, **kwargs: Any) -> Any:
            # The membership is read first: its loader brings the signed-in user with it.
            found = load_circle_membership(circle_id) if plausible_ids(circle_id, kwargs) else None
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if found is None:
                abort(404)
            circle, membership = found
            if not page_switched_on(request.blueprint, circle.id):
                abort(404)  # a plugin switched off in this circle: as if it were not installed
            g.circle, g.membership = circle, membership
            g.personal_data = True
            if not member_can(membership, capability):
                abort(403)
            if circle.archived and request.method not in {"GET", "HEAD"} and not allow_archived:
                abort(403)
            circle_view_starting.send(current_app._get_current_object())  # type: ignore[attr-defined]
            return view(circle=circle, membership=membership, **kwargs)

        guarded.careteam_capability = capability  # type: ignore[attr-defined]
        guarded.careteam_allow_archived = allow_archived  # type: ignore[attr-defined]
        return guarded

    return decorator


def page_switched_on(blueprint: str | None, circle_id: int) -> bool:
    """Return False for a plugin's page in a circle where that plugin is switched off."""
    from .plugins.enablement import enabled_plugins, plugin_host

    # The guard's membership query has already read the switches (kept on g).
    switched_on = enabled_plugins(circle_id)
    owner = plugin_host().blueprint_owner.get(blueprint or "")
    return owner is None or owner in switched_on


class CircleBlueprint(Blueprint):
    """A blueprint for pages under ``/circles/<circle_id>``; each route declares a capability."""

    def __init__(self, name: str, import_name: str, **kwargs: Any) -> None:
        prefix = kwargs.pop("url_prefix", "")
        super().__init__(name, import_name, url_prefix=CIRCLE_URL_PREFIX + prefix, **kwargs)

    def circle_route(
        self,
        rule: str,
        *,
        capability: str,
        allow_archived: bool = False,
        **options: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a view under the circle that requires ``capability``."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            endpoint = options.pop("endpoint", view.__name__)
            guarded = require_capability(capability, allow_archived=allow_archived)(view)
            self.add_url_rule(rule, endpoint, guarded, **options)
            return guarded

        return decorator


def declared_capability(view: Callable[..., Any]) -> str | None:
    """Return the capability a registered view declared, or None if it declared none."""
    return getattr(view, "careteam_capability", None)


def declared_allow_archived(view: Callable[..., Any]) -> bool:
    """Return whether a registered circle view accepts changes in archived circles."""
    return bool(getattr(view, "careteam_allow_archived", False))


def circle_rules(app: Flask) -> Iterable[Any]:
    """Yield every URL rule that lives inside a circle."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(CIRCLE_URL_PREFIX):
            yield rule

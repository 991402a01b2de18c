"""The one part of CareTeam that plugins import.

Everything a plugin needs from core is here: the hook marker, the data types hooks return, base
classes for models, forms and pages, and service functions that apply the same rules as the web
pages (capabilities, audiences, audit rows).  Anything else in ``careteam`` may change without
notice; a test checks that first-party plugins import nothing else.

Reads of care data go through helpers here that take the reader's ``membership`` and apply the
audience rules to it, so a plugin sees exactly what that person would see.  A plugin whose
objects have an audience sets it with :class:`AudienceField` (``field.offer(membership,
current=..., author_id=...)``), checks a change in its service with
:func:`check_audience_change` and records it with :func:`record_audience_change`, so nobody can
hide someone else's object by editing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from . import audit as _audit
from .appointments.queries import display_names as _display_names
from .audience import (
    Audience,
    AudienceChangeRefused,
    allowed_audiences,
    can_see,
    check_audience_change,
    choosable_audiences,
)
from .audience_field import AudienceField
from .audit import record_audience_change
from .auth.models import User as _User
from .auth.service import external_url
from .circles import across_circles as _across
from .circles.demo import DEMO_PASSWORD
from .circles.demo import demo_circle as _demo_circle
from .circles.membership import lock_circle
from .circles.membership import membership_of as _membership_of
from .circles.models import Circle, Membership
from .circles.service import members_of as _members_of
from .db.clock import utcnow
from .db.engine import immediate_writes
from .db.types import UTCDateTime, new_public_id, relationship
from .exports import csv_bytes, safe_cell
from .extensions import db
from .hookspecs import hookimpl
from .mail import send_template
from .notes import service as _notes
from .notes.markdown import literal_markdown, render_markdown
from .notes.models import Category, Note
from .permissions import CircleBlueprint, member_can
from .plugins.api_version import API_VERSION
from .plugins.enablement import is_enabled as _is_enabled
from .plugins.enablement import plugin_settings as _plugin_settings
from .plugins.types import CalendarItem, CareEvent, PluginManifest, ReminderItem
from .refusals import Refusal
from .registries import Capability, ExportSection, NavItem, Panel, SectionContent, WhatsNextItem
from .roles import ALL_ROLES, CARE_TEAM, ROLE_LABELS, Role
from .web.forms import (
    CareForm,
    SelectField,
    choices,
    multiline_text,
    no_control_characters,
    strip_filter,
)

__all__ = [
    "ALL_ROLES",
    "API_VERSION",
    "CARE_TEAM",
    "DEMO_PASSWORD",
    "ROLE_LABELS",
    "Audience",
    "AudienceChangeRefused",
    "AudienceField",
    "CalendarItem",
    "Capability",
    "CareEvent",
    "Category",
    "Circle",
    "CircleBlueprint",
    "ExportSection",
    "Membership",
    "NavItem",
    "NoteError",
    "Panel",
    "PermissionDenied",
    "PluginForm",
    "PluginManifest",
    "Refusal",
    "ReminderItem",
    "Role",
    "SectionContent",
    "SelectField",
    "UTCDateTime",
    "WhatsNextItem",
    "allowed_audiences",
    "check_audience_change",
    "choices",
    "choosable_audiences",
    "circle_zone",
    "create_note",
    "csv_bytes",
    "db",
    "demo_circle",
    "demo_membership",
    "display_name_of",
    "display_names",
    "external_url",
    "get_circle",
    "get_note",
    "hookimpl",
    "immediate_writes",
    "is_enabled",
    "literal_markdown",
    "lock_circle",
    "member_can",
    "members_of",
    "membership_of",
    "memberships_of",
    "multiline_text",
    "new_public_id",
    "no_control_characters",
    "plugin_settings",
    "record_audience_change",
    "record_audit",
    "record_view",
    "record_views",
    "register_audience_object",
    "relationship",
    "render_markdown",
    "require",
    "safe_cell",
    "send_mail",
    "strip_filter",
    "utcnow",
    "visible_to",
]

NoteError = _notes.NoteError

# The reference text of names that cannot carry a docstring of their own (constants, the
# database object) or whose docstring belongs to another library; docs/plugins.md's api
# reference is generated from these and the other names' docstrings (careteam.reference).
REFERENCE_NOTES: dict[str, str] = {
    "API_VERSION": """The version of this surface, ``"major.minor"``.  A manifest's ``requires_api``
        must include it or the plugin is not loaded (see the changelog).""",
    "ALL_ROLES": "Every role: give a capability to everyone in the circle.",
    "CARE_TEAM": """Every role but ``supporter``: the people who look after the care recipient.
        Friends and supporters see only what is addressed to everyone.""",
    "ROLE_LABELS": "Each role's name as people read it, for pages and emails.",
    "DEMO_PASSWORD": "The password of every account ``careteam demo`` creates.",
    "SelectField": """WTForms' select field.  Give it its options with :func:`choices`: plain
        ``(value, label)`` tuples raise a DeprecationWarning under the WTForms CareTeam pins.""",
    "PluginForm": """The base of a plugin's forms (its pages, its settings): a CSRF token in every
        form (render it with ``form.hidden_tag()``), and a file sent for a field that is not a
        ``FileField`` makes the form invalid with "This field takes text, not a file." on that
        field.  Show a form that fails validation again with the person's text, status 422.""",
    "db": """Flask-SQLAlchemy's database object: base models on ``db.Model`` and query with
        ``db.session`` (``select()`` statements).  Name tables ``<plugin>_...``.  Core commits
        a request's writes only where a view calls ``db.session.commit()``.""",
    "hookimpl": """The marker of a hook implementation: decorate each hook function of the
        plugin's entry-point module with ``@hookimpl`` (pluggy's marker for "careteam").""",
}


class PermissionDenied(Exception):
    """Raised by :func:`require` when a member lacks a capability."""


# Base class for a plugin's forms (settings, its own pages): core's form base, so a plugin's
# forms get CSRF protection and refuse a file sent where text belongs, as core's forms do.
PluginForm = CareForm


# --- permissions -----------------------------------------------------------------------------


def require(membership: Any, capability: str) -> None:
    """Raise :class:`PermissionDenied` unless ``membership`` holds ``capability`` (veto rules
    included).  Pages declare capabilities on ``circle_route``; use this in services."""
    if not member_can(membership, capability):
        raise PermissionDenied(capability)


def is_enabled(circle: Circle, plugin: str) -> bool:
    """Return whether ``plugin`` is switched on in ``circle``."""
    return _is_enabled(circle.id, plugin)


def plugin_settings(circle: Circle, plugin: str) -> dict[str, Any]:
    """Return the plugin's settings in this circle (manifest defaults overlaid with saved ones)."""
    return _plugin_settings(circle, plugin)


# --- circles and people ----------------------------------------------------------------------


def membership_of(circle: Circle, user_id: int) -> Membership | None:
    """Return this person's membership of ``circle``, or None."""
    return _membership_of(circle.id, user_id)


def memberships_of(
    user_id: int, *, capability: str | None = None, plugin: str | None = None
) -> list[tuple[Circle, Membership]]:
    """Return this person's (circle, membership) pairs, ordered by circle name: every circle
    they belong to, for pages that span circles (a therapist's caseload).

    With ``plugin``, only circles where that plugin is switched on; with ``capability``, only
    those where the membership holds it, plugins' vetoes included (as :func:`member_can`).
    Archived circles are left out.  One statement, however many circles; it also reads each
    circle's plugin switches, so :func:`is_enabled` and :func:`member_can` on these circles
    cost no more queries in this request.  Record what the person then sees with
    :func:`record_views`."""
    return _across.memberships_of(user_id, capability=capability, plugin=plugin)


def members_of(circle: Circle) -> list[Any]:
    """Return the circle's members as rows with ``public_id`` (membership), ``role``,
    ``display_name`` and ``user_id``, ordered by name."""
    return _members_of(circle)


def get_circle(public_id: str) -> Circle | None:
    """Return the circle with this public id (event payloads carry public ids), or None.

    This answers who the circle is, not whether anyone may see it: check a membership before
    showing anything of it to a person.
    """
    return db.session.scalar(select(Circle).where(Circle.public_id == public_id))


def display_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Return {user id: display name} for these people, in one query."""
    return _display_names(user_ids)


def display_name_of(user_id_column: Any) -> Any:
    """Return a column expression for the display name of the person ``user_id_column`` names
    (NULL when the account is gone), to select beside a plugin's own columns: the names come
    in the same query instead of a second one (see :func:`display_names`)."""
    return (
        select(_User.display_name)
        .where(_User.id == user_id_column)
        .correlate_except(_User)
        .scalar_subquery()
    )


def circle_zone(circle: Circle) -> ZoneInfo:
    """Return the circle's time zone (UTC if its name is unknown on this machine)."""
    try:
        return ZoneInfo(circle.time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


# --- notes -----------------------------------------------------------------------------------


def create_note(
    circle: Circle,
    membership: Any,
    *,
    body: str,
    category: str = Category.UPDATE.value,
    audience: str = Audience.CARE_TEAM.value,
    title: str = "",
    tags: Iterable[str] = (),
) -> Note:
    """Write a note as ``membership``, with the same checks, revision, audit row and event as
    the notes page.  Raises :class:`NoteError` when the member may not write it.  The caller
    commits."""
    return _notes.create_note(
        circle,
        membership,
        title=title,
        body=body,
        category=category,
        tags=list(tags),
        audience=audience,
    )


def get_note(circle: Circle, membership: Any, note_id: str) -> Note | None:
    """Return the note with public id ``note_id`` if ``membership`` may read it, else None."""
    return _notes.get_visible_note(circle, membership, note_id)


def visible_to(membership: Any, audience: str, author_id: int | None) -> bool:
    """Return whether ``membership`` may see something addressed to ``audience``."""
    return can_see(audience, author_id, membership)


# --- audit, mail, demo -----------------------------------------------------------------------


def record_audit(
    action: str,
    circle: Circle,
    *,
    object_type: str,
    object_id: str,
    actor_id: int | None = None,
    details: dict[str, Any] | None = None,
    object_audience: str | None = None,
    object_author_id: int | None = None,
) -> None:
    """Add an audit row for a change, in the change's own transaction.  Name actions
    ``"<plugin>.<verb>"``; never put care text, passwords or tokens in ``details``.

    For an object with an audience (see :func:`register_audience_object`), pass its
    ``object_audience`` and its author as ``object_author_id``: the circle's audit log then
    shows the row only to those who may see the object."""
    subject = _audit.subject(object_type, object_id, circle.id, object_audience, object_author_id)
    _audit.record(action, actor_id=actor_id, details=details, **subject)


def record_view(
    action: str,
    circle: Circle,
    *,
    object_type: str,
    object_id: str,
    object_audience: str | None = None,
    object_author_id: int | None = None,
) -> None:
    """Record that the signed-in person viewed a care record (its own short transaction,
    after the read).  Call it from GET views only: a POST holds the write transaction, so
    record the change with :func:`record_audit` instead.  The audience fields as for
    :func:`record_audit`."""
    subject = _audit.subject(object_type, object_id, circle.id, object_audience, object_author_id)
    _audit.record_now(action, **subject)


def record_views(
    action: str, circles: Iterable[Circle], *, object_type: str, object_id: str
) -> None:
    """Record that the signed-in person viewed something in each of ``circles`` (a page that
    spans circles): one audit row per circle, written in one statement in its own short
    transaction after the read, as :func:`record_view` does.  No circles, no statement.
    ``object_type`` must not be an audience-bearing type (those rows need each object's
    audience: use :func:`record_view` per object)."""
    _across.record_views(
        action, (c.id for c in circles), object_type=object_type, object_id=object_id
    )


def register_audience_object(object_type: str) -> None:
    """Declare that the plugin's objects of ``object_type`` have an audience (an
    :class:`Audience` and an author).  Call it once at import; from then on every audit row
    about such an object must carry them (:func:`record_audit`, :func:`record_view`), or
    recording it raises, and each audience change goes through
    :func:`record_audience_change`."""
    _audit.register_audience_type(object_type)


def send_mail(to: str, subject: str, template: str, **context: Any) -> None:
    """Send ``email/<template>.txt`` and ``.html`` (from the plugin's template folder) to
    ``to``: the message is queued in the current transaction and delivered once it is committed
    and the response sent (so commit after calling this; a rollback sends nothing).  Build
    links with :func:`external_url`."""
    send_template(to, subject, template, **context)


def demo_circle(key: str) -> Circle | None:
    """Return the demo circle around ``"maya"`` or ``"joe"`` (None before ``careteam demo``)."""
    return _demo_circle(key)


def demo_membership(circle: Circle, role: str) -> Membership | None:
    """Return the first member of a demo circle holding ``role``."""
    return db.session.scalar(
        select(Membership)
        .where(Membership.circle_id == circle.id, Membership.role == role)
        .order_by(Membership.id)
        .limit(1)
    )

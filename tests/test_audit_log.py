"""The circle audit log: a row for every change, filters, keyset pages, no secrets, who sees it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from careteam.audit import AuditEvent
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, page_statements, signed_in

ROW = re.compile(r'<td class="audit-summary">([^<]*)</td>')


@pytest.fixture
def setup(app, make_user):
    return build_circle(app, people_for_every_role(make_user), name="Maya's circle")


def _summaries(html: str) -> list[str]:
    return ROW.findall(html)


def test_every_change_gets_a_row_and_shows_in_the_log(app, new_client, setup):
    coordinator = signed_in(new_client, setup.people["coordinator"])
    members = setup.members
    coordinator.post_form(
        setup.url("/settings"), {"name": "Maya's team", "description": "", "time_zone": "UTC"}
    )
    coordinator.post_form(setup.url(f"/members/{members['family']}/role"), {"role": "caregiver"})
    coordinator.post_form(setup.url(f"/members/{members['supporter']}/remove"), {})
    therapist = signed_in(new_client, setup.people["therapist"])
    therapist.post_form(setup.url("/leave"), {})
    coordinator.post_form(setup.url("/archive"), {})
    coordinator.post_form(setup.url("/restore"), {}, page="/circles/archived")

    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.circle_id == setup.id)
            .order_by(AuditEvent.id)
        ).all()
    assert actions == [
        "circle.created",
        *["member.joined"] * 6,
        "circle.updated",
        "member.role_changed",
        "member.removed",
        "member.left",
        "circle.archived",
        "circle.restored",
    ]
    page = coordinator.get(setup.url("/audit")).get_data(as_text=True)
    rows = _summaries(page)
    assert rows[:7] == [
        "Coordinator Person restored the circle.",
        "Coordinator Person archived the circle.",
        "Therapist Person left the circle.",
        "Coordinator Person removed Supporter Person (friend / supporter) from the circle.",
        "Coordinator Person changed Family Person&#39;s role from family to caregiver.",
        "Coordinator Person changed the circle&#39;s name, time zone.",
        "Care Recipient Person joined as care recipient.",
    ]
    assert rows[-1] == "Coordinator Person created the circle."


def test_filter_by_person_and_action(app, new_client, setup):
    coordinator = signed_in(new_client, setup.people["coordinator"])
    recipient = signed_in(new_client, setup.people["care_recipient"])
    recipient.post_form(
        setup.url(f"/members/{setup.members['family']}/role"), {"role": "caregiver"}
    )
    coordinator.post_form(
        setup.url(f"/members/{setup.members['therapist']}/role"), {"role": "family"}
    )
    page = coordinator.get(setup.url("/audit")).get_data(as_text=True)
    recipient_id = setup.people["care_recipient"].public_id
    assert f'<option value="{recipient_id}">Care Recipient Person</option>' in page
    assert '<option value="member.role_changed">Changed a role</option>' in page

    by_person = coordinator.get(setup.url(f"/audit?person={recipient_id}"))
    assert _summaries(by_person.get_data(as_text=True)) == [
        "Care Recipient Person changed Family Person&#39;s role from family to caregiver."
    ]
    by_action = coordinator.get(setup.url("/audit?action=member.role_changed"))
    assert len(_summaries(by_action.get_data(as_text=True))) == 2
    both = coordinator.get(
        setup.url(f"/audit?action=circle.created&person={recipient_id}")
    ).get_data(as_text=True)
    assert _summaries(both) == [] and "No events match these filters." in both

    unknown = coordinator.get(setup.url("/audit?person=nobody"))
    assert unknown.status_code == 422
    assert 'id="person-errors"' in unknown.get_data(as_text=True)
    assert coordinator.get(setup.url("/audit?before=abc")).status_code == 400


@pytest.mark.parametrize("role", ["family", "caregiver", "therapist", "supporter"])
def test_only_coordinators_and_the_care_recipient_see_the_log(new_client, setup, role):
    client = signed_in(new_client, setup.people[role])
    assert client.get(setup.url("/audit")).status_code == 403
    assert "Full audit log" not in client.get(setup.url()).get_data(as_text=True)
    for allowed in ("coordinator", "care_recipient"):
        other = signed_in(new_client, setup.people[allowed])
        assert other.get(setup.url("/audit")).status_code == 200
        assert "Full audit log" in other.get(setup.url()).get_data(as_text=True)


def _add_events(app, setup, count: int, start: datetime) -> None:
    """Insert ``count`` events by several actors, about several people."""
    people = list(setup.people.values())
    with app.app_context():
        for n in range(count):
            actor = people[n % len(people)]
            subject = people[(n + 1) % len(people)]
            action = ("member.role_changed", "note.viewed", "member.joined")[n % 3]
            db.session.add(
                AuditEvent(
                    occurred_at=start + timedelta(minutes=n),
                    actor_id=actor.id,
                    circle_id=setup.id,
                    action=action,
                    object_type="membership",
                    object_id=f"obj{n}",
                    details={
                        "from": "family",
                        "to": "caregiver",
                        "role": "family",
                        "user": subject.public_id,
                    },
                )
            )
        db.session.commit()


def test_keyset_pages_cost_the_same_queries_for_10_or_200_events(app, new_client, setup):
    client = signed_in(new_client, setup.people["coordinator"])
    with app.app_context():
        db.session.execute(AuditEvent.__table__.delete())
        db.session.commit()
    _add_events(app, setup, 10, datetime(2026, 1, 1, tzinfo=UTC))
    client.get(setup.url("/audit"))  # warm up: the first request's own work is not the log's
    small, html = page_statements(app, client, setup.url("/audit"))
    assert len(_summaries(html)) == 10 and "Older events" not in html

    _add_events(app, setup, 190, datetime(2026, 2, 1, tzinfo=UTC))
    large, html = page_statements(app, client, setup.url("/audit"))
    first = _summaries(html)
    assert len(first) == 50
    assert len(large) == len(small), "\n".join(large)

    seen = list(first)
    while "Older events" in html:
        cursor = re.search(r"before=(\d+)", html).group(1)
        statements, html = page_statements(app, client, setup.url(f"/audit?before={cursor}"))
        assert len(statements) == len(small)
        seen.extend(_summaries(html))
    assert len(seen) == 200

    filtered, html = page_statements(
        app, client, setup.url(f"/audit?person={setup.people['family'].public_id}")
    )
    assert len(filtered) == len(small)
    with app.app_context():
        expected = db.session.scalar(
            select(func.count()).where(AuditEvent.actor_id == setup.people["family"].id)
        )
    assert len(_summaries(html)) == expected > 0


def test_audit_queries_use_the_filter_indexes(app, setup):
    from careteam.circles import audit_log

    with app.app_context():
        indexes = {i.name for i in AuditEvent.__table__.indexes}
        assert {"ix_audit_events_circle_actor", "ix_audit_events_circle_action"} <= indexes
        if db.engine.dialect.name != "sqlite":
            return  # PostgreSQL picks plans by table statistics; the indexes exist there too
        stmt = (
            audit_log._events(setup.id)
            .where(AuditEvent.actor_id == setup.people["family"].id)
            .order_by(AuditEvent.id.desc())
            .limit(51)
        )
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(
            str(row[-1]) for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
        assert "ix_audit_events_circle_actor" in plan, plan


def test_no_passwords_or_tokens_in_audit_rows(app, new_client, setup):
    coordinator = signed_in(new_client, setup.people["coordinator"])
    coordinator.post_form(
        setup.url("/settings"), {"name": "Renamed", "description": "x", "time_zone": "UTC"}
    )
    coordinator.post_form(
        setup.url(f"/members/{setup.members['family']}/role"), {"role": "caregiver"}
    )
    coordinator.post_form(setup.url("/archive"), {})
    token = coordinator.csrf_token("/home")
    cookie = coordinator.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    secrets = [TEST_PASSWORD, token, cookie.value]
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent)).all()
        assert rows
        for row in rows:
            text = " ".join(str(getattr(row, c.key)) for c in AuditEvent.__table__.columns)
            for secret in secrets:
                assert secret not in text, row.action
            assert "password" not in text.lower() and "token" not in text.lower()

"""Site admin: who may see it, the account list (keyset pages, search), switching accounts off."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.auth.models import User, UserSession
from careteam.auth.passwords import hash_password
from careteam.circles.testing import build_circle
from careteam.db.clock import utcnow
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, login, page_statements

ROW_RE = re.compile(r'<td class="admin-email">([^<]*)</td>')


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", display_name="Ada Admin", is_site_admin=True)


@pytest.fixture
def admin_client(new_client, admin):
    client = new_client()
    assert login(client, admin.email).status_code == 302
    return client


def _add_users(app, count: int, start: int = 0, **fields) -> None:
    """Insert accounts quickly: one shared hash instead of one argon2 run each."""
    password_hash = hash_password(TEST_PASSWORD)
    with app.app_context():
        for n in range(start, start + count):
            db.session.add(
                User(
                    email=f"bulk{n:04d}@example.org",
                    display_name=f"Bulk Person {n:04d}",
                    password_hash=password_hash,
                    email_verified_at=utcnow() if n % 2 == 0 else None,
                    **fields,
                )
            )
        db.session.commit()


def _emails(html: str) -> list[str]:
    return ROW_RE.findall(html)


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        for row in rows:
            db.session.expunge(row)
        return rows


# --- who may see it --------------------------------------------------------------------------


def test_everyone_but_site_admins_gets_404(app, new_client, make_user, admin):
    member = make_user(email="member@example.org")
    anonymous = new_client()
    signed_in = new_client()
    login(signed_in, member.email)
    for client in (anonymous, signed_in):
        for url in ("/admin/", "/admin/users", "/admin/users?q=a", "/admin/plugins"):
            assert client.get(url).status_code == 404, url
        token = client.csrf_token("/home")
        response = client.post(
            f"/admin/users/{admin.public_id}/deactivate", data={"csrf_token": token}
        )
        assert response.status_code == 404
    assert _user(app, admin.email).active is True
    assert _audit(app, "admin.user_deactivated") == []


def test_site_admin_link_shows_only_for_site_admins(new_client, make_user, admin, admin_client):
    assert 'href="/admin/users"' in admin_client.get("/home").get_data(as_text=True)
    member = new_client()
    login(member, make_user().email)
    assert "Site admin" not in member.get("/home").get_data(as_text=True)
    assert admin_client.get("/admin/").headers["Location"].endswith("/admin/users")


def test_list_shows_account_fields_and_never_care_data(app, admin, admin_client, make_user):
    verified = make_user(email="verified@example.org", display_name="Vera Verified")
    make_user(email="unverified@example.org", display_name="Uma Unverified", verified=False)
    make_user(email="off@example.org", display_name="Otto Off", active=False)
    from careteam.circles.testing import Person

    build_circle(
        app,
        {"coordinator": Person(verified.id, verified.email, verified.public_id)},
        name="Secret Circle Of Vera",
    )
    response = admin_client.get("/admin/users")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert _emails(html) == [
        "admin@example.org",
        "verified@example.org",
        "unverified@example.org",
        "off@example.org",
    ]
    rows = html.split("<tr>")[2:]
    assert "Vera Verified" in rows[1] and "<td>Yes</td>\n" in rows[1]
    assert "Uma Unverified" in rows[2] and "<td>No</td>" in rows[2]
    assert "Switched off" in rows[3] and "Switch on" in rows[3]
    assert "Site admin</span>" in rows[0] and ">You<" in rows[0]
    assert utcnow().strftime("%Y") in rows[1]
    assert "Secret Circle Of Vera" not in html
    assert "/circles/" not in html
    # The role gives no way into circles either.
    with app.app_context():
        from careteam.circles.models import Circle

        circle_id = db.session.scalar(select(Circle.public_id))
    assert admin_client.get(f"/circles/{circle_id}").status_code == 404


# --- keyset pages and search -----------------------------------------------------------------


def _next_link(html: str) -> str | None:
    match = re.search(r'href="(/admin/users\?[^"]*after=[^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_pages_of_50_by_creation_with_a_constant_query_count(app, admin, admin_client):
    _add_users(app, 3)
    admin_client.get("/admin/users")
    small, html = page_statements(app, admin_client, "/admin/users")
    assert len(_emails(html)) == 4 and _next_link(html) is None
    _add_users(app, 117, start=3)  # 121 accounts with the admin
    large, html = page_statements(app, admin_client, "/admin/users")
    assert len(large) == len(small)
    first = _emails(html)
    assert len(first) == 50 and first[0] == "admin@example.org"
    second_url = _next_link(html)
    second_statements, html = page_statements(app, admin_client, second_url)
    assert len(second_statements) == len(small)
    second = _emails(html)
    assert second == [f"bulk{n:04d}@example.org" for n in range(49, 99)]
    _, html = page_statements(app, admin_client, _next_link(html))
    third = _emails(html)
    assert third == [f"bulk{n:04d}@example.org" for n in range(99, 120)]
    assert _next_link(html) is None
    assert len(set(first + second + third)) == 121


def test_bad_and_unknown_cursors(admin_client):
    assert admin_client.get("/admin/users?after=not%20an%20id").status_code == 400
    assert admin_client.get("/admin/users?after=%00").status_code == 400
    response = admin_client.get("/admin/users?after=AAAAAAAAAAAA")
    assert response.status_code == 200
    assert "There are no more accounts." in response.get_data(as_text=True)


def test_search_by_email_or_name_prefix(app, admin, admin_client, make_user):
    make_user(email="maya.lopez@example.org", display_name="Maya López")
    make_user(email="sam@example.org", display_name="Dr Maya Grant")
    make_user(email="mayor@example.org", display_name="Tom Mayor")
    make_user(email="a_b@example.org", display_name="Underscore")
    make_user(email="axb@example.org", display_name="Lookalike")
    html = admin_client.get("/admin/users?q=MAYA").get_data(as_text=True)
    assert _emails(html) == ["maya.lopez@example.org"]
    html = admin_client.get("/admin/users?q=dr+maya").get_data(as_text=True)
    assert _emails(html) == ["sam@example.org"]
    html = admin_client.get("/admin/users?q=may").get_data(as_text=True)
    assert _emails(html) == ["maya.lopez@example.org", "mayor@example.org"]
    # LIKE wildcards typed by the admin are plain characters.
    html = admin_client.get("/admin/users?q=a_").get_data(as_text=True)
    assert _emails(html) == ["a_b@example.org"]
    assert _emails(admin_client.get("/admin/users?q=%25").get_data(as_text=True)) == []
    assert "No account matches." in admin_client.get("/admin/users?q=zzz").get_data(as_text=True)


def test_search_results_page_on_with_the_search_kept(app, admin_client):
    _add_users(app, 60)
    html = admin_client.get("/admin/users?q=bulk").get_data(as_text=True)
    assert len(_emails(html)) == 50
    link = _next_link(html)
    assert "q=bulk" in link
    html = admin_client.get(link).get_data(as_text=True)
    assert _emails(html) == [f"bulk{n:04d}@example.org" for n in range(50, 60)]


def test_naughty_search_strings_never_break_the_page(admin_client, blns):
    for text in blns:
        response = admin_client.get("/admin/users", query_string={"q": text})
        assert response.status_code in (200, 422), repr(text)
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html
        if response.status_code == 422:
            assert 'id="q-errors"' in html, repr(text)
        else:
            # Shown back in the search box exactly as typed (surrounding spaces trimmed).
            assert f'value="{escape(text.strip())}"' in html, repr(text)


# --- switching accounts off and on ------------------------------------------------------------


def test_switching_off_ends_every_session_and_blocks_sign_in(
    app, new_client, make_user, admin, admin_client
):
    target = make_user(email="target@example.org")
    phone, laptop = new_client(), new_client()
    login(phone, target.email)
    login(laptop, target.email, remember=True)
    assert phone.get("/home").status_code == 200
    response = admin_client.post_form(
        f"/admin/users/{target.public_id}/deactivate",
        {"next": "/admin/users?q=target"},
        page="/admin/users",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users?q=target"
    html = admin_client.get("/admin/users?q=target").get_data(as_text=True)
    assert "target@example.org is switched off and signed out everywhere." in html
    for client in (phone, laptop):
        assert client.get("/home").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.id == target.id)) is False
        sessions = list(
            db.session.scalars(select(UserSession).where(UserSession.user_id == target.id))
        )
        assert len(sessions) == 2 and all(s.revoked_at is not None for s in sessions)
    (event_row,) = _audit(app, "admin.user_deactivated")
    assert event_row.actor_id == admin.id
    assert event_row.object_id == target.public_id
    assert event_row.details == {"sessions_ended": 2}
    refused = login(new_client(), target.email)
    assert refused.status_code == 401
    assert "switched off" in refused.get_data(as_text=True)


def test_switching_back_on_lets_the_person_sign_in(app, new_client, make_user, admin_client, admin):
    target = make_user(email="target@example.org", active=False)
    url = f"/admin/users/{target.public_id}/reactivate"
    response = admin_client.post_form(url, {}, page="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    assert _user(app, target.email).active is True
    (event_row,) = _audit(app, "admin.user_reactivated")
    assert event_row.actor_id == admin.id and event_row.object_id == target.public_id
    assert login(new_client(), target.email).status_code == 302
    # Again: nothing to change, so no second audit row.
    admin_client.post_form(url, {}, page="/admin/users")
    assert len(_audit(app, "admin.user_reactivated")) == 1


def test_an_admin_cannot_switch_themselves_off(app, admin, admin_client):
    response = admin_client.post_form(f"/admin/users/{admin.public_id}/deactivate", {}, "/admin/")
    assert response.status_code == 302
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "You cannot switch off your own account." in html
    assert _user(app, admin.email).active is True
    assert _audit(app, "admin.user_deactivated") == []
    assert "/deactivate" not in html.split("admin@example.org")[1].split("</tr>")[0]


def test_account_actions_need_csrf_a_known_id_and_a_safe_return(app, admin_client, make_user):
    target = make_user(email="target@example.org")
    url = f"/admin/users/{target.public_id}/deactivate"
    assert admin_client.post(url).status_code == 400
    assert _user(app, target.email).active is True
    for bad in ("AAAAAAAAAAAA", "%00", "x" * 40):
        response = admin_client.post_form(f"/admin/users/{bad}/deactivate", {}, "/admin/users")
        assert response.status_code == 404
    response = admin_client.post_form(url, {"next": "https://evil.example/"}, "/admin/users")
    assert response.headers["Location"] == "/admin/users"
    assert _user(app, target.email).active is False

"""Test clients that post forms as a browser does, accounts, and signing in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..auth.models import User
from ..auth.passwords import hash_password
from ..db.clock import utcnow
from ..extensions import db

TEST_PASSWORD = "correct horse battery staple 42"  # noqa: S105
_CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


# --- clients ------------------------------------------------------------------------------------


class CareClient(FlaskClient):
    """A test client that fills in CSRF tokens the way a browser submitting a form would."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        """Read each response whole and close it, as a WSGI server does once it has sent the
        body, so what runs after the response (delivering queued email) is done by the time
        the test looks."""
        return super().open(*args, buffered=buffered, **kwargs)

    def csrf_token(self, page: str = "/") -> str:
        """GET ``page`` (following redirects) and return the CSRF token of its form."""
        response = self.get(page, follow_redirects=True)
        match = _CSRF_RE.search(response.get_data(as_text=True))
        if match is None:
            raise AssertionError(f"no CSRF token on {page} (status {response.status_code})")
        return match.group(1) or match.group(2)

    def post_form(
        self, url: str, data: dict[str, Any] | None = None, page: str | None = None, **kwargs: Any
    ) -> Any:
        """GET ``page`` (default ``url``), take its CSRF token, then POST ``data`` to ``url``."""
        payload = dict(data or {})
        payload["csrf_token"] = self.csrf_token(page or url)
        return self.post(url, data=payload, **kwargs)


def _care_client(app: Flask) -> CareClient:
    app.test_client_class = CareClient
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def client(app: Flask) -> CareClient:
    """A signed-out test client on ``app`` that fills in CSRF tokens (a :class:`CareClient`)."""
    return _care_client(app)


@pytest.fixture
def new_client(app: Flask) -> Callable[[], CareClient]:
    """Return a factory for independent clients (separate browsers)."""
    return lambda: _care_client(app)


@pytest.fixture
def runner(app: Flask):
    """Flask's command-line runner for ``app``: ``runner.invoke(args=["careteam", ...])``."""
    return app.test_cli_runner()


# --- people ---------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask):
    """Return a factory that creates an account directly (verified unless told otherwise) and
    returns its ``User``, detached from the session: read ``.id``, ``.email``, ``.public_id``."""
    counter = {"n": 0}

    def make(
        email: str | None = None,
        display_name: str = "Test Person",
        password: str = TEST_PASSWORD,
        verified: bool = True,
        **fields: Any,
    ) -> User:
        counter["n"] += 1
        with app.app_context():
            user = User(
                email=email or f"person{counter['n']}@example.org",
                display_name=display_name,
                password_hash=hash_password(password),
                email_verified_at=utcnow() if verified else None,
                **fields,
            )
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


def login(client: CareClient, email: str, password: str = TEST_PASSWORD, remember: bool = False):
    """Sign in through the real form; return the response."""
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post_form("/login", data)


def logout(client: CareClient):
    """Sign out through the real form; return the response."""
    return client.post_form("/logout", {}, page="/home")


def signed_in(new_client: Callable[[], CareClient], who: Any) -> CareClient:
    """Return a new client signed in through the real form as ``who``: a person (anything with
    an ``email``, such as ``setup.people["family"]``) or an email address."""
    client = new_client()
    email = who if isinstance(who, str) else who.email
    assert login(client, email).status_code == 302, f"could not sign in as {email}"
    return client


@pytest.fixture
def client_as(app: Flask, circle_with_roles: Any) -> Callable[[str], CareClient]:
    """Return a factory: ``client_as("therapist")`` is a client signed in as that member."""
    return lambda role: signed_in(lambda: _care_client(app), circle_with_roles.people[role])

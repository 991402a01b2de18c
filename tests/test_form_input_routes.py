"""Every POST route refuses a file sent where text belongs: 400 or 422, never a 500 or a save.

The routes come from the app's URL map with core and every installed plugin loaded, so a route
added later is walked without anyone editing this file.  Each route is visited by someone who
may use it (a member whose role holds the route's capability, in a fresh circle; outside
circles a visitor, or a signed-in site administrator where a visitor is sent away).  The form
that posts to the route is found on the route's own page or on the nearest page above it, and
posted once per field with that field sent as a file and the other fields as the page filled
them.  Where no page shows a form for the route, a file part is posted under a name no form
uses: the route must refuse it all the same.  A JSON body (numbers where text belongs) is posted
to every route too: pages read web forms only.
"""

from __future__ import annotations

import importlib.util
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from sqlalchemy import select

import careteam.appointments.testing  # noqa: F401 - the calendar's URL-argument factories
import careteam.invitations.testing as invitations_testing
from careteam.circles.testing import build_circle, circle_url, people_for_every_role
from careteam.extensions import db
from careteam.permissions import circle_rules, declared_capability, role_has
from careteam.roles import Role
from careteam.testing import CareClient, login
from careteam.testing.plugins import switch_on_every_plugin
from careteam.web.forms import FILE_IN_FORM, FILE_IN_TEXT_FIELD, NOT_A_FORM_POST

# The permission matrix registers the URL-argument factories of other features' routes.
_spec = importlib.util.spec_from_file_location(
    "careteam_matrix_factories_for_files", Path(__file__).with_name("test_permission_matrix.py")
)
_matrix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_matrix)

# Routes that really take a file, each with the reason; none does today.
FILE_ROUTES: dict[str, str] = {}
# Free text the other fields carry, to check that a refused page keeps what was typed.
KEPT_TEXT = "Kept words 4711"
# Where no page shows a form for a route: a name no CareTeam form has.
UNKNOWN_FIELD = "not_a_field"
REFUSALS = {400, 422}
# Routes whose answer to any invalid form is the route's own refusal, with the reason.
OWN_REFUSALS = {
    # An invalid button press on an invitation shows the "link no longer works" page.
    "invite.accept": {404},
    "invite.claim": {404},
}


# --- forms on a page -------------------------------------------------------------------------


@dataclass
class PageForm:
    action: str
    method: str
    # name -> values as a browser would send them (unchecked boxes send nothing)
    fields: dict[str, list[str]] = field(default_factory=dict)
    free_text: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """Collect each <form>: its action, and its fields with the values the page gave them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._button_taken: set[str] = set()

    def _add(self, name: str, value: str, kind: str) -> None:
        assert self._form is not None
        self._form.fields.setdefault(name, []).append(value)
        self._form.kinds.setdefault(name, kind)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = PageForm(a.get("action", ""), a.get("method", "get").lower())
            self._button_taken = set()
            return
        if self._form is None or not a.get("name") or "disabled" in a:
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self._form.kinds.setdefault(name, kind)
                if "checked" in a:
                    self._add(name, a.get("value", "on"), kind)
            elif kind in ("submit", "button", "image", "reset", "file"):
                return
            else:
                self._add(name, a.get("value", ""), kind)
                if kind in ("text", "search"):
                    self._form.free_text.add(name)
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "", "textarea")
            self._form.free_text.add(name)
        elif tag == "select":
            self._select, self._select_value = name, None
            self._form.kinds.setdefault(name, "select")
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif (
            tag == "button"
            and a.get("type", "submit") == "submit"
            and name not in self._button_taken
        ):
            # The first named button, as if the person pressed it.
            self._button_taken.add(name)
            self._add(name, a.get("value", ""), "button")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            values = self._form.fields[self._textarea]
            values[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select is not None:
            if self._select_value is not None:
                self._add(self._select, self._select_value, "select")
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def forms_on(page: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


def _posts_to(form: PageForm, page_path: str, target: str) -> bool:
    action = urlsplit(form.action).path or page_path
    return form.method == "post" and action == target


def find_form(client: CareClient, url: str) -> PageForm | None:
    """The form that posts to ``url``: on ``url``'s own page (another route may serve it), the
    nearest page above it, or the home page (where the buttons of every page are)."""
    path = urlsplit(url).path
    parts = path.rstrip("/").split("/")
    pages = [path, *("/".join(parts[:end]) for end in range(len(parts) - 1, 1, -1)), "/home"]
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for form in forms_on(response.get_data(as_text=True)):
            if _posts_to(form, page, path):
                return form
    return None


# --- who visits, and the URL arguments of routes outside circles ------------------------------


@dataclass
class Visit:
    """One route to probe: its URL and the client that may use it."""

    endpoint: str
    url: str
    client: CareClient


@dataclass
class SiteCast:
    """The people for routes outside circles."""

    admin: Any  # a signed-in site administrator (and so a signed-in person for account pages)
    admin_client: CareClient
    other: Any  # an account the administrator acts on, and whose reset link is used
    circle: Any  # a circle of ``other``'s, for invitation links


def _issue(app: Flask, user_id: int, purpose: str, new_email: str | None = None) -> str:
    from careteam.auth import account_tokens

    with app.app_context():
        raw = account_tokens.issue(user_id, purpose, timedelta(hours=1), new_email=new_email)
        db.session.commit()
        return raw


def _live_session(app: Flask, user_id: int) -> str:
    from careteam.auth.models import UserSession

    with app.app_context():
        return db.session.scalar(
            select(UserSession.public_id)
            .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.id.desc())
            .limit(1)
        )


def _invitation_token(app: Flask, cast: SiteCast, kind: str = "link") -> str:
    coordinator = cast.circle.people[Role.COORDINATOR.value].id
    return invitations_testing.make_invitation(app, cast.circle.id, coordinator, kind=kind)[1]


# endpoint -> (app, cast) -> URL arguments.  A new route outside circles with URL arguments
# needs its entry here; the walk fails and names it until it has one.
SITE_URL_ARGUMENTS: dict[str, Callable[[Flask, SiteCast], dict[str, str]]] = {
    "auth.reset_password": lambda app, cast: {
        "token": _issue(app, cast.other.id, "reset_password")
    },
    "auth.sign_in_link": lambda app, cast: {"token": _issue(app, cast.other.id, "sign_in_link")},
    "account.confirm_email": lambda app, cast: {
        "token": _issue(
            app, cast.admin.id, "change_email", f"moved-{secrets.token_hex(4)}@example.org"
        )
    },
    "account.end_session": lambda app, cast: {"public_id": _live_session(app, cast.admin.id)},
    "admin.deactivate": lambda _app, cast: {"public_id": cast.other.public_id},
    "admin.reactivate": lambda _app, cast: {"public_id": cast.other.public_id},
    "invite.accept": lambda app, cast: {"token": _invitation_token(app, cast)},
    "invite.claim": lambda app, cast: {"token": _invitation_token(app, cast, kind="email")},
    "invite.register": lambda app, cast: {"token": _invitation_token(app, cast)},
    # The therapy plugin's templates pages: the administrator prescribes in a circle of theirs.
    "therapy_site.template": lambda app, cast: _therapy_template(app, cast),
    "therapy_site.delete_template": lambda app, cast: _therapy_template(app, cast),
}


def _therapy_template(app: Flask, cast: SiteCast) -> dict[str, str]:
    from careteam_therapy.testing import make_template_for  # only where the plugin is installed

    return {"template_id": make_template_for(app, cast.admin, cast.other)}


def _acting_role(app: Flask, capability: str) -> str:
    """The coordinator where they hold ``capability``; otherwise the first role that does."""
    with app.app_context():
        holders = [role.value for role in Role if role_has(role.value, capability)]
    assert holders, f"no role holds {capability}"
    return Role.COORDINATOR.value if Role.COORDINATOR.value in holders else holders[0]


def post_routes(app: Flask) -> list[Any]:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    return sorted(rules, key=lambda rule: rule.rule)


def _circle_visit(app: Flask, rule: Any, people: dict, new_client: Callable) -> Visit:
    capability = declared_capability(app.view_functions[rule.endpoint])
    role = _acting_role(app, capability)
    setup = build_circle(app, people, name=f"Files {rule.endpoint}")
    switch_on_every_plugin(app, setup)
    client = new_client()
    login(client, people[role].email)
    url = circle_url(app, rule, setup, role)
    return Visit(rule.endpoint, url, client)


def _site_visit(app: Flask, rule: Any, cast: SiteCast, new_client: Callable) -> Visit:
    arguments: dict[str, str] = {}
    if rule.arguments:
        make = SITE_URL_ARGUMENTS.get(rule.endpoint)
        assert make is not None, (
            f"{rule.rule} ({rule.endpoint}) takes URL arguments: add how to make them to "
            "SITE_URL_ARGUMENTS in this file so the route is probed"
        )
        arguments = make(app, cast)
    with app.test_request_context():
        url = url_for(rule.endpoint, **arguments)
    # A page a visitor may open is probed as a visitor; the rest (signed-in pages, buttons) as
    # a signed-in site administrator.
    visitor = new_client()
    if "GET" in rule.methods and visitor.get(url).status_code == 200:
        return Visit(rule.endpoint, url, visitor)
    return Visit(rule.endpoint, url, cast.admin_client)


# --- posting ---------------------------------------------------------------------------------


def _file(marker: str) -> tuple[io.BytesIO, str, str]:
    return io.BytesIO(f"FILE BYTES {marker}".encode()), f"{marker}.txt", "text/plain"


def _bodies(form: PageForm | None, marker: str) -> list[tuple[str, dict[str, Any]]]:
    """(field sent as a file, multipart body) for each field of ``form``."""
    if form is None:
        return [(UNKNOWN_FIELD, {UNKNOWN_FIELD: _file(marker)})]
    filled = {
        name: [KEPT_TEXT] if name in form.free_text else list(values)
        for name, values in form.fields.items()
        if name != "csrf_token"
    }
    bodies = []
    for name in sorted(set(form.kinds) - {"csrf_token"}):
        data: dict[str, Any] = {other: values for other, values in filled.items() if other != name}
        data[name] = _file(marker)
        bodies.append((name, data))
    return bodies


def _stored_anywhere(app: Flask, marker: str) -> list[str]:
    """Tables whose rows hold ``marker`` (the file's bytes or its name)."""
    found = []
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if any(marker in repr(tuple(row)) for row in conn.execute(select(table))):
                found.append(table.name)
    return found


def probe(app: Flask, visit: Visit) -> list[str]:
    """Post a file in each field of the route's form; return what went wrong."""
    problems = []
    form = find_form(visit.client, visit.url)
    expected = OWN_REFUSALS.get(visit.endpoint, REFUSALS)
    token = visit.client.csrf_token("/home")
    for name, data in _bodies(form, marker := f"upload-{secrets.token_hex(6)}"):
        data["csrf_token"] = token
        response = visit.client.post(visit.url, data=data, content_type="multipart/form-data")
        where = f"POST {visit.url} [{visit.endpoint}] with a file in {name!r}"
        if response.status_code not in expected:
            problems.append(f"{where}: got {response.status_code}, expected {sorted(expected)}")
            continue
        page = response.get_data(as_text=True)
        if response.status_code == 422:
            if FILE_IN_TEXT_FIELD not in page and FILE_IN_FORM not in page:
                problems.append(f"{where}: the 422 page does not say what was wrong")
            kept = form is not None and any(n != name for n in form.free_text)
            if kept and KEPT_TEXT not in page:
                problems.append(f"{where}: the 422 page lost the text of the other fields")
    stored = _stored_anywhere(app, marker)
    if stored:
        problems.append(f"POST {visit.url} [{visit.endpoint}] stored the file in {stored}")
    return problems + _probe_json(visit, form, token, expected)


def _probe_json(visit: Visit, form: PageForm | None, token: str, expected: set[int]) -> list[str]:
    """A JSON body (numbers where the fields take text) is not form input either."""
    names = sorted(set(form.kinds) - {"csrf_token"}) if form else [UNKNOWN_FIELD]
    response = visit.client.post(
        visit.url, json=dict.fromkeys(names, 5), headers={"X-CSRFToken": token}
    )
    where = f"POST {visit.url} [{visit.endpoint}] with a JSON body"
    if response.status_code not in expected:
        return [f"{where}: got {response.status_code}, expected {sorted(expected)}"]
    if response.status_code == 422 and NOT_A_FORM_POST not in response.get_data(as_text=True):
        return [f"{where}: the 422 page does not say what was wrong"]
    return []


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture
def careteam_plugins(plugin_with_settings):
    # The plugin settings route is visited with a plugin of the tests' own, whatever is installed.
    return [plugin_with_settings]


@pytest.fixture
def site_cast(app, make_user, new_client) -> SiteCast:
    admin = make_user(display_name="Site Admin", is_site_admin=True)
    other = make_user(display_name="Other Person")
    admin_client = new_client()
    assert login(admin_client, admin.email).status_code == 302
    from careteam.circles.testing import Person

    people = {Role.COORDINATOR.value: Person(other.id, other.email, other.public_id)}
    circle = build_circle(app, people, name="Invitations circle")
    return SiteCast(admin, admin_client, other, circle)


def test_every_post_route_refuses_a_file_in_a_text_field(app, new_client, make_user, site_cast):
    people = people_for_every_role(make_user)
    in_circles = {rule.endpoint for rule in circle_rules(app)}
    problems: list[str] = []
    walked = set()
    for rule in post_routes(app):
        if rule.endpoint in FILE_ROUTES:
            continue
        if rule.endpoint in in_circles:
            visit = _circle_visit(app, rule, people, new_client)
        else:
            visit = _site_visit(app, rule, site_cast, new_client)
        problems += probe(app, visit)
        walked.add(rule.endpoint)
    # Core's and the installed first-party plugins' routes were walked, outside circles and in.
    expected = {"auth.login", "account.profile", "notes.new"}
    loaded = app.extensions["careteam"].plugins
    expected |= {e for e in ("devices.new", "hello.add") if e.split(".")[0] in loaded}
    assert expected <= walked
    assert problems == [], "\n".join(problems)


def test_every_plugin_settings_form_refuses_a_file(app, new_client, make_user):
    """The plugin settings route serves one form per plugin: each plugin's is probed."""
    people = people_for_every_role(make_user)
    host = app.extensions["careteam"]
    with_settings = [name for name, p in sorted(host.plugins.items()) if p.settings_form]
    assert "settingsprobe" in with_settings
    problems: list[str] = []
    for name in with_settings:
        setup = build_circle(app, people, name=f"Settings of {name}")
        switch_on_every_plugin(app, setup)
        client = new_client()
        login(client, people[Role.COORDINATOR.value].email)
        url = setup.url(f"/settings/plugins/{name}")
        problems += probe(app, Visit("circle_plugins.plugin_settings_page", url, client))
    assert problems == [], "\n".join(problems)


def test_the_routes_listed_as_taking_files_exist(app):
    endpoints = {rule.endpoint for rule in post_routes(app)}
    assert set(FILE_ROUTES) <= endpoints

"""Plugins' panels on the signed-in person's /home page (hook careteam_home_panels)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask

from careteam import hookimpl
from careteam.api import Panel, PluginManifest, memberships_of
from careteam.circles.testing import Person, build_circle
from careteam.testing import signed_in, sql_statements

HERE = Path(__file__).parent
TEMPLATES = "home_panel_templates"
_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
CALLS: list[dict[str, Any]] = []


def _caseload(user: Any = None, **kwargs: Any) -> dict[str, Any] | None:
    CALLS.append({"user_id": user.id, "is_user": user.is_authenticated, "others": sorted(kwargs)})
    pairs = memberships_of(user.id, capability="circle.view")
    if not pairs:
        return None  # nothing for someone in no circle: the panel is left out
    return {"names": [circle.name for circle, _ in pairs]}


def _broken(**_: Any) -> dict[str, Any]:
    raise RuntimeError("the panel's builder fails")


class Caseload:
    """A home panel listing the person's circles, one whose builder raises, one whose template
    is missing; switched on in no circle (a home panel is not tied to one)."""

    @hookimpl
    def careteam_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="caseload", label="Caseload")

    @hookimpl
    def careteam_home_panels(self) -> list[Panel]:
        return [
            Panel("caseload", "My caseload", "caseload/_home.html", 20, _caseload),
            Panel("caseload-broken", "Broken", "caseload/_home.html", 30, _broken),
            Panel("caseload-missing", "Missing", "caseload/_nowhere.html", 40),
        ]

    @hookimpl
    def careteam_blueprints(self) -> list[Blueprint]:
        # Only to ship the panel's template, as a plugin's blueprint does.
        return [Blueprint("caseload", __name__, root_path=str(HERE), template_folder=TEMPLATES)]


@pytest.fixture
def careteam_plugins() -> list[Any]:
    return [Caseload()]


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    CALLS.clear()


def _person(make_user: Any, name: str) -> Person:
    user = make_user(display_name=name)
    return Person(user.id, user.email, user.public_id)


def _therapist_in(app: Flask, make_user: Any, names: list[str]) -> Person:
    therapist = _person(make_user, "Thea Therapist")
    for index, name in enumerate(names):
        lead = _person(make_user, f"Lead {index}")
        build_circle(app, {"coordinator": lead, "therapist": therapist}, name=name)
    return therapist


def test_hook_home_panels(app: Flask, make_user: Any, new_client: Any, caplog: Any) -> None:
    """The panel is built with user=current_user and rendered in its own section; the failing
    panels are logged and left out, and the page is still 200."""
    therapist = _therapist_in(app, make_user, ["Maya's circle", "Joe's circle"])
    client = signed_in(new_client, therapist)
    with caplog.at_level(logging.ERROR):
        response = client.get("/home")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<h2 id="section-caseload">My caseload</h2>' in html
    assert "<li>Joe&#39;s circle</li>" in html and "<li>Maya&#39;s circle</li>" in html
    assert html.index("section-my-circles") < html.index("section-caseload")
    assert "section-caseload-broken" not in html and "section-caseload-missing" not in html
    [call] = CALLS
    assert call == {"user_id": therapist.id, "is_user": True, "others": []}
    logged = caplog.text
    assert "caseload-broken" in logged and "caseload" in logged
    assert "caseload-missing" in logged


def test_a_panel_returning_none_is_left_out(app: Flask, make_user: Any, new_client: Any) -> None:
    loner = make_user()
    response = signed_in(new_client, loner).get("/home")
    assert response.status_code == 200
    assert "section-caseload" not in response.get_data(as_text=True)
    assert len(CALLS) == 1


def test_circle_home_pages_do_not_show_home_panels(
    app: Flask, make_user: Any, new_client: Any
) -> None:
    therapist = _therapist_in(app, make_user, ["Only"])
    client = signed_in(new_client, therapist)
    circle_url = client.get("/home").get_data(as_text=True)
    CALLS.clear()
    match = re.search(r'href="(/circles/[^"/]+)"', circle_url)
    assert match, circle_url
    assert client.get(match.group(1)).status_code == 200
    assert CALLS == []


def _home_statements(app: Flask, client: Any) -> list[str]:
    with sql_statements(app) as statements:
        assert client.get("/home").status_code == 200
    return [s for s in statements if not _TRANSACTION_CONTROL.match(s)]


def test_a_panels_statements_are_its_own_and_constant(
    app: Flask, make_user: Any, new_client: Any
) -> None:
    """The panel's read (one statement for any number of circles) is all it adds to /home."""
    few = signed_in(new_client, _therapist_in(app, make_user, ["A"]))
    many = signed_in(new_client, _therapist_in(app, make_user, [f"C{i}" for i in range(12)]))
    few_statements = _home_statements(app, few)
    many_statements = _home_statements(app, many)
    assert len(few_statements) == len(many_statements), many_statements
    panel_reads = [s for s in many_statements if "circle_plugins" in s]
    assert len(panel_reads) == 1, many_statements

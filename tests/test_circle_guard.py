"""The circle guard's reads stay out of permissions.py, which every feature imports."""

from __future__ import annotations

import ast
from pathlib import Path

import careteam.permissions


def _imported_modules(path: Path) -> set[str]:
    """Return every module a file imports, inside functions too, relative ones as written."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_permissions_imports_no_model_and_no_circle_code() -> None:
    imported = _imported_modules(Path(careteam.permissions.__file__))
    offending = {
        name
        for name in imported
        if "models" in name.split(".") or "circles" in name.split(".") or "guard" in name
    }
    assert offending == set(), offending


def test_the_circles_package_hands_the_guard_its_loader(app) -> None:
    from careteam.circles.guard import load_circle_membership

    assert app.extensions["careteam_membership_loader"] is load_circle_membership


def test_a_circle_page_opens_with_the_remember_cookie_alone(
    client_as, new_client, circle_with_roles
) -> None:
    """No session token in the cookie session: Flask-Login signs the person in from the
    remember cookie and the guard still finds their membership."""
    from careteam.testing import login

    person = circle_with_roles.people["family"]
    signed_in = new_client()
    login(signed_in, person.email, remember=True)
    remember = signed_in.get_cookie("careteam_remember")
    other = new_client()
    other.set_cookie("careteam_remember", remember.value)
    assert other.get(circle_with_roles.url()).status_code == 200


def test_a_circle_page_refuses_a_session_cookie_copied_before_logout(
    new_client, circle_with_roles
) -> None:
    from careteam.testing import login, logout

    person = circle_with_roles.people["coordinator"]
    signed_in = new_client()
    login(signed_in, person.email)
    stolen = signed_in.get_cookie("careteam_session")
    logout(signed_in)
    thief = new_client()
    thief.set_cookie("careteam_session", stolen.value)
    answer = thief.get(circle_with_roles.url())
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_signed_out_visitors_go_to_sign_in_even_for_impossible_circle_ids(client) -> None:
    answer = client.get("/circles/%00/notes")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]

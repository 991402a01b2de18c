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

"""The plugin contract: every hook documented and tested, plugins import only careteam.api,
and the reference in docs/plugins.md matches the hook specs."""

from __future__ import annotations

import ast
import inspect
import re
import typing
from pathlib import Path

import pytest

import careteam.api
from careteam import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("careteam_"))
TESTS = sorted([*(ROOT / "tests").glob("test_*.py"), *(ROOT / "plugins").glob("*/tests/test_*.py")])


def test_there_are_hooks_of_every_kind():
    assert {"careteam_plugin_manifest", "careteam_permission", "careteam_note_created"} <= set(
        HOOKS
    )
    assert len(HOOKS) >= 23


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc) >= 60, f"{hook} needs a docstring saying when it is called and what it returns"


def _type_checking_names() -> dict[str, object]:
    """Run the spec module's ``if TYPE_CHECKING:`` imports, which the running app skips."""
    tree = ast.parse(inspect.getsource(hookspecs))
    [block] = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    ]
    names: dict[str, object] = {"__name__": hookspecs.__name__, "__package__": "careteam"}
    exec(compile(ast.Module(body=block.body, type_ignores=[]), "hookspecs", "exec"), names)  # noqa: S102
    return names


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_typed(hook):
    spec = getattr(hookspecs, hook)
    hints = typing.get_type_hints(spec, localns=_type_checking_names())
    params = set(inspect.signature(spec).parameters)
    assert set(hints) == params | {"return"}, f"{hook}: type every argument and the return"
    assert typing.Any not in hints.values(), f"{hook}: say what it takes and returns, not Any"


def _hook_tests() -> dict[str, list[str]]:
    """Map each ``test_hook_<name>`` test function to the files that define it."""
    found: dict[str, list[str]] = {}
    for path in TESTS:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_"):
                found.setdefault(node.name, []).append(path.name)
    return found


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test_named_after_it(hook):
    # As in Datasette: test_hook_<name> calls the hook through a plugin and checks what core
    # does with the answer.
    wanted = "test_hook_" + hook.removeprefix("careteam_")
    assert wanted in _hook_tests(), f"no test named {wanted} exercises {hook}"


def test_every_hook_test_names_a_hook():
    hooks = {hook.removeprefix("careteam_") for hook in HOOKS}
    stray = {name: files for name, files in _hook_tests().items() if name[10:] not in hooks}
    assert not stray, f"test_hook_* tests naming no hook: {stray}"


def test_the_reference_is_generated_from_the_specs():
    from careteam.reference import with_references

    document = (ROOT / "docs" / "plugins.md").read_text()
    assert with_references(document) == document, (
        "docs/plugins.md is out of date: python -m careteam.reference docs/plugins.md"
    )


def test_the_reference_documents_every_hook_with_its_arguments():
    reference = (ROOT / "docs" / "plugins.md").read_text()
    for hook in HOOKS:
        params = list(inspect.signature(getattr(hookspecs, hook)).parameters)
        heading = f"#### `{hook}({', '.join(params)})`"
        assert heading in reference, f"docs/plugins.md lacks {heading}"
    documented = set(re.findall(r"^#### `(careteam_\w+)\(", reference, flags=re.MULTILINE))
    assert documented == set(HOOKS), f"documented but not a hook: {documented - set(HOOKS)}"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


PLUGIN_FILES = sorted((ROOT / "plugins").glob("*/**/*.py"))


def test_there_are_plugin_files_to_check():
    assert any("careteam_hello" in str(p) for p in PLUGIN_FILES)


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_nothing_from_core_but_the_documented_surface(path):
    relative = path.relative_to(ROOT / "plugins")
    # Test support may use the plugin-author kit too.
    in_tests = "tests" in relative.parts or path.name in ("testing.py", "conftest.py")
    allowed = {"careteam.api", "careteam.testing"} if in_tests else {"careteam.api"}
    for module in _imports(path):
        if module == "careteam" or module.startswith("careteam."):
            assert module in allowed, f"{relative} imports {module}"


def test_the_surface_lists_what_it_exports():
    for name in careteam.api.__all__:
        assert hasattr(careteam.api, name), name
    assert len(careteam.api.__all__) == len(set(careteam.api.__all__))


def test_the_surface_functions_are_documented():
    for name in careteam.api.__all__:
        value = getattr(careteam.api, name)
        if inspect.isfunction(value) and value.__module__ == "careteam.api":
            assert inspect.getdoc(value), f"careteam.api.{name} needs a docstring"


def test_display_name_of_reads_names_in_the_plugins_own_query(app, make_user):
    """The name comes as a column of the same statement, NULL for nobody or a gone account."""
    from sqlalchemy import literal, select, union_all

    from careteam.api import db, display_name_of

    sam = make_user(display_name="Sam <b>")
    with app.app_context():
        ids = union_all(
            select(literal(sam.id).label("person_id")),
            select(literal(10**9).label("person_id")),
            select(literal(None).label("person_id")),
        ).subquery()
        rows = db.session.execute(
            select(ids.c.person_id, display_name_of(ids.c.person_id).label("name"))
        ).all()
    assert {(row.person_id, row.name) for row in rows} == {
        (sam.id, "Sam <b>"),
        (10**9, None),
        (None, None),
    }

"""docs/plugins.md's testing guide lists the kit as it is: its fixtures are the kit's fixtures,
its helpers are importable and not fixtures, and nothing the kit exports is left out."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import careteam.testing

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)")


def _section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("\n## Testing a plugin\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _table_names(heading: str) -> list[str]:
    """The names in the first column of the table under ``heading`` (one or more per row)."""
    part = _section().split(f"\n{heading}\n", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("| ")][2:]  # header, rule
    names = []
    for row in rows:
        first_cell = row.split(" | ")[0]
        names += _NAME.findall(first_cell)
    return names


@pytest.fixture(scope="module")
def kit_fixtures(tmp_path_factory) -> set[str]:
    """What pytest lists as the kit's fixtures, run from a folder with no conftest.py (as a
    plugin's tests are: the kit comes in through its pytest11 entry point alone)."""
    folder = tmp_path_factory.mktemp("no-conftest")
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--fixtures", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    ).stdout
    found = set(re.findall(r"^(\w+)(?: \[\w+ scope\])? -- .*careteam/testing/", listing, re.M))
    assert {"app", "client"} <= found, listing[-3000:]
    return found


FIXTURES = _table_names("### Fixtures")
HELPERS = _table_names("### Helpers")


def test_the_guide_has_both_tables():
    assert "app" in FIXTURES and "make_user" in FIXTURES
    assert "login" in HELPERS and "check_plugin_migrations" in HELPERS
    assert not set(FIXTURES) & set(HELPERS)


@pytest.mark.parametrize("name", FIXTURES)
def test_each_listed_fixture_is_one_the_kit_provides(name, kit_fixtures):
    assert name in kit_fixtures, f"{name} is in the guide's fixtures table but is no kit fixture"


def test_every_kit_fixture_is_listed(kit_fixtures):
    assert kit_fixtures <= set(FIXTURES), "add these to the guide's fixtures table"


@pytest.mark.parametrize("name", HELPERS)
def test_each_listed_helper_is_importable_and_not_a_fixture(name, kit_fixtures):
    assert hasattr(careteam.testing, name), f"careteam.testing has no {name}"
    assert name not in kit_fixtures, f"{name} is a fixture: move it to the fixtures table"


def test_everything_the_kit_exports_is_in_a_table():
    missing = set(careteam.testing.__all__) - set(FIXTURES) - set(HELPERS)
    assert not missing, f"document these in docs/plugins.md's testing guide: {sorted(missing)}"

"""Which names and folders ``careteam new-plugin`` may take, and its refusals."""

from __future__ import annotations

import importlib.util
import keyword
import os
import re
from collections.abc import Iterable
from pathlib import Path

# A lowercase Python identifier that does not end in "_" (the distribution is named
# careteam-<name> with "_" as "-", and a distribution name must end with a letter or digit).
NAME_PATTERN = re.compile(r"[a-z](?:[a-z0-9_]*[a-z0-9])?")

# Short enough that the first revision id (<name>_0001) fits Alembic's 32-character version
# column, and that constraint names made of table names (fk_<name>_entries_author_id_users)
# stay within PostgreSQL's 63-character identifiers, with room for longer table names.
MAX_LENGTH = 20

# A plugin's name is its blueprint's name, its capabilities' prefix and the first segment of its
# pages' paths inside a circle: none of these may be core's (tests/test_new_plugin.py checks this
# list against a real app).
RESERVED_NAMES = frozenset(
    {
        # the core package, its Alembic branch and the modules a plugin's name would be
        # mistaken for
        "careteam",
        "api",
        "plugins",
        "testing",
        # core's blueprints
        "account",
        "admin",
        "appointments",
        "auth",
        "calendar",
        "calendar_feeds",
        "circle_plugins",
        "circles",
        "exports",
        "invitations",
        "invite",
        "my_circles",
        "notes",
        "pages",
        "reminders",
        "static",
        # core's capability prefixes
        "audit",
        "circle",
        "help",
        # core's pages inside a circle (/circles/<id>/<segment>)
        "archive",
        "export",
        "leave",
        "members",
        "restore",
        "settings",
        # first-party plugins, installed here or not
        "devices",
        "directory",
        "hello",
        "therapy",
    }
)


class ScaffoldRefused(Exception):
    """A new plugin's name or folder is refused; the message says why, in a plain sentence."""


def check_name(name: str, installed: Iterable[str]) -> None:
    """Raise :class:`ScaffoldRefused` unless ``name`` may be a new plugin's name.

    ``installed`` are the names of the plugins installed here (their entry points).
    """
    if not NAME_PATTERN.fullmatch(name):
        raise ScaffoldRefused(
            f"{name!r} is not a plugin name: use lowercase letters a-z, digits and underscores, "
            "starting with a letter and not ending with an underscore (for example: mood_log)."
        )
    if len(name) > MAX_LENGTH:
        raise ScaffoldRefused(
            f"{name!r} is {len(name)} characters long; a plugin name has at most {MAX_LENGTH}."
        )
    if keyword.iskeyword(name):
        raise ScaffoldRefused(f"{name!r} is a Python keyword; choose another name.")
    if name in RESERVED_NAMES:
        raise ScaffoldRefused(f"{name!r} is taken by CareTeam itself; choose another name.")
    for other in sorted(set(installed)):
        if other == name:
            raise ScaffoldRefused(f"A plugin named {name!r} is already installed here.")
        # Every table of a plugin starts with "<name>_", so one name must not begin another's
        # tables: removing one plugin would take the other's tables for its own.
        if name.startswith(f"{other}_") or other.startswith(f"{name}_"):
            shorter, longer = sorted((name, other), key=len)
            raise ScaffoldRefused(
                f"{name!r} clashes with the installed plugin {other!r}: the tables of "
                f"{longer!r} would start with {shorter + '_'!r}, the prefix of {shorter!r}'s "
                "tables; choose another name."
            )
    if importlib.util.find_spec(package_name(name)) is not None:
        raise ScaffoldRefused(f"A Python package named {package_name(name)} is already installed.")


def check_folder(folder: Path) -> None:
    """Raise :class:`ScaffoldRefused` unless ``folder`` can be created (its parent exists and
    nothing is at its path yet)."""
    if os.path.lexists(folder):
        raise ScaffoldRefused(f"{folder} already exists; nothing was written.")
    if not folder.parent.is_dir():
        raise ScaffoldRefused(f"{folder.parent} is not a folder; nothing was written.")


def package_name(name: str) -> str:
    """Return the Python package of the plugin ``name``: ``careteam_<name>``."""
    return f"careteam_{name}"


def distribution_name(name: str) -> str:
    """Return the distribution (what pip installs) of the plugin ``name``: ``careteam-<name>``."""
    return f"careteam-{name.replace('_', '-')}"

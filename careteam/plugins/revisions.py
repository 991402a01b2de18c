"""A plugin's Alembic revisions, read without Alembic.

Web workers never import Alembic (see :mod:`careteam.db.migrating`), yet every app must know a
plugin's branch heads to tell whether its tables exist.  A revision file names itself in four
module-level assignments of literals (``revision``, ``down_revision``, ``branch_labels``,
``depends_on``), so :mod:`ast` reads them without running the file (which would import Alembic).

The rules a plugin's folder must keep -- one base revision labelled with the plugin's name, every
id starting ``<name>_`` -- are what lets core add every plugin's folder to one Alembic history:
a label or an id taken twice would stop ``careteam init`` for the whole site.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")
# Alembic's own rule for which files in a versions folder are revisions.
_REVISION_FILE = re.compile(r"(?!\.#|__init__)(.*\.py)$")
# "<plugin name>_<number>", e.g. hello_0001 or mood_log_0002.
_PLUGIN_REVISION_ID = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*?)_\d")


class RevisionFolderError(ValueError):
    """A plugin's revision folder breaks a rule; the message says which, for operators."""


@dataclass(frozen=True)
class Revision:
    """What one revision file declares."""

    id: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    path: Path


def _names(value: Any, field: str, path: Path) -> tuple[str, ...]:
    # Alembic accepts None, one string, or a sequence of strings for these fields.
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RevisionFolderError(f"{path.name}: {field} must be a string, a tuple of them, or None")


def _assignments(path: Path) -> dict[str, Any]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, OSError) as error:
        raise RevisionFolderError(f"{path.name} cannot be read: {error}") from error
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in _FIELDS:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError as error:
                raise RevisionFolderError(
                    f"{path.name}: {target.id} must be written as a literal"
                ) from error
    return found


def read_revision(path: Path) -> Revision:
    """Return what the revision file at ``path`` declares (RevisionFolderError if it cannot)."""
    fields = _assignments(path)
    revision = fields.get("revision")
    if not isinstance(revision, str) or not revision:
        raise RevisionFolderError(f"{path.name} has no revision id")
    return Revision(
        id=revision,
        down_revisions=_names(fields.get("down_revision"), "down_revision", path),
        branch_labels=_names(fields.get("branch_labels"), "branch_labels", path),
        depends_on=_names(fields.get("depends_on"), "depends_on", path),
        path=path,
    )


def read_folder(folder: Path) -> list[Revision]:
    """Return every revision in ``folder`` (not its subfolders), by file name."""
    return [
        read_revision(path)
        for path in sorted(folder.iterdir())
        if path.is_file() and _REVISION_FILE.fullmatch(path.name)
    ]


def branch_heads(revisions: Iterable[Revision]) -> frozenset[str]:
    """Return the ids no other revision of ``revisions`` revises: the heads an upgrade reaches."""
    revisions = list(revisions)
    revised = {down for r in revisions for down in r.down_revisions}
    return frozenset(r.id for r in revisions if r.id not in revised)


def check_plugin_folder(name: str, folder: Path | str | None) -> list[Revision]:
    """Return the revisions of plugin ``name``'s folder, or raise RevisionFolderError saying
    which rule it breaks.  A plugin with no folder (``None``) has no tables: no revisions."""
    if folder is None:
        return []
    folder = Path(folder)
    if not folder.is_dir():
        raise RevisionFolderError(f"its migrations folder {folder} does not exist")
    revisions = read_folder(folder)
    if not revisions:
        raise RevisionFolderError(f"its migrations folder {folder} holds no revision")
    ids = {r.id for r in revisions}
    for revision in revisions:
        if not revision.id.startswith(f"{name}_"):
            raise RevisionFolderError(
                f"revision {revision.id!r} ({revision.path.name}) must start with {name + '_'!r}"
            )
        outside = [down for down in revision.down_revisions if down not in ids]
        if outside:
            raise RevisionFolderError(
                f"revision {revision.id!r} revises {outside[0]!r}, which is not in its folder "
                "(a plugin's branch starts from nothing; use depends_on for core's revisions)"
            )
    bases = [r for r in revisions if not r.down_revisions]
    if len(bases) != 1:
        raise RevisionFolderError(f"its branch must have one base revision, not {len(bases)}")
    if bases[0].branch_labels != (name,):
        raise RevisionFolderError(
            f"its base revision {bases[0].id!r} must have branch_labels = ({name!r},), "
            f"not {bases[0].branch_labels!r}"
        )
    return revisions


def plugin_of_revision(revision_id: str, known_names: Iterable[str] = ()) -> str | None:
    """Return the plugin a recorded revision id belongs to: the longest known name it starts
    with (``<name>_``), else the part before ``_<number>``; None for core's ids."""
    owners = [n for n in known_names if revision_id.startswith(f"{n}_")]
    if owners:
        return max(owners, key=len)
    match = _PLUGIN_REVISION_ID.match(revision_id)
    return match.group(1) if match else None

"""``careteam new-plugin``: write a complete, minimal plugin to start from.

The new plugin has a page with a form and a list inside each circle, a navigation item, a home
page panel, one capability, a table with its first Alembic revision on the plugin's own branch,
tests on CareTeam's test kit, and a README.  Its files come from the templates in ``template/``;
docs/plugins.md walks through them (a test checks the tutorial shows them exactly).
"""

from __future__ import annotations

from pathlib import Path

from ..plugins.host import entry_point_candidates
from .files import plugin_files
from .names import ScaffoldRefused, check_folder, check_name, distribution_name
from .writing import write_folder

__all__ = ["ScaffoldRefused", "new_plugin"]


def new_plugin(name: str, folder: Path | None = None) -> tuple[Path, list[str]]:
    """Write the plugin ``name`` into ``folder`` (default: ``./careteam-<name>``).

    Returns the folder and the files written, relative to it.  Raises
    :class:`ScaffoldRefused` (nothing written) for a name that is not valid, is CareTeam's own
    or an installed plugin's, or for a folder that already exists.
    """
    check_name(name, [candidate.name for candidate in entry_point_candidates()])
    folder = folder if folder is not None else Path.cwd() / distribution_name(name)
    check_folder(folder)
    files = plugin_files(name)
    write_folder(folder, files)
    return folder, list(files)
